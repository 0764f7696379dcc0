/**
 * The install phase: a preinstalled runner is used as is; otherwise the pinned actions/runner
 * release is downloaded (stub curl) and never run unless its sha256 is the pinned one.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILDSPEC_PATH, Sandbox } from "./support/sandbox.ts";
import { loadBuildspec } from "./support/codebuild.ts";

let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = await Sandbox.create({ preinstalled: false });
  await sandbox.putMarker({ conclusion: "success" });
});

afterEach(async () => {
  await sandbox.cleanup();
});

async function pinnedVersion(): Promise<string> {
  const variables = (await loadBuildspec(BUILDSPEC_PATH)).env?.variables ?? {};
  return String(variables.RUNWAY_RUNNER_VERSION);
}

describe("installing the runner", () => {
  it("uses a preinstalled runner without downloading anything", async () => {
    const preinstalled = await Sandbox.create();
    try {
      await preinstalled.putMarker({ conclusion: "success" });

      const build = await preinstalled.run();

      expect(build.status).toBe("SUCCEEDED");
      expect(build.output).toContain(`using the runner preinstalled in ${preinstalled.runnerDir}`);
      expect(await preinstalled.curlUrls()).toEqual([]);
    } finally {
      await preinstalled.cleanup();
    }
  });

  it("downloads the pinned linux-x64 release and runs it once its checksum matches", async () => {
    const archive = await sandbox.makeRunnerArchive();
    const version = await pinnedVersion();

    const build = await sandbox.run({ STUB_CURL_FILE: archive.path, RUNWAY_RUNNER_SHA256: archive.sha256.toUpperCase() });

    expect(await sandbox.curlUrls()).toEqual([
      `https://github.com/actions/runner/releases/download/v${version}/actions-runner-linux-x64-${version}.tar.gz`,
    ]);
    expect(build.output).toContain(`actions/runner ${version} installed in ${sandbox.runnerDir} (sha256 verified)`);
    expect(await sandbox.runnerCall()).toBeDefined();
    expect(build.status).toBe("SUCCEEDED");
  });

  it("downloads the version the launcher asks for", async () => {
    const archive = await sandbox.makeRunnerArchive();

    await sandbox.run({ STUB_CURL_FILE: archive.path, RUNWAY_RUNNER_VERSION: "2.337.0", RUNWAY_RUNNER_SHA256: archive.sha256 });

    expect(await sandbox.curlUrls()).toEqual([
      "https://github.com/actions/runner/releases/download/v2.337.0/actions-runner-linux-x64-2.337.0.tar.gz",
    ]);
  });

  it("refuses to run a download whose checksum does not match, and fails the build", async () => {
    const archive = await sandbox.makeRunnerArchive();

    // The buildspec's pinned checksum is the real release's, not the test archive's.
    const build = await sandbox.run({ STUB_CURL_FILE: archive.path });

    expect(build.status).toBe("FAILED");
    expect(build.phases).toEqual([{ phase: "install", exitCode: 7 }]);
    expect(build.output).toContain(`checksum mismatch for actions-runner-linux-x64-${await pinnedVersion()}.tar.gz: got sha256 ${archive.sha256}`);
    expect(await sandbox.runnerCall()).toBeUndefined();
    expect(build.statusRecord).toMatchObject({ outcome: "FAILED", reason: "setup_failed", exitCode: 7 });
  });

  it("refuses to download without a checksum", async () => {
    const build = await sandbox.run({ RUNWAY_RUNNER_SHA256: "" });

    expect(build.status).toBe("FAILED");
    expect(build.output).toContain("without its checksum: set RUNWAY_RUNNER_SHA256");
    expect(await sandbox.curlUrls()).toEqual([]);
    expect(await sandbox.runnerCall()).toBeUndefined();
  });

  it("fails the build when the download fails", async () => {
    const build = await sandbox.run({ STUB_CURL_FAIL: "1" });

    expect(build.status).toBe("FAILED");
    expect(build.output).toContain("could not download https://github.com/actions/runner/releases/download/");
    expect(build.statusRecord).toMatchObject({ reason: "setup_failed" });
  });
});
