/**
 * Stands in, locally, for what happens inside a runner build: the build resolves its JIT config
 * parameter (as CodeBuild does), the runner host connects to GitHub (the local fake) and runs
 * WHATEVER job GitHub hands it — not necessarily the one it was launched for (RUNWAY_JOB_ID):
 * GitHub gives a queued job to any idle runner whose labels cover it. The fake sends the
 * `in_progress` and `completed` deliveries. Then the build concludes as buildspecs/runner.yml
 * does: it reads the conclusion marker from S3 and fails when the job failed.
 *
 * A runner never handed a job idles until the build is stopped (the reconciler stops idle
 * builds) or times out. A build stopped while its runner runs a job takes the runner with it:
 * GitHub ends that job `cancelled`.
 *
 * Which way a job goes is chosen by its name, so a person can try each path with `runway deliver`:
 * a job or workflow whose name contains "fail" fails at its "Deploy" step; one containing
 * "cancel" is cancelled before any runner takes it (`namedScenario`, wired into the fake); one
 * containing "long" runs 25 times longer, as a slow deploy does.
 */
import { setTimeout as wait } from "node:timers/promises";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { Build } from "@aws-sdk/client-codebuild";
import { s3Client } from "../aws/s3.ts";
import { markerKey, type ConclusionMarker } from "../artifacts/marker.ts";
import type { CodeBuildEmulation } from "./aws-emulator/services/codebuild.ts";
import type { SsmEmulation } from "./aws-emulator/services/ssm.ts";
import type { FakeJob, GitHubFake } from "./github-fake/index.ts";
import type { Print } from "./printer.ts";
import { color } from "./printer.ts";

export interface SimulatedRunnerOptions {
  codebuild: CodeBuildEmulation;
  ssm: SsmEmulation;
  /** GitHub: where runners connect, jobs are handed out and job logs are kept. */
  github: GitHubFake;
  bucket: string;
  print: Print;
  /** Pause between steps, so a person can follow along (tests use a few ms). */
  stepMs?: number;
  /** How long a build waits for its conclusion marker (the buildspec's RUNWAY_MARKER_WAIT_SECONDS); default 20 half-steps, at least 5 s. */
  markerWaitMs?: number;
}

/** How a job goes, chosen by its name or its workflow's. */
export function namedScenario(job: Pick<FakeJob, "name" | "workflowName">): { fails: boolean; cancelled: boolean; long: boolean } {
  const names = `${job.name} ${job.workflowName ?? ""}`.toLowerCase();
  return { fails: names.includes("fail"), cancelled: names.includes("cancel"), long: names.includes("long") };
}

interface Host {
  abort: AbortController;
  runnerId?: number;
}

const variable = (build: Build, name: string) => build.environment?.environmentVariables?.find((v) => v.name === name)?.value;
/** Resolves after `ms`, or at once when the signal aborts (then `false`). */
const sleep = (ms: number, signal: AbortSignal) => wait(ms, true, { signal }).catch(() => false);

/**
 * Start simulating every runner build the CodeBuild emulator starts; returns a function that
 * stops and waits for the simulations under way.
 */
export function simulateRunners(options: SimulatedRunnerOptions): () => Promise<void> {
  const pending = new Set<Promise<void>>();
  const hosts = new Map<string, Host>();
  // A runner host exists once CodeBuild gives the build one: a build queued at the account's quota waits.
  const unsubscribeStarted = options.codebuild.onBuildRunning((build) => {
    const host: Host = { abort: new AbortController() };
    hosts.set(build.id!, host);
    const run = runBuild(options, build, host)
      .catch((error: unknown) => options.print(color.red(`simulated runner for ${build.id}: ${(error as Error).message}`)))
      .finally(() => hosts.delete(build.id!));
    pending.add(run);
    void run.finally(() => pending.delete(run));
  });
  // However the build ends (stopped by Runway, timed out, or concluded), its runner host is gone.
  const unsubscribeFinished = options.codebuild.onBuildFinished((build) => {
    const host = hosts.get(build.id!);
    if (!host) return;
    host.abort.abort();
    if (host.runnerId !== undefined) void options.github.actions.disconnectRunner(host.runnerId);
  });
  return async () => {
    unsubscribeStarted();
    for (const host of hosts.values()) host.abort.abort();
    await Promise.allSettled([...pending]);
    unsubscribeFinished();
    await options.github.actions.settled();
  };
}

