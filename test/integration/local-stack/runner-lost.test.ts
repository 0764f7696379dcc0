/**
 * A runner build stopped through CodeBuild's API takes its runner with it: a runner in the middle
 * of a job goes offline and GitHub ends the job `cancelled` (runner lost); an idle one just goes
 * offline.
 */
import { CodeBuildClient, StopBuildCommand } from "@aws-sdk/client-codebuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../../lib/local/stack.ts";
import { workflowJob } from "../../support/payloads.ts";
import { isolatedConfig, writeConfig } from "./temp-config.ts";

let stack: LocalStack;
const config = writeConfig(isolatedConfig(true));

beforeAll(async () => {
  // Slow steps, so that a build can be stopped while its job runs.
  stack = await startLocalStack({ port: 0, config: config.file, stage: "local", webhookSecret: "lost-secret", print: () => {}, runnerStepMs: 300, reconcileEveryMs: 3_600_000, idleTimeoutSeconds: 600 });
});
afterAll(async () => {
  await stack?.stop();
  config.remove();
});

const job = (id: number, runId: number, jobName = "deploy") =>
  workflowJob({ id, runId, jobName, workflowName: "action-payments-dev-deploy", labels: ["self-hosted", "runway-dev", `runway-run-${runId}-1`] });
const buildFor = (jobId: number) => stack.codebuild.builds().find((b) => b.environment?.environmentVariables?.some((v) => v.name === "RUNWAY_JOB_ID" && v.value === String(jobId)));
const stop = (id: string) => new CodeBuildClient({}).send(new StopBuildCommand({ id }));

describe("a stopped runner build", () => {
  it("ends the job its runner was running as cancelled, runner lost", async () => {
    await stack.github.actions.queueJob(job(7001, 701));
    await expect.poll(() => stack.github.state.job(7001)?.status, { timeout: 10_000 }).toBe("in_progress");
    const runnerName = stack.github.state.job(7001)!.runnerName!;
    const runner = stack.github.state.runners().find((r) => r.name === runnerName)!;
    expect(runner).toMatchObject({ status: "online", busy: true });

    await stop(buildFor(7001)!.id!);
    await expect.poll(() => stack.github.state.job(7001)).toMatchObject({ status: "completed", conclusion: "cancelled", runnerName });
    expect(stack.github.state.runner(runner.id)).toMatchObject({ status: "offline", busy: false });
    await expect.poll(() => stack.github.state.deliveries.some((d) => d.jobId === 7001 && d.action === "completed" && d.request.payload.workflow_job.conclusion === "cancelled")).toBe(true);
    expect(buildFor(7001)!.buildStatus).toBe("STOPPED");
  });

  it("takes an idle runner offline, and sends nothing more about the job it never got", async () => {
    // "cancel" in the name: the job is cancelled before a runner takes it, so the runner idles.
    await stack.github.actions.queueJob(job(7002, 702, "deploy (cancel)"));
    await expect.poll(() => stack.github.state.job(7002)?.conclusion, { timeout: 10_000 }).toBe("cancelled");
    const name = buildFor(7002)!.environment!.environmentVariables!.find((v) => v.name === "RUNWAY_RUNNER_NAME")!.value;
    const runner = stack.github.state.runners().find((r) => r.name === name)!;
    expect(runner).toMatchObject({ status: "online", busy: false });
    expect(stack.github.state.job(7002)!.runnerName).toBeNull();

    await stop(buildFor(7002)!.id!);
    expect(stack.github.state.runner(runner.id)).toMatchObject({ status: "offline", busy: false });
    await stack.github.actions.settled();
    expect(stack.github.state.deliveries.filter((d) => d.jobId === 7002).map((d) => d.action)).toEqual(["queued", "completed"]);
  });
});
