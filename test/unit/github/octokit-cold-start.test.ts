/**
 * The launcher's cold start is part of every launch: importing the GitHub client must not load
 * Octokit, its plugins or the SSM client. Bundled as a function is (esbuild, splitting), they must
 * sit only in chunks reached through a dynamic import().
 */
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { splitByLoading } from "../../../lib/build/bundle.ts";

const ROOT = join(import.meta.dirname, "../../..");

describe("lib/github/octokit.ts at import", () => {
  it("keeps Octokit and the SSM client out of the code loaded at cold start", async () => {
    const result = await build({
      stdin: {
        contents: 'export { githubClient } from "./lib/github/octokit.ts"; export { generateJitConfig } from "./lib/github/jit-config.ts";',
        resolveDir: ROOT,
        loader: "ts",
      },
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node24",
      outdir: join(ROOT, ".build-test-cold-start"),
      write: false,
      metafile: true,
      mainFields: ["module", "main"],
      absWorkingDir: ROOT,
      logLevel: "silent",
    });
    const outputs = result.metafile.outputs;
    const { cold, lazy } = splitByLoading(result.metafile, "<stdin>");
    const coldInputs = cold.flatMap((path) => Object.keys(outputs[path]!.inputs));
    expect(coldInputs).toEqual(expect.arrayContaining(["lib/github/octokit.ts", "lib/github/jit-config.ts"]));
    expect(coldInputs.filter((input) => /@octokit|bottleneck|universal-github-app-jwt|client-ssm|ssm-secret-provider/.test(input))).toEqual([]);
    const lazyInputs = lazy.flatMap((path) => Object.keys(outputs[path]!.inputs));
    expect(lazyInputs.some((input) => input.includes("@octokit/core"))).toBe(true);
  });
});
