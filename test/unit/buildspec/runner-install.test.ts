/**
 * The install phase: a preinstalled runner is used as is; otherwise the release the stage's
 * runner-release function recorded (runner/current.json in the artifacts bucket, stub `aws`) is
 * copied from the bucket for this machine's architecture (stub `uname -m`); with no usable record,
 * the pinned release is downloaded from GitHub (stub curl). Nothing runs unless its sha256 matched.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunnerArch, RunnerRecord } from "../../../lib/runners/release/record.ts";
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

const RECORDED = "2.339.1";

/** Stores an archive per architecture and the record naming them, as runner-release does. */
async function recordRelease(version = RECORDED): Promise<RunnerRecord> {
  const archive = async (arch: RunnerArch) => {
    const name = `actions-runner-linux-${arch}-${version}.tar.gz`;
    const made = await sandbox.makeRunnerArchive(name);
    const key = `runner/${version}/${name}`;
    await sandbox.putObject(key, await readFile(made.path));
    return { key, sha256: made.sha256, size: 1, checksumFrom: "digest" as const };
  };
  const record: RunnerRecord = {
    version,
    resolvedAt: "2026-11-30T10:00:00.000Z",
    source: { requested: "latest", release: `https://github.com/actions/runner/releases/tag/v${version}` },
    archives: { x64: await archive("x64"), arm64: await archive("arm64") },
  };
  await sandbox.putObject("runner/current.json", JSON.stringify(record));
  return record;
}

/** Which archive the install phase extracted (makeRunnerArchive leaves its name inside). */
const installedArchive = () => readFile(join(sandbox.runnerDir, "archive-name"), "utf8");

describe("installing the runner", () => {
  it("uses a preinstalled runner without reading the record or downloading anything", async () => {
    const preinstalled = await Sandbox.create();
    try {
      await preinstalled.putMarker({ conclusion: "success" });

      const build = await preinstalled.run();

      expect(build.status).toBe("SUCCEEDED");
      expect(build.output).toContain(`using the runner preinstalled in ${preinstalled.runnerDir}`);
      expect(await preinstalled.curlUrls()).toEqual([]);
      expect((await preinstalled.awsCalls()).map((c) => c.args[2])).not.toContain(`s3://${preinstalled.bucket}/runner/current.json`);
    } finally {
      await preinstalled.cleanup();
    }
  });
});

