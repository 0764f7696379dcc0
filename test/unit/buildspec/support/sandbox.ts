/**
 * A throwaway build environment for the runner buildspec: a source directory holding the real
 * buildspecs/ (as the project's S3 source bundle would), stub `aws`, `curl` and `uname` first on PATH, a
 * folder acting as the artifacts bucket, a runner directory with a stub run.sh, and the
 * environment variables the launcher sets.
 */
import { execFile, execFileSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildResult, loadBuildspec, runBuild } from "./codebuild.ts";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const BUILDSPEC_PATH = join(REPO_ROOT, "buildspecs/runner.yml");
/** Stub `aws`, `curl`, `uname` and `run.sh` (each file says how it behaves). */
const STUBS = join(REPO_ROOT, "test/unit/buildspec/stubs");

const BUCKET = "runway-artifacts-test";
const BUILD_ID = "runway-runner-dev:0f3c9a52-7d1e-4b8a-9c2f-5e6d7a8b9c0d";
const RUNNER_NAME = "runway-dev-4242-1-a1b2c3d4";
const ENVIRONMENT = "dev";

export interface AwsCall {
  args: string[];
  jitInEnv: boolean;
}

export interface RunnerCall {
  args: string[];
  runwayJitInEnv: boolean;
  jitSha256: string;
  allowRunAsRoot: string;
}

export interface RunResult extends BuildResult {
  /** builds/<build-id>/status.json as the build recorded it, if it did. */
  statusRecord: Record<string, unknown> | undefined;
}

export interface Marker {
  conclusion: string;
  failedSteps?: string[];
  jobId?: number;
  runAttempt?: number;
  htmlUrl?: string;
}

export class Sandbox {
  readonly bucket = BUCKET;
  readonly buildId = BUILD_ID;
  readonly runnerName = RUNNER_NAME;
  readonly environment = ENVIRONMENT;
  /** Where Runway records this runner's conclusion: under its environment (buildspecs/README.md). */
  readonly markerKey = `markers/${ENVIRONMENT}/${RUNNER_NAME}.json`;
  /** A value that must never show up anywhere but in the runner's hands. */
  readonly jitConfig = `eyJqaXQiOiJjYW5hcnkifQ-${randomUUID()}`;
  readonly env: Record<string, string>;
  readonly root: string;
  /** $CODEBUILD_SRC_DIR: where CodeBuild extracts the project's source bundle. */
  readonly srcDir: string;
  /** $RUNWAY_RUNNER_DIR */
  readonly runnerDir: string;

