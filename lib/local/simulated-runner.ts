/**
 * Stands in, locally, for what happens inside a runner build and on GitHub's side once it runs:
 * the build resolves its JIT config parameter (as CodeBuild does), the runner "takes" its job, and
 * GitHub sends the signed `in_progress` and `completed` deliveries to the webhook. Then the build
 * concludes as buildspecs/runner.yml does: it reads the conclusion marker from S3 and fails when
 * the job failed.
 *
 * Which way a job goes is chosen by its name, so a person can try each path with `runway deliver`:
 * a job or workflow whose name contains "fail" fails at its "Deploy" step; one containing
 * "cancel" is cancelled before any runner takes it (the reconciler later stops the idle build).
 */
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { Build } from "@aws-sdk/client-codebuild";
import { s3Client } from "../aws/clients.ts";
import { markerKey, type ConclusionMarker } from "../artifacts/marker.ts";
import { deliveryHeaders } from "../github/sample-delivery.ts";
import type { CodeBuildEmulation } from "./aws-emulator/services/codebuild.ts";
import type { SsmEmulation } from "./aws-emulator/services/ssm.ts";
import type { Print } from "./printer.ts";
import { color } from "./printer.ts";

export interface SimulatedRunnerOptions {
  codebuild: CodeBuildEmulation;
  /** GitHub keeps each job's log; the simulated job writes one there. */
  seedJobLog?: (job: { owner: string; repo: string; jobId: number }, text: string) => void;
  ssm: SsmEmulation;
  bucket: string;
  webhookUrl: string;
  webhookSecret: string;
  /** The `queued` delivery body GitHub sent for a job, by job id (the local stack records them). */
  queuedPayload: (jobId: number) => Record<string, any> | undefined;
  print: Print;
  /** Pause between steps, so a person can follow along (tests use a few ms). */
  stepMs?: number;
}

const variable = (build: Build, name: string) => build.environment?.environmentVariables?.find((v) => v.name === name)?.value;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Start simulating every runner build the CodeBuild emulator starts; returns a function that
 * stops and waits for the simulations under way.
 */
export function simulateRunners(options: SimulatedRunnerOptions): () => Promise<void> {
  const pending = new Set<Promise<void>>();
  const unsubscribe = options.codebuild.onBuildStarted((build) => {
    const run = runBuild(options, build).catch((error: unknown) => options.print(color.red(`simulated runner for ${build.id}: ${(error as Error).message}`)));
    pending.add(run);
    void run.finally(() => pending.delete(run));
  });
  return async () => {
    unsubscribe();
    await Promise.allSettled([...pending]);
  };
}

async function runBuild(o: SimulatedRunnerOptions, build: Build): Promise<void> {
  const step = o.stepMs ?? 400;
  const id = build.id!;
  const runnerName = variable(build, "RUNWAY_RUNNER_NAME");
  const jobId = Number(variable(build, "RUNWAY_JOB_ID"));
  const jitParameter = variable(build, "RUNWAY_JIT_CONFIG");
  await sleep(step);
  if (!jitParameter || !o.ssm.parameters().has(jitParameter)) {
    // CodeBuild fails a build whose PARAMETER_STORE variable it cannot resolve.
    o.codebuild.complete(id, "FAILED", { failedPhase: "PROVISIONING", context: { statusCode: "ParameterNotFound", message: `Parameter ${jitParameter} not found` } });
    return;
  }
  o.codebuild.advance(id, "BUILD");
  const queued = o.queuedPayload(jobId);
  if (!queued || !runnerName) return; // a build Runway did not start for a delivery seen here
  const names = `${queued.workflow_job?.name ?? ""} ${queued.workflow_job?.workflow_name ?? ""}`.toLowerCase();
  if (names.includes("cancel")) {
    await send(o, queued, { action: "completed", status: "completed", conclusion: "cancelled", runner_name: null });
    o.print(`${color.dim(time())} ${color.cyan("runner ")}  ${runnerName}: job ${jobId} was cancelled before a runner took it; the build idles until the reconciler stops it`);
    return;
  }
  await sleep(step);
  o.print(`${color.dim(time())} ${color.cyan("runner ")}  ${runnerName} (build ${id}) took job ${jobId}`);
  await send(o, queued, { action: "in_progress", status: "in_progress", runner_name: runnerName, steps: steps("in_progress", false) });
  await sleep(step * 2);
  const fails = names.includes("fail");
  const [owner = "", repo = ""] = String(queued.repository?.full_name ?? "/").split("/");
  o.seedJobLog?.({ owner, repo, jobId }, jobLog(fails));
  await send(o, queued, { action: "completed", status: "completed", conclusion: fails ? "failure" : "success", runner_name: runnerName, steps: steps("completed", fails) });

  const marker = await readMarker(o, runnerName, step);
  if (o.codebuild.build(id)?.buildStatus !== "IN_PROGRESS") return; // stopped meanwhile
  if (marker?.conclusion === "success") o.codebuild.complete(id, "SUCCEEDED");
  else {
    // As the buildspec's post_build does on failure: a status record and the runner's _diag logs.
    await putObject(o.bucket, `builds/${id}/status.json`, JSON.stringify({ outcome: "FAILED", reason: "job_failed", job: jobId, runner: runnerName }));
    await putObject(o.bucket, `builds/${id}/runner-diag/Runner_local.log`, `[${new Date().toISOString()}] Job ${jobId} completed with result: Failed\n`);
    const why = marker ? `job ${marker.conclusion}${marker.failedSteps.length ? ` at step ${marker.failedSteps.join(", ")}` : ""}` : "no conclusion marker: the job's outcome is unknown";
    o.codebuild.complete(id, "FAILED", { failedPhase: "POST_BUILD", context: { statusCode: "COMMAND_EXECUTION_ERROR", message: why } });
  }
}

function steps(status: "in_progress" | "completed", fails: boolean) {
  const names = ["Set up job", "Checkout", "Deploy", "Complete job"];
  return names.map((name, i) => ({
    name,
    number: i + 1,
    status: status === "completed" || i < 2 ? "completed" : "in_progress",
    conclusion: status === "in_progress" ? (i < 2 ? "success" : null) : fails && name === "Deploy" ? "failure" : fails && i === 3 ? "skipped" : "success",
  }));
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

async function send(o: SimulatedRunnerOptions, queued: Record<string, any>, job: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify({ ...queued, action: job.action, workflow_job: { ...queued.workflow_job, ...job, action: undefined } });
  const response = await fetch(o.webhookUrl, { method: "POST", headers: deliveryHeaders(o.webhookSecret, body, "workflow_job", crypto.randomUUID()), body });
  await response.arrayBuffer();
}

async function readMarker(o: SimulatedRunnerOptions, runnerName: string, step: number): Promise<ConclusionMarker | undefined> {
  // As the buildspec does: the marker may land a moment after the job ends; wait a little for it.
  for (let i = 0; i < 20; i++) {
    try {
      const { Body } = await s3Client().send(new GetObjectCommand({ Bucket: o.bucket, Key: markerKey(runnerName) }));
      return JSON.parse(await Body!.transformToString()) as ConclusionMarker;
    } catch {
      await sleep(Math.max(step / 2, 25));
    }
  }
  return undefined;
}

const time = () => new Date().toISOString().slice(11, 23);