async function runBuild(o: SimulatedRunnerOptions, build: Build, host: Host): Promise<void> {
  const step = o.stepMs ?? 400;
  const id = build.id!;
  const signal = host.abort.signal;
  const launchedFor = Number(variable(build, "RUNWAY_JOB_ID"));
  const jitParameter = variable(build, "RUNWAY_JIT_CONFIG");
  if (!(await sleep(step, signal))) return;
  const jitConfig = jitParameter ? o.ssm.parameters().get(jitParameter)?.value : undefined;
  if (!jitConfig) {
    // CodeBuild fails a build whose PARAMETER_STORE variable it cannot resolve.
    o.codebuild.complete(id, "FAILED", { failedPhase: "PROVISIONING", context: { statusCode: "ParameterNotFound", message: `Parameter ${jitParameter} not found` } });
    return;
  }
  o.codebuild.advance(id, "BUILD");
  let runner;
  try {
    runner = o.github.actions.connectRunner(jitConfig);
  } catch (error) {
    o.codebuild.complete(id, "FAILED", { failedPhase: "BUILD", context: { statusCode: "COMMAND_EXECUTION_ERROR", message: `the runner could not connect: ${(error as Error).message}` } });
    return;
  }
  host.runnerId = runner.id;
  // CodeBuild ends a build at its timeout: the bound on a runner that is never handed a job.
  const timeout = setTimeout(() => void (o.codebuild.build(id)?.buildStatus === "IN_PROGRESS" && o.codebuild.complete(id, "TIMED_OUT")), (build.timeoutInMinutes ?? 60) * 60_000);
  timeout.unref();
  try {
    const job = await o.github.actions.nextJob(runner.id, signal);
    if (!job) {
      if (signal.aborted) return; // the build was stopped (or the stack is stopping)
      o.codebuild.complete(id, "FAILED", { failedPhase: "BUILD", context: { statusCode: "COMMAND_EXECUTION_ERROR", message: `runner ${runner.name} exited without a job: its registration was removed` } });
      return;
    }
    const foreign = job.id !== launchedFor ? color.yellow(` (launched for job ${launchedFor}: GitHub handed it another job)`) : "";
    o.print(`${color.dim(time())} ${color.cyan("runner ")}  ${runner.name} (build ${id}) took job ${job.id} of run ${job.runId}${foreign}`);
    const { fails, long } = namedScenario(job);
    if (!(await sleep(step * (long ? 50 : 2), signal))) return; // stopped mid-job: GitHub ends the job (disconnectRunner)
    o.github.state.seedJobLogs({ owner: job.owner, repo: job.repo, jobId: job.id }, jobLog(fails));
    if (!(await o.github.actions.completeJob(job.id, { conclusion: fails ? "failure" : "success" }))) return;
    await conclude(o, id, runner.name, job.id, step);
  } finally {
    clearTimeout(timeout);
  }
}

/** As the buildspec's post_build does: the marker decides; on failure, a status record and the runner's _diag logs. */
async function conclude(o: SimulatedRunnerOptions, id: string, runnerName: string, jobId: number, step: number): Promise<void> {
  const marker = await readMarker(o, runnerName, step);
  if (o.codebuild.build(id)?.buildStatus !== "IN_PROGRESS") return; // stopped meanwhile
  if (marker?.conclusion === "success") return void o.codebuild.complete(id, "SUCCEEDED");
  await putObject(o.bucket, `builds/${id}/status.json`, JSON.stringify({ outcome: "FAILED", reason: "job_failed", job: jobId, runner: runnerName }));
  await putObject(o.bucket, `builds/${id}/runner-diag/Runner_local.log`, `[${new Date().toISOString()}] Job ${jobId} completed with result: Failed\n`);
  const why = marker ? `job ${marker.conclusion}${marker.failedSteps.length ? ` at step ${marker.failedSteps.join(", ")}` : ""}` : "no conclusion marker: the job's outcome is unknown";
  if (o.codebuild.build(id)?.buildStatus !== "IN_PROGRESS") return;
  o.codebuild.complete(id, "FAILED", { failedPhase: "POST_BUILD", context: { statusCode: "COMMAND_EXECUTION_ERROR", message: why } });
}

function jobLog(fails: boolean): string {
  const at = () => new Date().toISOString();
  const lines = [`${at()} ##[group]Run actions/checkout@v4`, `${at()} Syncing repository: acme/payments`, `${at()} ##[endgroup]`, `${at()} ##[group]Run ./deploy.sh`];
  for (let i = 1; i <= 30; i++) lines.push(`${at()} deploy: step ${i} of 30 ok`);
  if (fails) lines.push(`${at()} deploy: could not reach the database: connection refused`, `${at()} ##[error]Process completed with exit code 1.`);
  lines.push(`${at()} ##[endgroup]`, `${at()} Post job cleanup.`);
  return lines.join("\n");
}

async function putObject(bucket: string, key: string, body: string): Promise<void> {
  await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function readMarker(o: SimulatedRunnerOptions, runnerName: string, step: number): Promise<ConclusionMarker | undefined> {
  // As the buildspec does: the marker may land a while after the job ends (a redelivered
  // `completed`); wait for it, polling.
  const poll = Math.max(step / 2, 25);
  // At least a few seconds by default: a busy machine (a test suite on two cores) delays the
  // completed event, and a build that gave up early would fail a job that succeeded.
  const until = Date.now() + (o.markerWaitMs ?? Math.max(20 * poll, 5_000));
  do {
    try {
      const { Body } = await s3Client().send(new GetObjectCommand({ Bucket: o.bucket, Key: markerKey(runnerName) }));
      return JSON.parse(await Body!.transformToString()) as ConclusionMarker;
    } catch {
      await wait(poll);
    }
  } while (Date.now() < until);
  return undefined;
}

const time = () => new Date().toISOString().slice(11, 23);
