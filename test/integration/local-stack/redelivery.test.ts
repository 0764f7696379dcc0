/**
 * Issue 10, "nothing lost": the job queue goes down (the webhook answers 503), and a burst of jobs
 * is queued through the local GitHub meanwhile, one of them by hand with `runway deliver`. GitHub
 * never sends a failed delivery again by itself: the redeliverer does. A run during the outage
 * redelivers into the outage (and fails again); the first run after it redelivers the newest
 * failed attempt of each, and every job gets exactly one build. A run after that asks for nothing.
 */
import { describe, expect, it } from "vitest";
import { deliverCommand } from "../../../lib/cli/commands/deliver.ts";
import type { RedeliveryReport } from "../../../lib/runners/redeliver.ts";
import { workflowJob } from "../../support/payloads.ts";
import { buildVariable, useLocalStack } from "./harness.ts";

const local = useLocalStack({ webhookSecret: "redelivery-secret" });

const env = buildVariable;
const job = (id: number, runId: number) =>
  workflowJob({ id, runId, jobName: `deploy-${id}`, workflowName: "action-payments-dev-deploy", labels: ["self-hosted", "runway-dev", `runway-run-${runId}-1`] }) as Record<string, any>;
const completed = (ids: number[]) => ids.every((id) => local.stack.github.state.job(id)?.status === "completed");

/** `runway deliver` as a person runs it against the local stack (PORT), its output captured. */
async function deliverByHand(argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const sink = { write: (chunk: string) => (stdout += chunk) };
  const code = await deliverCommand.run({ argv, stdout: sink, stderr: sink, stdin: (async function* () {})(), cwd: process.cwd(), env: { PORT: new URL(local.stack.url).port } });
  return { code, stdout };
}

describe("a webhook outage during a burst of jobs", () => {
  it("loses no job: the redeliverer redelivers the failed queued deliveries, and each job gets one build", async () => {
    // Before the outage: a run that goes through.
    const before = [9011, 9012];
    for (const id of before) await local.stack.github.actions.queueJob(job(id, 901));
    await expect.poll(() => completed(before), { timeout: 15_000 }).toBe(true);
    await local.stack.github.actions.settled();
    await expect.poll(() => local.stack.codebuild.builds().every((b) => b.buildStatus === "SUCCEEDED"), { timeout: 15_000 }).toBe(true);

    // The queue is down: every queued delivery of the burst is answered 503.
    const fault = local.stack.aws.faults.add({ service: "sqs", operation: "SendMessage", error: { code: "ServiceUnavailable", statusCode: 503 } });
    const outageStarted = Date.now();
    const burst = [9021, 9022, 9023, 9024, 9031, 9032, 9033, 9034];
    await Promise.all(burst.map((id) => local.stack.github.actions.queueJob(job(id, id < 9030 ? 902 : 903))));
    const byHand = await deliverByHand(["--job-id", "9041", "--run-id", "904"]);
    expect(byHand.code).toBe(1);
    expect(byHand.stdout).toMatch(/^503 Service Unavailable\n/);
    expect(JSON.parse(byHand.stdout.slice(byHand.stdout.indexOf("{")))).toMatchObject({ error: "QueueUnavailableError" });
    const lost = [...burst, 9041];
    const failedQueued = local.stack.github.state.deliveries.filter((d) => d.action === "queued" && d.status_code === 503);
    expect(failedQueued.map((d) => d.jobId).sort()).toEqual(lost);

    // A run while the outage lasts asks again; those attempts fail too.
    const during = await local.stack.redeliver();
    expect(during.redelivered).toHaveLength(lost.length);
    await local.stack.github.actions.settled();
    expect(local.stack.github.state.deliveries.filter((d) => d.redelivery).map((d) => d.status_code)).toEqual(lost.map(() => 503));

    // The outage ends; more jobs arrive as usual; the next run redelivers the newest failed attempts.
    fault.remove();
    const outageEnded = Date.now();
    const after = [9051, 9052];
    for (const id of after) await local.stack.github.actions.queueJob(job(id, 905));
    const recovery = await local.stack.redeliver();
    expect(recovery.superseded).toBe(lost.length);
    expect(recovery.stopped).toBeUndefined();
    expect(recovery.redelivered).toHaveLength(lost.length);
    const all = [...before, ...lost, ...after];
    await expect.poll(() => completed(all), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => local.stack.codebuild.builds().every((b) => b.buildStatus !== "IN_PROGRESS"), { timeout: 15_000 }).toBe(true);
    const settledMs = Date.now() - outageEnded;

    // Exactly one build per job, each succeeded; each job ran once, successfully.
    const builds = local.stack.codebuild.builds();
    expect(builds.map((b) => Number(env(b, "RUNWAY_JOB_ID"))).sort()).toEqual([...all].sort());
    expect(builds.map((b) => b.buildStatus)).toEqual(builds.map(() => "SUCCEEDED"));
    for (const id of all) expect(local.stack.github.state.job(id)).toMatchObject({ conclusion: "success" });
    // Each lost event reached Runway exactly once in the end: one successful queued attempt per guid.
    const okQueued = local.stack.github.state.deliveries.filter((d) => d.action === "queued" && d.status === "OK");
    expect(okQueued.map((d) => d.jobId).sort()).toEqual([...all].sort());
    expect(local.printed.filter((l) => l.includes(`asked GitHub to redeliver ${lost.length} failed webhook deliveries`))).toHaveLength(2);

    // Nothing left to ask for: every failed attempt is made good by a later one of its event.
    const quiet: RedeliveryReport = await local.stack.redeliver();
    expect(quiet).toMatchObject({ redelivered: [], madeGood: { guid: 2 * lost.length } });

    const deliveries = local.stack.github.state.deliveries;
    console.info(
      `redelivery figures: jobs ${all.length} (${lost.length} queued during the outage), failed deliveries ${deliveries.filter((d) => d.status_code < 200 || d.status_code >= 300).length}, ` +
        `redeliveries ${deliveries.filter((d) => d.redelivery).length} (${during.redelivered.length} during, ${recovery.redelivered.length} after), builds ${builds.length}, ` +
        `outage ${outageEnded - outageStarted} ms, settled ${settledMs} ms after it ended, reads ${during.detailsRead}+${recovery.detailsRead}`,
    );
  }, 90_000);
});
