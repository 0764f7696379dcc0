/**
 * A runner build stopped through CodeBuild's API takes its runner with it: a runner in the middle
 * of a job goes offline and GitHub ends the job `cancelled` (runner lost); an idle one just goes
 * offline.
 */
import { CodeBuildClient, StopBuildCommand } from "@aws-sdk/client-codebuild";
import { describe, expect, it } from "vitest";
import { workflowJob } from "../../support/payloads.ts";
import { buildForJob, buildVariable, useLocalStack } from "./harness.ts";

const local = useLocalStack({ webhookSecret: "lost-secret", runnerStepMs: 300 /* slow steps, so that a build can be stopped while its job runs */ });

const job = (id: number, runId: number, jobName = "deploy") =>
  workflowJob({ id, runId, jobName, workflowName: "action-payments-dev-deploy", labels: ["self-hosted", "runway-dev", `runway-run-${runId}-1`] });
const buildFor = (jobId: number) => buildForJob(local.stack, jobId);
const stop = (id: string) => new CodeBuildClient({}).send(new StopBuildCommand({ id }));

describe("a stopped runner build", () => {
  it("ends the job its runner was running as cancelled, runner lost", async () => {
    await local.stack.github.actions.queueJob(job(7001, 701));
    await expect.poll(() => local.stack.github.state.job(7001)?.status, { timeout: 10_000 }).toBe("in_progress");
    const runnerName = local.stack.github.state.job(7001)!.runnerName!;
    const runner = local.stack.github.state.runners().find((r) => r.name === runnerName)!;
    expect(runner).toMatchObject({ status: "online", busy: true });

    await stop(buildFor(7001)!.id!);
    await expect.poll(() => local.stack.github.state.job(7001)).toMatchObject({ status: "completed", conclusion: "cancelled", runnerName });
    expect(local.stack.github.state.runner(runner.id)).toMatchObject({ status: "offline", busy: false });
    await expect.poll(() => local.stack.github.state.deliveries.some((d) => d.jobId === 7001 && d.action === "completed" && d.request.payload.workflow_job.conclusion === "cancelled")).toBe(true);
    expect(buildFor(7001)!.buildStatus).toBe("STOPPED");
  });

  it("takes an idle runner offline, and sends nothing more about the job it never got", async () => {
    // "cancel" in the name: the job is cancelled before a runner takes it, so the runner idles.
    await local.stack.github.actions.queueJob(job(7002, 702, "deploy (cancel)"));
    await expect.poll(() => local.stack.github.state.job(7002)?.conclusion, { timeout: 10_000 }).toBe("cancelled");
    const name = buildVariable(buildFor(7002)!, "RUNWAY_RUNNER_NAME");
    const runner = local.stack.github.state.runners().find((r) => r.name === name)!;
    expect(runner).toMatchObject({ status: "online", busy: false });
    expect(local.stack.github.state.job(7002)!.runnerName).toBeNull();

    await stop(buildFor(7002)!.id!);
    expect(local.stack.github.state.runner(runner.id)).toMatchObject({ status: "offline", busy: false });
    await local.stack.github.actions.settled();
    expect(local.stack.github.state.deliveries.filter((d) => d.jobId === 7002).map((d) => d.action)).toEqual(["queued", "completed"]);
  });
});