  private constructor(root: string) {
    this.root = root;
    this.srcDir = join(root, "src");
    this.runnerDir = join(root, "runner");
    const runnerDir = this.runnerDir;
    this.env = {
      PATH: `${join(root, "bin")}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      HOME: root,
      LANG: "C.UTF-8",
      CODEBUILD_BUILD_ID: BUILD_ID,
      RUNWAY_JIT_CONFIG: this.jitConfig,
      RUNWAY_RUNNER_NAME: RUNNER_NAME,
      RUNWAY_ENVIRONMENT: ENVIRONMENT,
      RUNWAY_ARTIFACTS_BUCKET: BUCKET,
      RUNWAY_JOB_ID: "4242",
      RUNWAY_RUN_ATTEMPT: "1",
      RUNWAY_RUNNER_DIR: runnerDir,
      RUNWAY_STATE_DIR: join(root, "state"),
      RUNWAY_MARKER_WAIT_SECONDS: "0",
      RUNWAY_MARKER_POLL_SECONDS: "1",
      RUNWAY_STOP_GRACE_SECONDS: "2",
      RUNWAY_RUNNER_POLL_SECONDS: "0.1",
      STUB_S3_ROOT: join(root, "s3"),
      STUB_AWS_LOG: join(root, "record", "aws-calls.jsonl"),
      STUB_CURL_LOG: join(root, "record", "curl-urls.txt"),
      STUB_RECORD_DIR: join(root, "record"),
    };
  }

  /** A sandbox whose runner directory already holds the stub runner, unless `preinstalled` is false. */
  static async create(options: { preinstalled?: boolean } = {}): Promise<Sandbox> {
    const root = await mkdtemp(join(tmpdir(), "runway-buildspec-"));
    const sandbox = new Sandbox(root);
    await Promise.all(["bin", "src", "s3/" + BUCKET, "record", "runner"].map((dir) => mkdir(join(root, dir), { recursive: true })));
    await symlink(join(REPO_ROOT, "buildspecs"), join(sandbox.srcDir, "buildspecs"));
    // copyFile keeps the stubs' executable mode.
    await copyFile(join(STUBS, "aws"), join(root, "bin", "aws"));
    await copyFile(join(STUBS, "curl"), join(root, "bin", "curl"));
    await copyFile(join(STUBS, "uname"), join(root, "bin", "uname"));
    if (options.preinstalled !== false) await copyFile(join(STUBS, "run.sh"), join(sandbox.runnerDir, "run.sh"));
    return sandbox;
  }

  /** Runs runner.yml through every phase, `env` overriding the launcher's defaults above. */
  async run(env: Record<string, string> = {}): Promise<RunResult> {
    const result = await runBuild(await loadBuildspec(BUILDSPEC_PATH), this.srcDir, { ...this.env, ...env });
    const status = await this.getObject(`builds/${this.buildId}/status.json`);
    return { ...result, statusRecord: status === undefined ? undefined : (JSON.parse(status) as Record<string, unknown>) };
  }

  /** Runs one of buildspecs/runner/'s scripts alone, as its phase would: its exit code and output. */
  async runScript(script: string, env: Record<string, string> = {}): Promise<{ exitCode: number; output: string }> {
    const path = join(this.srcDir, "buildspecs", "runner", script);
    return new Promise((resolvePromise) => {
      execFile("bash", [path], { cwd: this.srcDir, env: { ...this.env, ...env } }, (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolvePromise({ exitCode, output: `${stdout}${stderr}` });
      });
    });
  }

  /** When the stub runner started and, idle, when it was told to stop (ms since the epoch). */
  async runnerTimes(): Promise<{ started: number | undefined; stopped: number | undefined }> {
    const read = async (name: string) => {
      const path = join(this.root, "record", name);
      return existsSync(path) ? Number((await readFile(path, "utf8")).trim()) : undefined;
    };
    return { started: await read("runner-started-ms"), stopped: await read("runner-stopped-ms") };
  }

  private objectPath(key: string): string {
    return join(this.root, "s3", BUCKET, key);
  }

  async putObject(key: string, body: string | Uint8Array): Promise<void> {
    await mkdir(dirname(this.objectPath(key)), { recursive: true });
    await writeFile(this.objectPath(key), body);
  }

  /** Records the job's conclusion as Runway does when the `completed` event arrives. */
  async putMarker(marker: Marker): Promise<void> {
    await this.putObject(this.markerKey, JSON.stringify({ jobId: 4242, runAttempt: 1, ...marker }));
  }

  /** The object exists but the first `reads` reads answer 404, as if it arrived late. */
  async hideForReads(key: string, reads: number): Promise<void> {
    await this.putObject(`${key}.hidden-reads`, String(reads));
  }

  /** Reads of `key` answer 403, as S3 does without the needed permission. */
  async forbid(key: string): Promise<void> {
    await this.putObject(`${key}.forbidden`, "");
  }

  async getObject(key: string): Promise<string | undefined> {
    const path = this.objectPath(key);
    return existsSync(path) ? readFile(path, "utf8") : undefined;
  }

  /** Keys under `prefix` in the bucket. */
  async listKeys(prefix: string): Promise<string[]> {
    const base = join(this.root, "s3", BUCKET);
    const start = join(base, prefix);
    if (!existsSync(start)) return [];
    const entries = await readdir(start, { recursive: true, withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => relative(base, join(entry.parentPath, entry.name)));
  }

  async awsCalls(): Promise<AwsCall[]> {
    const log = join(this.root, "record", "aws-calls.jsonl");
    if (!existsSync(log)) return [];
    return (await readFile(log, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AwsCall);
  }

  async runnerCall(): Promise<RunnerCall | undefined> {
    const path = join(this.root, "record", "runner-call.json");
    return existsSync(path) ? (JSON.parse(await readFile(path, "utf8")) as RunnerCall) : undefined;
  }

  async runnerPid(): Promise<number | undefined> {
    const path = join(this.root, "record", "runner.pid");
    return existsSync(path) ? Number((await readFile(path, "utf8")).trim()) : undefined;
  }

  async curlUrls(): Promise<string[]> {
    const path = join(this.root, "record", "curl-urls.txt");
    return existsSync(path) ? (await readFile(path, "utf8")).split("\n").filter(Boolean) : [];
  }

  /** Every file the build could have written or sent: the bucket, the records, the state. */
  async allRecordedText(): Promise<string> {
    const entries = await readdir(this.root, { recursive: true, withFileTypes: true });
    const files = entries
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .filter((path) => !path.startsWith(join(this.root, "bin")));
    const bodies = await Promise.all(files.map((path) => readFile(path, "utf8")));
    return bodies.join("\n");
  }

  /**
   * A runner release archive holding the stub run.sh, for the download path; returns its path and
   * sha256.
   */
  async makeRunnerArchive(name = "actions-runner.tar.gz"): Promise<{ path: string; sha256: string }> {
    const staging = join(this.root, "release", name);
    await mkdir(staging, { recursive: true });
    await copyFile(join(STUBS, "run.sh"), join(staging, "run.sh"));
    // Which archive this is, so a test can tell which one was installed.
    await writeFile(join(staging, "archive-name"), name);
    const path = join(this.root, name);
    execFileSync("tar", ["-czf", path, "-C", staging, "."]);
    const sha256 = createHash("sha256").update(await readFile(path)).digest("hex");
    return { path, sha256 };
  }

  async cleanup(): Promise<void> {
    const pid = await this.runnerPid();
    if (pid !== undefined && isAlive(pid)) process.kill(-pid, "SIGKILL");
    await rm(this.root, { recursive: true, force: true });
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
