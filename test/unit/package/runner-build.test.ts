/**
 * The templates' rule for a runner project's environment type (lib/build/serverless-environments.cjs
 * `runnerBuild`, in CommonJS for osls) agrees with the launcher's for image overrides
 * (lib/runners/runner-labels.ts `curatedImageArchitecture`) on every image, whether runway.yml or
 * the stage's `runnerImage` param names it; `codebuild.architecture` decides for an image
 * CodeBuild does not curate.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { curatedImageArchitecture } from "../../../lib/config/codebuild-images.ts";

const require = createRequire(import.meta.url);
type Env = { name: string };
const { runnerBuild } = require("../../../lib/build/serverless-environments.cjs") as { runnerBuild(ctx: unknown, env: Env, image: string): { type: string; vpcConfig: object; statements: unknown[] } };
const { runwayContext } = require("../../../lib/build/serverless-context.cjs") as { runwayContext(o: { stage: string; region: string; configFile?: string }): unknown };

const dir = mkdtempSync(join(tmpdir(), "runway-runner-build-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, "runway.yml");
writeFileSync(
  file,
  `environments:
  plain:
    codebuild: { project: runner-plain }
  arm:
    codebuild: { project: runner-arm, image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/runner:arm64", architecture: arm64 }
`,
);
const ctx = runwayContext({ stage: "dev", region: "eu-west-1", configFile: file });

describe("a runner project's environment type", () => {
  it.each([
    "aws/codebuild/amazonlinux-aarch64-standard:3.0",
    "aws/codebuild/amazonlinux2-aarch64-standard:2.0",
    "aws/codebuild/amazonlinux-x86_64-standard:5.0",
    "aws/codebuild/standard:7.0",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/runner:2",
  ])("follows the image's architecture as the launcher reads it: %s", (image) => {
    const expected = curatedImageArchitecture(image) === "arm64" ? "ARM_CONTAINER" : "LINUX_CONTAINER";
    expect(runnerBuild(ctx, { name: "plain" }, image).type).toBe(expected);
  });

  it("is ARM_CONTAINER for a private image runway.yml says is arm64, and there is no VPC without codebuild.vpc", () => {
    expect(runnerBuild(ctx, { name: "arm" }, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/runner:arm64")).toEqual({ type: "ARM_CONTAINER", vpcConfig: {}, statements: [] });
  });
});
