/**
 * A lost `completed` (GitHub never resends it by itself) leaves a runner build waiting for its
 * verdict. The redeliverer asks GitHub to send it again, Runway records the conclusion and writes
 * the marker, and the build ends as the job did — within the build's wait for its marker.
 */
import { describe, expect, it } from "vitest";
import { workflowJob } from "../../support/payloads.ts";
import { buildVariable, useLocalStack } from "./harness.ts";

const local = useLocalStack({ webhookSecret: "lost-completed-secret", markerWaitMs: 20_000 /* as the buildspec waits longer than a redeliverer pass */ });

const variable = buildVariable;

describe("a lost completed", () => {
  it("is redelivered in time: the build ends as its job did, and nothing else is built", async () => {
    local.stack.github.dropDelivery({ event: "workflow_job", action: "completed", jobId: 7501, times: 1 });
    await local.stack.github.actions.queueJob(workflowJob({ id: 7501, runId: 750, jobName: "deploy (fail)", workflowName: "action-payments-dev-deploy", labels: ["self-hosted", "runway-dev", "runway-run-750-1"] }));
    await expect.poll(() => local.stack.github.state.deliveries.some((d) => d.jobId === 7501 && d.action === "completed" && d.status_code === 0), { timeout: 10_000 }).toBe(true);
    const build = local.stack.codebuild.builds().find((b) => variable(b, "RUNWAY_JOB_ID") === "7501")!;
    expect(build.buildStatus).toBe("IN_PROGRESS"); // waiting for its verdict

    const report = await local.stack.redeliver();
    expect(report.redelivered).toHaveLength(1);
    await expect.poll(() => local.stack.codebuild.build(build.id!)?.buildStatus, { timeout: 20_000 }).toBe("FAILED");
    expect(local.stack.codebuild.build(build.id!)!.phases?.find((p) => p.phaseStatus === "FAILED")?.contexts?.[0]?.message).toContain("job failure at step Deploy");
    expect(local.stack.codebuild.builds().filter((b) => variable(b, "RUNWAY_JOB_ID") === "7501")).toHaveLength(1);
  }, 60_000);
});