describe("installing the recorded release from the artifacts bucket", () => {
  it.each([
    ["x86_64", "x64"],
    ["aarch64", "arm64"],
  ] as const)("on %s installs the recorded linux-%s archive, and GitHub is never asked", async (machine, arch) => {
    const record = await recordRelease();

    const build = await sandbox.run({ STUB_UNAME_M: machine });

    expect(build.status).toBe("SUCCEEDED");
    expect(await installedArchive()).toBe(`actions-runner-linux-${arch}-${RECORDED}.tar.gz`);
    expect(await sandbox.curlUrls()).toEqual([]);
    const copied = (await sandbox.awsCalls()).filter((c) => c.args[1] === "cp" && c.args[2]?.startsWith(`s3://${sandbox.bucket}/runner/`)).map((c) => c.args[2]);
    expect(copied).toEqual([`s3://${sandbox.bucket}/runner/current.json`, `s3://${sandbox.bucket}/${record.archives[arch].key}`]);
    expect(build.output).toContain(`actions/runner ${RECORDED} (linux-${arch}) installed in ${sandbox.runnerDir} from the artifacts bucket (sha256 verified)`);
    expect(await sandbox.runnerCall()).toBeDefined();
  });

  it("refuses a recorded archive whose sha256 is not the recorded one, and does not fall back to GitHub", async () => {
    const record = await recordRelease();
    const other = await sandbox.makeRunnerArchive("tampered.tar.gz");
    await sandbox.putObject(record.archives.x64.key, await readFile(other.path));

    const build = await sandbox.run({ STUB_UNAME_M: "x86_64" });

    expect(build.status).toBe("FAILED");
    expect(build.phases).toEqual([{ phase: "install", exitCode: 7 }]);
    expect(build.output).toContain(`checksum mismatch for s3://${sandbox.bucket}/${record.archives.x64.key}: got sha256 ${other.sha256}, expected ${record.archives.x64.sha256} (runner/current.json)`);
    expect(await sandbox.curlUrls()).toEqual([]);
    expect(await sandbox.runnerCall()).toBeUndefined();
    expect(build.statusRecord).toMatchObject({ outcome: "FAILED", reason: "setup_failed", exitCode: 7 });
  });

  it("fails clearly on a machine actions/runner is not installed for", async () => {
    await recordRelease();

    const build = await sandbox.run({ STUB_UNAME_M: "s390x" });

    expect(build.status).toBe("FAILED");
    expect(build.phases).toEqual([{ phase: "install", exitCode: 7 }]);
    expect(build.output).toContain("this build runs on s390x, but Runway installs actions/runner for x86_64 (linux-x64) and aarch64 (linux-arm64) only");
    expect(await sandbox.awsCalls()).not.toContainEqual(expect.objectContaining({ args: expect.arrayContaining([`s3://${sandbox.bucket}/runner/current.json`]) }));
  });

  it.each([
    ["the record cannot be read (403)", async () => sandbox.forbid("runner/current.json"), "could not read s3://runway-artifacts-test/runner/current.json"],
    ["the record is not JSON", async () => sandbox.putObject("runner/current.json", "<html>"), "names no linux-x64 archive with its version, key and sha256: ignoring it"],
    ["the record names no archive for this architecture", async () => sandbox.putObject("runner/current.json", JSON.stringify({ version: "2.339.1", archives: {} })), "names no linux-x64 archive"],
    ["the recorded archive is gone", async () => sandbox.putObject("runner/current.json", JSON.stringify({ version: "2.339.1", archives: { x64: { key: "runner/2.339.1/actions-runner-linux-x64-2.339.1.tar.gz", sha256: "a".repeat(64) } } })), "could not copy s3://runway-artifacts-test/runner/2.339.1/"],
  ])("falls back to the pinned GitHub download when %s", async (_case, arrange, warning) => {
    await arrange();
    const archive = await sandbox.makeRunnerArchive();
    const version = await pinnedVersion();

    const build = await sandbox.run({ STUB_UNAME_M: "x86_64", STUB_CURL_FILE: archive.path, RUNWAY_RUNNER_SHA256_X64: archive.sha256 });

    expect(build.output).toContain(warning);
    expect(await sandbox.curlUrls()).toEqual([`https://github.com/actions/runner/releases/download/v${version}/actions-runner-linux-x64-${version}.tar.gz`]);
    expect(build.status).toBe("SUCCEEDED");
  });
});

