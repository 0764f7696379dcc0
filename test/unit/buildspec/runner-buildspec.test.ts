/**
 * buildspecs/runner.yml is a valid buildspec v0.2 that runs its logic from buildspecs/runner/ (the
 * project's S3 source bundle), keeps the contract's defaults in one place and holds no secret.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BUILDSPEC_PATH, REPO_ROOT } from "./support/sandbox.ts";

const buildspec = parse(readFileSync(BUILDSPEC_PATH, "utf8")) as {
  version: unknown;
  env: { shell: string; variables: Record<string, unknown>; [key: string]: unknown };
  phases: Record<string, { "on-failure"?: string; commands: unknown[] }>;
  [key: string]: unknown;
};
const SCRIPTS_DIR = join(REPO_ROOT, "buildspecs/runner");
const scripts = readdirSync(SCRIPTS_DIR).filter((name) => name.endsWith(".sh"));
const SCRIPT_CALL = /^bash "\$CODEBUILD_SRC_DIR\/buildspecs\/runner\/([a-z-]+\.sh)"$/;

describe("buildspecs/runner.yml", () => {
  it("is a buildspec v0.2 run by bash", () => {
    expect(buildspec.version).toBe(0.2);
    expect(buildspec.env.shell).toBe("bash");
    expect(Object.keys(buildspec).sort()).toEqual(["env", "phases", "version"]);
  });

  it("has the four phases, each calling one script that exists beside it", () => {
    expect(Object.keys(buildspec.phases)).toEqual(["install", "pre_build", "build", "post_build"]);
    const called = Object.fromEntries(
      Object.entries(buildspec.phases).map(([phase, spec]) => {
        expect(spec.commands).toHaveLength(1);
        const match = SCRIPT_CALL.exec(String(spec.commands[0]));
        expect(match, `${phase} calls a script in buildspecs/runner/`).not.toBeNull();
        const script = match?.[1] ?? "";
        expect(existsSync(join(SCRIPTS_DIR, script))).toBe(true);
        return [phase, script];
      }),
    );
    expect(called).toEqual({ install: "install-runner.sh", pre_build: "preflight.sh", build: "start-runner.sh", post_build: "conclude.sh" });
  });

  it("ends the build when setup fails but always concludes after the build phase", () => {
    expect(buildspec.phases.install?.["on-failure"]).toBe("ABORT");
    expect(buildspec.phases.pre_build?.["on-failure"]).toBe("ABORT");
    expect(buildspec.phases.build?.["on-failure"]).toBe("CONTINUE");
  });

  it("pins a runner release with its sha256 per architecture and sets the contract's defaults", () => {
    expect(buildspec.env.variables).toEqual({
      RUNWAY_RUNNER_DIR: "/opt/actions-runner",
      RUNWAY_RUNNER_VERSION: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      RUNWAY_RUNNER_SHA256_X64: expect.stringMatching(/^[0-9a-f]{64}$/),
      RUNWAY_RUNNER_SHA256_ARM64: expect.stringMatching(/^[0-9a-f]{64}$/),
      RUNWAY_RUNNER_DOWNLOAD_URL: "https://github.com/actions/runner/releases/download",
      RUNWAY_IDLE_TIMEOUT_SECONDS: "600",
    });
    expect(buildspec.env.variables.RUNWAY_RUNNER_SHA256_X64).not.toBe(buildspec.env.variables.RUNWAY_RUNNER_SHA256_ARM64);
  });

  it("pins the same release as the custom-image example in buildspecs/README.md", () => {
    const readme = readFileSync(join(REPO_ROOT, "buildspecs/README.md"), "utf8");
    expect(readme).toContain(`ARG RUNNER_VERSION=${String(buildspec.env.variables.RUNWAY_RUNNER_VERSION)}`);
    expect(readme).toContain(`ARG RUNNER_SHA256_X64=${String(buildspec.env.variables.RUNWAY_RUNNER_SHA256_X64)}`);
    expect(readme).toContain(`ARG RUNNER_SHA256_ARM64=${String(buildspec.env.variables.RUNWAY_RUNNER_SHA256_ARM64)}`);
  });

  it("holds no secret: the JIT config only ever comes from the launcher", () => {
    expect(Object.keys(buildspec.env).sort()).toEqual(["shell", "variables"]);
    expect(readFileSync(BUILDSPEC_PATH, "utf8")).not.toMatch(/parameter-store|secrets-manager|RUNWAY_JIT_CONFIG:/);
  });
});

describe("buildspecs/runner/*.sh", () => {
  it.each(scripts)("%s parses as bash and runs under set -euo pipefail", (script) => {
    const path = join(SCRIPTS_DIR, script);
    execFileSync("bash", ["-n", path]);
    const body = readFileSync(path, "utf8");
    if (script !== "lib.sh") expect(body).toMatch(/^set -euo pipefail$/m);
    // Tracing would print the JIT config.
    expect(body).not.toMatch(/set -[a-z]*x|set -o xtrace/);
  });
});
