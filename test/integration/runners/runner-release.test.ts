/**
 * The runner-release resolver against the local GitHub (its releases, downloads and rate limit)
 * and a local S3 (s3rver), over real sockets through Octokit and the AWS SDK; then the runner
 * build's install phase (buildspecs/runner/install-runner.sh, stub `aws` serving what the resolver
 * wrote) installing that release on x86_64 and on aarch64, and refusing a tampered archive.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { s3Client } from "../../../lib/aws/s3.ts";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { resetSsmSecrets } from "../../../lib/github/ssm-secret-provider.ts";
import { startAwsEmulator, type AwsEmulator } from "../../../lib/local/aws-emulator/server.ts";
import { createSsmEmulation, type SsmEmulation } from "../../../lib/local/aws-emulator/services/ssm.ts";
import { releasesOf, type FakeReleases, type ReleaseInput } from "../../../lib/local/github-fake/index.ts";
import { ANONYMOUS_LIMIT } from "../../../lib/local/github-fake/releases.ts";
import { startLocalS3, type LocalS3 } from "../../../lib/local/s3.ts";
import { runnerReleaseDepsFromEnv } from "../../../lib/runners/release/deps.ts";
import { parseRunnerRecord, RUNNER_ARCHES, type RunnerRecord } from "../../../lib/runners/release/record.ts";
import { runnerReleasePass, type RunnerReleaseReport } from "../../../lib/runners/release/resolve.ts";
import { Sandbox } from "../../unit/buildspec/support/sandbox.ts";
import { startGitHub, type GitHubHarness } from "../github/harness.ts";

const BUCKET = "runway-artifacts-release-test";
const TOKEN_PARAMETER = "/runway/test/runner-releases-token";

let s3: LocalS3;
let aws: AwsEmulator;
let ssm: SsmEmulation;
let github: GitHubHarness;
let releases: FakeReleases;
let testNumber = 0;

beforeAll(async () => {
  ssm = createSsmEmulation();
  [s3, aws] = await Promise.all([startLocalS3(BUCKET, { accessKeyId: "test", secretAccessKey: "test" }), startAwsEmulator({ services: [ssm] })]);
  process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
  process.env.AWS_ENDPOINT_URL_SSM = aws.url;
  resetAwsClients();
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_S3;
  delete process.env.AWS_ENDPOINT_URL_SSM;
  resetAwsClients();
  await Promise.all([s3.close(), aws.close()]);
});

beforeEach(async () => {
  github = await startGitHub();
  releases = releasesOf(github.fake.state);
  testNumber += 1;
  resetSsmSecrets();
});

afterEach(async () => {
  // Fails the test when an answer of the fake departs from GitHub's OpenAPI description.
  await github.close();
});

/** The function's environment, as serverless.yml sets it, pointed at the local GitHub. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { RUNWAY_ARTIFACTS_BUCKET: BUCKET, RUNWAY_RUNNER_RELEASES_URL: `${github.apiUrl}/repos/actions/runner`, ...extra };
}

const pass = (extra: Record<string, string> = {}): Promise<RunnerReleaseReport> => runnerReleasePass(() => runnerReleaseDepsFromEnv(env(extra), () => {}), () => {});

async function object(key: string): Promise<Buffer | undefined> {
  try {
    const { Body } = await s3Client().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await Body!.transformToByteArray());
  } catch (error) {
    if ((error as Error).name === "NoSuchKey") return undefined;
    throw error;
  }
}

async function record(): Promise<RunnerRecord | undefined> {
  const text = await object("runner/current.json");
  return text === undefined ? undefined : parseRunnerRecord(text.toString("utf8"));
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/**
 * Every test publishes a version of its own (2.400.<n>), so that the one bucket's record, which
 * an earlier test may have written, never already names it.
 */
function freshVersion(options: Omit<ReleaseInput, "version"> = {}): string {
  const version = `2.400.${testNumber}`;
  releases.publish({ version, ...options });
  return version;
}

