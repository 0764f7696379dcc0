/**
 * With a legacy configuration (no run label required), GitHub may hand a runner launched for one
 * run another run's job, or a job Runway ignored. The local GitHub stages both deterministically,
 * and Runway, through its real webhook, launcher and Slack notifier, catches each theft: the
 * runner's build is stopped, the runner removed, the environment's channel alerted, and the job
 * the runner was meant for launched again while GitHub still has it queued.
 */
import { describe, expect, it } from "vitest";
import { workflowJob } from "../../support/payloads.ts";
import { buildForJob, buildVariable, useLocalStack } from "./harness.ts";

const local = useLocalStack({ webhookSecret: "theft-secret", requireRunLabel: false });

const DEV = ["self-hosted", "runway-dev"];
const devJob = (id: number, runId: number, workflowName = "action-payments-dev-deploy") => workflowJob({ id, runId, workflowName, labels: DEV });
/** The runner Runway launched for a job: its build's RUNWAY_RUNNER_NAME, then the fake's record. */
const runnerLaunchedFor = (jobId: number) => {
  const build = buildForJob(local.stack, jobId);
  const name = build && buildVariable(build, "RUNWAY_RUNNER_NAME");
  return local.stack.github.state.runners().find((r) => r.name === name && r.status === "online");
};

const buildOfRunner = (name: string | null | undefined) =>
  local.stack.codebuild.builds().find((b) => b.environment?.environmentVariables?.some((v) => v.name === "RUNWAY_RUNNER_NAME" && v.value === name));
const buildsForJob = (jobId: number) =>
  local.stack.codebuild.builds().filter((b) => b.environment?.environmentVariables?.some((v) => v.name === "RUNWAY_JOB_ID" && v.value === String(jobId)));
/** The alerts shown in the dev channel (broadcast thread replies). */
const alerts = () => local.stack.slack.channel("#deploys-dev").filter((m) => m.broadcast && m.text.includes("was handed job"));

describe("a theft with a legacy configuration", () => {
  it("hands run 601's job to the runner launched for run 602, when assignments are released to it first", async () => {
    local.stack.github.actions.holdAssignments();
    await local.stack.github.actions.queueJob(devJob(6011, 601));
    await local.stack.github.actions.queueJob(devJob(6021, 602));
    // Both runners connect and wait; nothing is handed out while assignments are held.
    await expect.poll(() => [runnerLaunchedFor(6011), runnerLaunchedFor(6021)].every(Boolean), { timeout: 10_000 }).toBe(true);
    const thief = runnerLaunchedFor(6021)!;
    const victim = runnerLaunchedFor(6011)!;
    local.stack.github.actions.releaseAssignments([thief.id]);

    expect(local.stack.github.state.job(6011)).toMatchObject({ status: "in_progress", runnerName: thief.name });
    expect(local.stack.github.state.job(6021)).toMatchObject({ status: "in_progress", runnerName: victim.name });
    await expect.poll(() => local.stack.github.state.deliveries.some((d) => d.jobId === 6011 && d.action === "in_progress" && d.request.payload.workflow_job.runner_name === thief.name)).toBe(true);

    // Caught: both runners ran another run's job, so both builds are stopped and both runners gone.
    await expect.poll(() => [buildOfRunner(thief.name)?.buildStatus, buildOfRunner(victim.name)?.buildStatus], { timeout: 10_000 }).toEqual(["STOPPED", "STOPPED"]);
    await expect.poll(() => local.stack.github.state.runners().filter((r) => r.id === thief.id || r.id === victim.id), { timeout: 10_000 }).toEqual([]);
    // The stolen jobs lost their runners; GitHub ended them, so nothing is relaunched for them.
    await expect.poll(() => [local.stack.github.state.job(6011)?.status, local.stack.github.state.job(6021)?.status], { timeout: 10_000 }).toEqual(["completed", "completed"]);
    await expect.poll(() => alerts().filter((m) => m.text.includes(thief.name) || m.text.includes(victim.name)).length, { timeout: 10_000 }).toBe(2);
    const alert = alerts().find((m) => m.text.includes(thief.name))!;
    expect(alert.text).toContain("run 601");
    expect(buildsForJob(6011)).toHaveLength(1);
    expect(buildsForJob(6021)).toHaveLength(1);
  });

  it("hands a job Runway ignored, queued first, to the runner launched for the next job", async () => {
    // A CI job with the same labels: no environment's workflow filter matches it, so Runway
    // launches nothing for it, yet GitHub hands it to any runner whose labels cover it.
    await local.stack.github.actions.queueJob(devJob(6031, 603, "ci-tests"));
    await local.stack.github.actions.queueJob(devJob(6041, 604));
    await expect.poll(() => local.stack.github.state.job(6031)?.status, { timeout: 10_000 }).not.toBe("queued");
    const ran = local.stack.github.state.job(6031)!.runnerName;
    const build = buildOfRunner(ran);
    expect((build && buildVariable(build, "RUNWAY_JOB_ID"))).toBe("6041");

    // Caught: the build is stopped, Slack says which job ran where, and job 6041 (still queued on
    // GitHub) gets a second build, whose runner takes it and runs it to the end.
    await expect.poll(() => buildOfRunner(ran)?.buildStatus, { timeout: 10_000 }).toBe("STOPPED");
    await expect.poll(() => alerts().some((m) => m.text.includes(ran!) && m.text.includes("not routed by Runway")), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => buildsForJob(6041).length, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => local.stack.github.state.job(6041), { timeout: 15_000 }).toMatchObject({ status: "completed", conclusion: "success" });
    const second = buildsForJob(6041).find((b) => b.id !== build!.id)!;
    const secondRunner = buildVariable(second, "RUNWAY_RUNNER_NAME");
    expect(local.stack.github.state.job(6041)!.runnerName).toBe(secondRunner);
    await expect.poll(() => local.stack.codebuild.build(second.id!)?.buildStatus, { timeout: 10_000 }).toBe("SUCCEEDED");
  });
});
