/**
 * The runner buildspec's verdicts, run through every phase with stub `aws` and `run.sh`: the build
 * fails when the job failed (the runner itself exits 0), when a legacy failure file exists, when no
 * job came, when the runner died, and when the job's success cannot be confirmed.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isAlive, Sandbox } from "./support/sandbox.ts";

let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = await Sandbox.create();
});

afterEach(async () => {
  await sandbox.cleanup();
});

const postBuildExit = (phases: { phase: string; exitCode: number }[]) => phases.find((p) => p.phase === "post_build")?.exitCode;

describe("when the runner ran its job", () => {
  it("succeeds when Runway recorded the job as a success", async () => {
    await sandbox.putMarker({ conclusion: "success", htmlUrl: "https://github.com/acme/app/actions/runs/1/job/4242" });

    const build = await sandbox.run();

    expect(build.status).toBe("SUCCEEDED");
    expect(build.phases.map((p) => p.exitCode)).toEqual([0, 0, 0, 0]);
    expect(build.output).toContain("SUCCEEDED (job_succeeded)");
    expect(build.statusRecord).toMatchObject({
      buildId: sandbox.buildId,
      runnerName: sandbox.runnerName,
      outcome: "SUCCEEDED",
      reason: "job_succeeded",
      exitCode: 0,
      launchedFor: { jobId: 4242, runAttempt: 1 },
      job: { conclusion: "success", failedSteps: [], jobId: 4242 },
      runner: { outcome: "job_ran", exitCode: 0 },
      legacyFailureFiles: [],
      diagLogs: null,
    });
  });

  it("fails, naming the failing step, when the job failed although the runner exited 0", async () => {
    await sandbox.putMarker({ conclusion: "failure", failedSteps: ["Deploy"], htmlUrl: "https://github.com/acme/app/actions/runs/1/job/4242" });

    const build = await sandbox.run({ STUB_JOB_RESULT: "Failed" });

    expect(build.status).toBe("FAILED");
    expect(postBuildExit(build.phases)).toBe(1);
    expect(build.output).toContain("job failed (conclusion failure) at step(s): Deploy (https://github.com/acme/app/actions/runs/1/job/4242)");
    expect(build.statusRecord).toMatchObject({
      outcome: "FAILED",
      reason: "job_failed",
      exitCode: 1,
      job: { conclusion: "failure", failedSteps: ["Deploy"] },
      runner: { outcome: "job_ran", exitCode: 0 },
    });
  });

  it("fails when the job timed out", async () => {
    await sandbox.putMarker({ conclusion: "timed_out", failedSteps: ["Wait for rollout"] });

    const build = await sandbox.run();

    expect(build.status).toBe("FAILED");
    expect(build.statusRecord).toMatchObject({ reason: "job_failed", exitCode: 1 });
    expect(build.output).toContain("Wait for rollout");
  });

  it("fails with its own reason and exit code when the job was cancelled", async () => {
    await sandbox.putMarker({ conclusion: "cancelled" });

    const build = await sandbox.run();

    expect(build.status).toBe("FAILED");
    expect(postBuildExit(build.phases)).toBe(2);
    expect(build.output).toContain("the job was cancelled on GitHub");
    expect(build.statusRecord).toMatchObject({ reason: "job_cancelled", exitCode: 2 });
  });

  it("waits for a conclusion that arrives after the runner exited", async () => {
    await sandbox.putMarker({ conclusion: "success" });
    await sandbox.hideForReads(sandbox.markerKey, 2);

    const build = await sandbox.run({ RUNWAY_MARKER_WAIT_SECONDS: "10" });

    expect(build.status).toBe("SUCCEEDED");
    expect(build.output).toContain("no conclusion recorded yet");
    const markerReads = (await sandbox.awsCalls()).filter((call) => call.args.some((arg) => arg.endsWith(sandbox.markerKey)));
    expect(markerReads).toHaveLength(3);
  });

  it("fails, saying what happened, when no conclusion arrives within the wait", async () => {
    const build = await sandbox.run({ RUNWAY_MARKER_WAIT_SECONDS: "2" });

    expect(build.status).toBe("FAILED");
    expect(postBuildExit(build.phases)).toBe(6);
    expect(build.output).toContain(`no conclusion recorded for runner ${sandbox.runnerName} after waiting 2 s`);
    expect(build.output).toContain(`s3://${sandbox.bucket}/${sandbox.markerKey} does not exist`);
    expect(build.output).toContain("workflow_job \"completed\" event");
    expect(build.statusRecord).toMatchObject({ reason: "conclusion_unknown", exitCode: 6, job: null });
  });

  it("fails as unknown, with the S3 error, when the marker cannot be read", async () => {
    await sandbox.putMarker({ conclusion: "success" });
    await sandbox.forbid(sandbox.markerKey);

    const build = await sandbox.run();

    expect(build.status).toBe("FAILED");
    expect(build.statusRecord).toMatchObject({ reason: "conclusion_unknown" });
    expect(build.output).toContain("(403)");
  });

  it("fails as unknown when the marker is not a conclusion", async () => {
    await sandbox.putObject(sandbox.markerKey, "<html>not json</html>");

    const build = await sandbox.run();

    expect(build.status).toBe("FAILED");
    expect(build.statusRecord).toMatchObject({ reason: "conclusion_unknown" });
    expect(build.output).toContain("is not a JSON object with a \"conclusion\"");
  });

  it("judges by the marker of the job this runner actually ran, even if it was launched for another", async () => {
    await sandbox.putMarker({ conclusion: "success", jobId: 4243 });

    const build = await sandbox.run();

    expect(build.status).toBe("SUCCEEDED");
    expect(build.output).toContain("ran job 4243 (it was launched for job 4242)");
    expect(build.statusRecord).toMatchObject({ launchedFor: { jobId: 4242 }, job: { jobId: 4243 } });
  });
});

describe("the marker's place: markers/<environment>/<runner-name>.json", () => {
  it("reads its own environment's marker, and no marker anywhere else", async () => {
    // Another environment's folder and the old flat layout hold a success; its own holds none.
    await sandbox.putObject(`markers/prd/${sandbox.runnerName}.json`, JSON.stringify({ conclusion: "success", jobId: 4242 }));
    await sandbox.putObject(`markers/${sandbox.runnerName}.json`, JSON.stringify({ conclusion: "success", jobId: 4242 }));

    const build = await sandbox.run();

    expect(build.status).toBe("FAILED");
    expect(build.statusRecord).toMatchObject({ reason: "conclusion_unknown", job: null });
    expect(build.output).toContain(`s3://${sandbox.bucket}/markers/dev/${sandbox.runnerName}.json does not exist`);
    const markerReads = (await sandbox.awsCalls()).flatMap((call) => call.args).filter((arg) => arg.includes("/markers/"));
    expect(markerReads).toEqual([`s3://${sandbox.bucket}/markers/dev/${sandbox.runnerName}.json`]);
  });

  it("follows RUNWAY_ENVIRONMENT", async () => {
    await sandbox.putObject(`markers/prd-eu/${sandbox.runnerName}.json`, JSON.stringify({ conclusion: "failure", failedSteps: ["Deploy"], jobId: 4242 }));

    const build = await sandbox.run({ RUNWAY_ENVIRONMENT: "prd-eu" });

    expect(build.statusRecord).toMatchObject({ reason: "job_failed", job: { failedSteps: ["Deploy"] } });
  });

  it.each([
    ["missing", "", "missing environment variable(s): RUNWAY_ENVIRONMENT"],
    ["not an environment name", "../prd", 'RUNWAY_ENVIRONMENT "../prd" is not a runway.yml environment name'],
  ])("stops at pre_build, without starting the runner, when RUNWAY_ENVIRONMENT is %s", async (_, value, message) => {
    const build = await sandbox.run({ RUNWAY_ENVIRONMENT: value });

    expect(build.status).toBe("FAILED");
    expect(build.phases.map((p) => p.phase)).toEqual(["install", "pre_build"]);
    expect(build.output).toContain(message);
    expect(await sandbox.runnerCall()).toBeUndefined();
    expect(build.statusRecord).toMatchObject({ reason: "setup_failed", exitCode: 7 });
  });
});

describe("the legacy results/failure_build_<build-id>.txt convention", () => {
  it("fails the build when the file is in $CODEBUILD_SRC_DIR/results", async () => {
    await sandbox.putMarker({ conclusion: "success" });
    const { mkdir, writeFile } = await import("node:fs/promises");
    await mkdir(`${sandbox.srcDir}/results`, { recursive: true });
    await writeFile(`${sandbox.srcDir}/results/failure_build_${sandbox.buildId}.txt`, "migration check failed\nsecond line\n");

    const build = await sandbox.run();

    expect(build.status).toBe("FAILED");
    expect(postBuildExit(build.phases)).toBe(3);
    expect(build.output).toContain(`the workflow left failure_build_${sandbox.buildId}.txt`);
    expect(build.output).toContain(": migration check failed");
    expect(build.statusRecord).toMatchObject({
      reason: "legacy_failure_file",
      exitCode: 3,
      legacyFailureFiles: [`${sandbox.srcDir}/results/failure_build_${sandbox.buildId}.txt`],
    });
  });

  it("fails the build when the job left the file in its workspace under the runner's _work", async () => {
    await sandbox.putMarker({ conclusion: "success" });

    const build = await sandbox.run({ STUB_JOB_LEGACY_FILE: "1" });

    expect(build.status).toBe("FAILED");
    expect(build.statusRecord).toMatchObject({
      reason: "legacy_failure_file",
      legacyFailureFiles: [`${sandbox.runnerDir}/_work/app/app/results/failure_build_${sandbox.buildId}.txt`],
    });
    expect(build.output).toContain("smoke test against stg failed");
  });

  it("fails the build when the file is in the bucket", async () => {
    await sandbox.putMarker({ conclusion: "success" });
    await sandbox.putObject(`results/failure_build_${sandbox.buildId}.txt`, "canary alarm fired");

    const build = await sandbox.run();

    expect(build.status).toBe("FAILED");
    expect(build.statusRecord).toMatchObject({
      reason: "legacy_failure_file",
      legacyFailureFiles: [`s3://${sandbox.bucket}/results/failure_build_${sandbox.buildId}.txt`],
    });
    expect(build.output).toContain("canary alarm fired");
  });

  it("fails the build when the bucket cannot be checked for the file", async () => {
    await sandbox.putMarker({ conclusion: "success" });
    await sandbox.forbid(`results/failure_build_${sandbox.buildId}.txt`);

    const build = await sandbox.run();

    expect(build.status).toBe("FAILED");
    expect(build.statusRecord).toMatchObject({ reason: "conclusion_unknown" });
    expect(build.output).toContain("s3:ListBucket");
  });

  it("reports the job's failure first and the legacy file beside it", async () => {
    await sandbox.putMarker({ conclusion: "failure", failedSteps: ["Smoke test"] });

    const build = await sandbox.run({ STUB_JOB_LEGACY_FILE: "1" });

    expect(build.statusRecord).toMatchObject({ reason: "job_failed" });
    expect(build.statusRecord?.legacyFailureFiles).toHaveLength(1);
    expect(build.output).toContain("the workflow also left");
  });
});

describe("when the runner got no job or died", () => {
  it("stops a runner that received no job within the idle window and fails the build, saying why", async () => {
    const build = await sandbox.run({ STUB_RUNNER_MODE: "idle", RUNWAY_IDLE_TIMEOUT_SECONDS: "1" });

    const pid = await sandbox.runnerPid();
    expect(pid).toBeDefined();
    expect(isAlive(pid ?? 0)).toBe(false);
    expect(build.status).toBe("FAILED");
    expect(build.phases.find((p) => p.phase === "build")?.exitCode).toBe(0);
    expect(postBuildExit(build.phases)).toBe(4);
    expect(build.output).toContain("runner received no job within 1 s; the job was cancelled or ran elsewhere");
    expect(build.statusRecord).toMatchObject({ outcome: "FAILED", reason: "no_job", exitCode: 4, runner: { outcome: "no_job" } });
    // Nothing ran, so there is no conclusion to wait for: one look at the marker, no polling.
    expect(build.output).not.toContain("no conclusion recorded yet");
  });

  it("gives the runner its whole idle window, wherever in the second the window opens", async () => {
    // Open the window late in a wall-clock second: bash's SECONDS ticks at the next boundary, so a
    // window measured with it would close about 0.1 s later instead of 1 s.
    await new Promise((resolve) => setTimeout(resolve, (1880 - (Date.now() % 1000)) % 1000));
    const opened = Date.now();

    const run = await sandbox.runScript("start-runner.sh", { STUB_RUNNER_MODE: "idle", RUNWAY_IDLE_TIMEOUT_SECONDS: "1" });

    expect(run.output).toContain("runner received no job within 1 s; stopping it");
    const { stopped } = await sandbox.runnerTimes();
    expect(stopped).toBeDefined();
    expect(stopped! - opened).toBeGreaterThanOrEqual(1000);
  });

  it("still honours a conclusion recorded for a runner that seemed idle", async () => {
    await sandbox.putMarker({ conclusion: "failure", failedSteps: ["Deploy"] });

    const build = await sandbox.run({ STUB_RUNNER_MODE: "idle", RUNWAY_IDLE_TIMEOUT_SECONDS: "1" });

    expect(build.statusRecord).toMatchObject({ reason: "job_failed" });
  });

  it("fails as a crash when the runner exits before any job arrives, without waiting for a conclusion", async () => {
    const build = await sandbox.run({ STUB_RUNNER_MODE: "crash", RUNWAY_MARKER_WAIT_SECONDS: "30" });

    expect(build.status).toBe("FAILED");
    expect(postBuildExit(build.phases)).toBe(5);
    expect(build.output).toContain("the runner exited (status 1) before any job arrived");
    expect(build.output).not.toContain("no conclusion recorded yet");
    expect(build.statusRecord).toMatchObject({ reason: "runner_crashed", runner: { outcome: "exited_without_job", exitCode: 1 } });
  });

  it("fails as a crash when the runner dies during its job and no conclusion arrives", async () => {
    const build = await sandbox.run({ STUB_RUNNER_MODE: "job-crash" });

    expect(build.statusRecord).toMatchObject({ reason: "runner_crashed", exitCode: 5, runner: { outcome: "job_ran", exitCode: 1 } });
    expect(build.output).toContain("the runner exited with status 1 while running its job");
  });
});

describe("the runner's _diag logs", () => {
  const diagKeys = () => sandbox.listKeys(`builds/${sandbox.buildId}/runner-diag`);

  it("are uploaded under builds/<build-id>/runner-diag/ when the build fails", async () => {
    await sandbox.putMarker({ conclusion: "failure", failedSteps: ["Deploy"] });

    const build = await sandbox.run();

    expect((await diagKeys()).sort()).toEqual([
      `builds/${sandbox.buildId}/runner-diag/Runner_20261123-100000-utc.log`,
      `builds/${sandbox.buildId}/runner-diag/Worker_20261123-100001-utc.log`,
    ]);
    expect(build.statusRecord).toMatchObject({ diagLogs: `s3://${sandbox.bucket}/builds/${sandbox.buildId}/runner-diag/` });
  });

  it("are uploaded when no job came", async () => {
    await sandbox.run({ STUB_RUNNER_MODE: "idle", RUNWAY_IDLE_TIMEOUT_SECONDS: "1" });

    expect(await diagKeys()).toEqual([`builds/${sandbox.buildId}/runner-diag/Runner_20261123-100000-utc.log`]);
  });

  it("are not uploaded when the build succeeds", async () => {
    await sandbox.putMarker({ conclusion: "success" });

    await sandbox.run();

    expect(await diagKeys()).toEqual([]);
    const uploads = (await sandbox.awsCalls()).filter((call) => call.args.includes("--recursive"));
    expect(uploads).toEqual([]);
  });
});

describe("the JIT config", () => {
  it("reaches the runner through its environment and nowhere else", async () => {
    await sandbox.putMarker({ conclusion: "failure", failedSteps: ["Deploy"] });

    const build = await sandbox.run();

    const { createHash } = await import("node:crypto");
    const runner = await sandbox.runnerCall();
    expect(runner?.jitSha256).toBe(createHash("sha256").update(sandbox.jitConfig).digest("hex"));
    expect(runner?.args).toEqual([]);
    // Job steps inherit the runner's environment: they must not find the launcher's variable there.
    expect(runner?.runwayJitInEnv).toBe(false);
    expect(runner?.allowRunAsRoot).toBe(process.getuid?.() === 0 ? "1" : "");

    const calls = await sandbox.awsCalls();
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((call) => !call.jitInEnv)).toBe(true);
    expect(JSON.stringify(calls)).not.toContain(sandbox.jitConfig);
    expect(build.output).not.toContain(sandbox.jitConfig);
    expect(await sandbox.allRecordedText()).not.toContain(sandbox.jitConfig);
  });

  it("is required, and its absence is reported without starting the runner", async () => {
    const build = await sandbox.run({ RUNWAY_JIT_CONFIG: "" });

    expect(build.status).toBe("FAILED");
    expect(build.phases.map((p) => p.phase)).toEqual(["install", "pre_build"]);
    expect(build.output).toContain("RUNWAY_JIT_CONFIG is empty");
    expect(await sandbox.runnerCall()).toBeUndefined();
    expect(build.statusRecord).toMatchObject({ reason: "setup_failed", exitCode: 7 });
  });
});