describe("the resolver against the local GitHub and S3", () => {
  it("records GitHub's latest release: both archives copied byte for byte, then the record naming them", async () => {
    const version = freshVersion();

    const report = await pass();

    expect(report).toMatchObject({ outcome: "recorded", version, checksumFrom: { x64: "digest", arm64: "digest" } });
    const recorded = (await record())!;
    expect(recorded).toMatchObject({ version, source: { requested: "latest", release: `https://github.com/actions/runner/releases/tag/v${version}` } });
    const published = releases.release(version)!;
    for (const arch of RUNNER_ARCHES) {
      const asset = published.assets.find((a) => a.name === `actions-runner-linux-${arch}-${version}.tar.gz`)!;
      expect(recorded.archives[arch]).toEqual({ key: `runner/${version}/${asset.name}`, sha256: asset.sha256, size: asset.bytes.length, checksumFrom: "digest" });
      expect(sha256((await object(recorded.archives[arch].key))!)).toBe(asset.sha256);
    }
    expect(releases.downloads).toEqual([`actions-runner-linux-x64-${version}.tar.gz`, `actions-runner-linux-arm64-${version}.tar.gz`]);
    expect(github.fake.state.calls.filter((c) => c.route === "latest-release")).toHaveLength(1);
  });

  it("downloads nothing the next hour when the record already names the latest release", async () => {
    const version = freshVersion();
    await pass();

    expect(await pass()).toEqual({ outcome: "current", version });
    expect(releases.downloads).toHaveLength(2);
  });

  it("takes a pinned release by its tag, whatever is latest", async () => {
    const pinned = freshVersion();
    releases.publish({ version: `2.401.${testNumber}` }); // now the latest

    const report = await pass({ RUNWAY_RUNNER_RELEASE: pinned });

    expect(report).toMatchObject({ outcome: "recorded", version: pinned });
    expect(github.fake.state.calls.map((c) => `${c.route} ${c.path}`)).toContain(`release-by-tag /repos/actions/runner/releases/tags/v${pinned}`);
    expect((await record())?.source.requested).toBe(pinned);
  });

  it("says how to fix a pin to a release GitHub never published, and records nothing", async () => {
    const before = await record();

    const report = await pass({ RUNWAY_RUNNER_RELEASE: "2.999.0" });

    expect(report).toMatchObject({ outcome: "failed", error: "ReleaseNotFoundError", reason: expect.stringContaining("set the stage's runnerVersion param to a published version") });
    expect(await record()).toEqual(before);
  });

  it("uses the release notes' checksums for a release whose assets have no digest", async () => {
    freshVersion({ digests: false });

    expect(await pass()).toMatchObject({ outcome: "recorded", checksumFrom: { x64: "release-notes", arm64: "release-notes" } });
  });

  it("refuses an archive GitHub serves with other bytes than it published, and keeps the record it had", async () => {
    const good = freshVersion();
    await pass();
    const bad = `2.401.${testNumber}`;
    releases.publish({ version: bad });
    releases.corrupt(bad, `actions-runner-linux-arm64-${bad}.tar.gz`);

    const report = await pass();

    expect(report).toMatchObject({ outcome: "failed", error: "ChecksumMismatchError", reason: expect.stringContaining(`actions-runner-linux-arm64-${bad}.tar.gz downloaded with sha256`) });
    expect((await record())?.version).toBe(good);
    expect(await object(`runner/${bad}/actions-runner-linux-arm64-${bad}.tar.gz`)).toBeUndefined();
  });

  it("goes without a token until GitHub's 60 calls an hour are used up, then says to store one; with one, it records", async () => {
    const version = freshVersion();
    for (let i = 0; i < ANONYMOUS_LIMIT; i++) await fetch(`${github.apiUrl}/repos/actions/runner/releases/latest`).then((r) => r.body?.cancel());

    const limited = await pass({ RUNWAY_RUNNER_RELEASES_TOKEN_PARAMETER: TOKEN_PARAMETER });

    expect(limited).toMatchObject({ outcome: "failed", error: "ReleasesUnavailableError", reason: expect.stringContaining(`store a token in the SSM parameter ${TOKEN_PARAMETER}`) });
    expect(releases.callers.at(-1)).toBe("anonymous");

    releases.allowToken("github_pat_runway_test");
    ssm.put(TOKEN_PARAMETER, "github_pat_runway_test", "SecureString");
    resetSsmSecrets();
    expect(await pass({ RUNWAY_RUNNER_RELEASES_TOKEN_PARAMETER: TOKEN_PARAMETER })).toMatchObject({ outcome: "recorded", version });
    expect(releases.callers.at(-1)).toBe("token");
  });

  it("says which token GitHub refused", async () => {
    const report = await pass({ RUNWAY_RUNNER_RELEASES_TOKEN: "ghp_not_known_to_github" });

    expect(report).toMatchObject({ outcome: "failed", reason: expect.stringContaining("GitHub refused the token in RUNWAY_RUNNER_RELEASES_TOKEN") });
    expect(JSON.stringify(report)).not.toContain("ghp_not_known_to_github");
  });

  it("retries GitHub's 5xx and records the release once it answers", async () => {
    const version = freshVersion();
    github.fake.failures.add({ route: "latest-release", status: 502 });

    expect(await pass()).toMatchObject({ outcome: "recorded", version });
    expect(github.fake.state.calls.filter((c) => c.route === "latest-release").map((c) => c.status)).toEqual([502, 200]);
  });
});

describe("the runner build installs what the resolver recorded", () => {
  let sandbox: Sandbox;
  let recorded: RunnerRecord;

  beforeEach(async () => {
    freshVersion();
    expect(await pass()).toMatchObject({ outcome: "recorded" });
    recorded = (await record())!;
    sandbox = await Sandbox.create({ preinstalled: false });
    // The stub `aws` serves the bucket from a folder: put there what the resolver wrote to S3.
    for (const key of ["runner/current.json", recorded.archives.x64.key, recorded.archives.arm64.key]) await sandbox.putObject(key, (await object(key))!);
  });

  afterEach(async () => {
    await sandbox.cleanup();
  });

  it.each([
    ["x86_64", "linux-x64"],
    ["aarch64", "linux-arm64"],
  ])("on %s: the %s archive, from the bucket, checksum verified", async (machine, platform) => {
    const install = await sandbox.runScript("install-runner.sh", { STUB_UNAME_M: machine });

    expect(install.exitCode).toBe(0);
    expect(install.output).toContain(`actions/runner ${recorded.version} (${platform}) installed in ${sandbox.runnerDir} from the artifacts bucket (sha256 verified)`);
    expect(await readFile(join(sandbox.runnerDir, "run.sh"), "utf8")).toContain(`actions/runner ${recorded.version} ${platform}`);
    expect(await sandbox.curlUrls()).toEqual([]);
  });

  it("refuses an archive changed in the bucket after the resolver verified it", async () => {
    const archive = await object(recorded.archives.arm64.key);
    const tampered = Buffer.concat([archive!, Buffer.from("appended")]);
    await sandbox.putObject(recorded.archives.arm64.key, tampered);

    const install = await sandbox.runScript("install-runner.sh", { STUB_UNAME_M: "aarch64" });

    expect(install.exitCode).toBe(7);
    expect(install.output).toContain(`checksum mismatch for s3://${sandbox.bucket}/${recorded.archives.arm64.key}: got sha256 ${sha256(tampered)}, expected ${recorded.archives.arm64.sha256}`);
    expect(await sandbox.curlUrls()).toEqual([]);
  });
});
