/**
 * The local stack creates each environment's runner project as the template does: an arm64 image
 * in ARM_CONTAINER, so an override or a launch behaves locally as it would on AWS.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startLocalAws, type LocalAws } from "../../../lib/local/local-aws.ts";
import { sampleConfig } from "../../support/config.ts";

let local: LocalAws | undefined;
afterAll(async () => local?.close());

describe("createProjects", () => {
  it("gives an environment with an arm64 image an ARM_CONTAINER project, and the others the emulator's x86 default", async () => {
    local = await startLocalAws();
    const config = sampleConfig();
    const [armName, arm] = Object.entries(config.environments)[0]!;
    arm.codebuild.image = "aws/codebuild/amazonlinux-aarch64-standard:3.0";
    local.createProjects(config);

    const projects = local.codebuild.projects();
    expect(projects.find((p) => p.name === arm.codebuild.project)?.environment).toMatchObject({ type: "ARM_CONTAINER", image: "aws/codebuild/amazonlinux-aarch64-standard:3.0" });
    const others = Object.entries(config.environments).filter(([name]) => name !== armName);
    expect(others.length).toBeGreaterThan(0);
    for (const [, env] of others) expect(projects.find((p) => p.name === env.codebuild.project)?.environment?.type).toBe("LINUX_CONTAINER");
  });
});