describe("installing the pinned release from GitHub, when nothing is recorded yet", () => {
  it("downloads the pinned linux-x64 release, says why, and runs it once its checksum matches", async () => {
    const archive = await sandbox.makeRunnerArchive();
    const version = await pinnedVersion();

    const build = await sandbox.run({ STUB_UNAME_M: "x86_64", STUB_CURL_FILE: archive.path, RUNWAY_RUNNER_SHA256_X64: archive.sha256.toUpperCase() });

    expect(build.output).toContain(`no runner release recorded at s3://${sandbox.bucket}/runner/current.json yet`);
    expect(await sandbox.curlUrls()).toEqual([`https://github.com/actions/runner/releases/download/v${version}/actions-runner-linux-x64-${version}.tar.gz`]);
    expect(build.output).toContain(`actions/runner ${version} (linux-x64) installed in ${sandbox.runnerDir} from GitHub (sha256 verified)`);
    expect(await sandbox.runnerCall()).toBeDefined();
    expect(build.status).toBe("SUCCEEDED");
  });

  it("downloads the pinned linux-arm64 release on aarch64, held to RUNWAY_RUNNER_SHA256_ARM64", async () => {
    const archive = await sandbox.makeRunnerArchive();
    const version = await pinnedVersion();

    const build = await sandbox.run({ STUB_UNAME_M: "aarch64", STUB_CURL_FILE: archive.path, RUNWAY_RUNNER_SHA256_ARM64: archive.sha256 });

    expect(await sandbox.curlUrls()).toEqual([`https://github.com/actions/runner/releases/download/v${version}/actions-runner-linux-arm64-${version}.tar.gz`]);
    expect(build.status).toBe("SUCCEEDED");
  });

  it("downloads from RUNWAY_RUNNER_DOWNLOAD_URL when the stage mirrors the releases (an Enterprise Server without github.com)", async () => {
    const archive = await sandbox.makeRunnerArchive();
    const version = await pinnedVersion();

    const build = await sandbox.run({ STUB_UNAME_M: "x86_64", STUB_CURL_FILE: archive.path, RUNWAY_RUNNER_SHA256_X64: archive.sha256, RUNWAY_RUNNER_DOWNLOAD_URL: "https://ghe.example.com/mirror/actions-runner" });

    expect(await sandbox.curlUrls()).toEqual([`https://ghe.example.com/mirror/actions-runner/v${version}/actions-runner-linux-x64-${version}.tar.gz`]);
    expect(build.status).toBe("SUCCEEDED");
  });

  it("still takes the x64 checksum from RUNWAY_RUNNER_SHA256, as older Runway set it, with the version the launcher asks for", async () => {
    const archive = await sandbox.makeRunnerArchive();

    const build = await sandbox.run({ STUB_UNAME_M: "x86_64", STUB_CURL_FILE: archive.path, RUNWAY_RUNNER_VERSION: "2.337.0", RUNWAY_RUNNER_SHA256: archive.sha256 });

    expect(await sandbox.curlUrls()).toEqual(["https://github.com/actions/runner/releases/download/v2.337.0/actions-runner-linux-x64-2.337.0.tar.gz"]);
    expect(build.status).toBe("SUCCEEDED");
  });

  it.each([
    ["x86_64", "x64", "RUNWAY_RUNNER_SHA256_X64"],
    ["aarch64", "arm64", "RUNWAY_RUNNER_SHA256_ARM64"],
  ])("on %s refuses to run a download whose checksum is not the pinned one, naming %s's variable", async (machine, arch, variable) => {
    const archive = await sandbox.makeRunnerArchive();
    const version = await pinnedVersion();

    // The buildspec's pinned checksums are the real release's, not the test archive's.
    const build = await sandbox.run({ STUB_UNAME_M: machine, STUB_CURL_FILE: archive.path });

    expect(build.status).toBe("FAILED");
    expect(build.phases).toEqual([{ phase: "install", exitCode: 7 }]);
    expect(build.output).toContain(`checksum mismatch for actions-runner-linux-${arch}-${version}.tar.gz: got sha256 ${archive.sha256}`);
    expect(build.output).toContain(`(${variable}). Refusing to run it`);
    expect(await sandbox.runnerCall()).toBeUndefined();
    expect(build.statusRecord).toMatchObject({ outcome: "FAILED", reason: "setup_failed", exitCode: 7 });
  });

  it("refuses to download without a checksum", async () => {
    const build = await sandbox.run({ STUB_UNAME_M: "x86_64", RUNWAY_RUNNER_SHA256_X64: "" });

    expect(build.status).toBe("FAILED");
    expect(build.output).toContain("without its checksum: set RUNWAY_RUNNER_SHA256_X64");
    expect(await sandbox.curlUrls()).toEqual([]);
    expect(await sandbox.runnerCall()).toBeUndefined();
  });

  it("fails the build when the download fails", async () => {
    const build = await sandbox.run({ STUB_UNAME_M: "x86_64", STUB_CURL_FAIL: "1" });

    expect(build.status).toBe("FAILED");
    expect(build.output).toContain("could not download https://github.com/actions/runner/releases/download/");
    expect(build.statusRecord).toMatchObject({ reason: "setup_failed" });
  });
});
