/**
 * Issue 12's "a launch in the local stack writes its metrics as EMF": one queued job delivered by
 * the local GitHub, launched, taken by its runner and told to Slack (whose first post fails), with
 * the functions' real middy stacks flushing through `logMetrics`. Every document is held to the
 * EMF specification; the figures are the ones CloudWatch would extract.
 */
import { describe, expect, it } from "vitest";
import type { EmfDocument } from "../../../lib/observability/emf-capture.ts";
import { emfProblems, figures } from "../../support/emf.ts";
import { workflowJob } from "../../support/payloads.ts";
import { useLocalStack } from "./harness.ts";
import { isolatedConfig } from "./temp-config.ts";

const documents: EmfDocument[] = [];
// A stage of its own: the stage dimension must follow the stage served, not the default.
const local = useLocalStack({ webhookSecret: "metrics-secret", stage: "metrics", yaml: isolatedConfig(true).replace("local: all", "metrics: all"), onEmf: (d) => documents.push(d) });

const withFigure = (name: string) => documents.filter((d) => typeof d[name] === "number" || Array.isArray(d[name]));

describe("the local stack's metrics", () => {
  it("writes a launch's figures as EMF: RunnerLaunched, DeliveryToStartBuild in ms, the job's wait, a failed Slack post", async () => {
    // The Slack client tries each call three times: the first post fails for good, and is retried from the queue.
    local.stack.slack.failures.down(3);
    await local.stack.github.actions.queueJob(workflowJob({ id: 9401, runId: 940, workflowName: "action-payments-dev-deploy", labels: ["self-hosted", "runway-dev", "runway-run-940-1"] }));
    await expect.poll(() => local.stack.github.state.job(9401)?.status, { timeout: 15_000 }).toBe("completed");
    await expect.poll(() => withFigure("QueuedToJobTaken").length, { timeout: 5_000 }).toBeGreaterThan(0);
    await expect.poll(() => withFigure("SlackDeliveryFailed").length, { timeout: 5_000 }).toBeGreaterThan(0);

    expect(documents.flatMap((d) => emfProblems(d))).toEqual([]);
    const [launch] = withFigure("RunnerLaunched");
    expect(launch!._aws).toMatchObject({ Timestamp: expect.any(Number), CloudWatchMetrics: [{ Namespace: "Runway", Dimensions: [["service", "stage"]] }] });
    expect(launch!._aws.CloudWatchMetrics[0]!.Metrics).toEqual(
      expect.arrayContaining([
        { Name: "RunnerLaunched", Unit: "Count" },
        { Name: "DeliveryToStartBuild", Unit: "Milliseconds" },
      ]),
    );
    expect(launch).toMatchObject({ service: "runway", stage: "metrics", RunnerLaunched: 1, DeliveryToStartBuild: expect.any(Number) });
    expect(Math.abs(launch!._aws.Timestamp - Date.now())).toBeLessThan(60_000);

    const all = figures(documents);
    expect(all.RunnerLaunched).toEqual({ unit: "Count", values: [1] });
    expect(all.DeliveryToStartBuild!.values[0]).toBeGreaterThan(0);
    expect(all.DeliveryToStartBuild!.values[0]).toBeLessThan(10_000);
    expect(all.QueuedToJobTaken).toMatchObject({ unit: "Milliseconds", values: [expect.any(Number)] });
    expect(all.SlackDeliveryFailed!.values.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);

    // The terminal shows one short line per flush, not the raw JSON.
    expect(local.printed.some((line) => /metric\s+.*RunnerLaunched 1 · DeliveryToStartBuild \d+ ms/.test(line))).toBe(true);
    expect(local.printed.some((line) => line.includes('"_aws"'))).toBe(false);
  });

  it("has the reconciler and the redeliverer flush every figure of each run, zeros included", async () => {
    const before = documents.length;
    await local.stack.reconcile();
    await local.stack.redeliver();
    const run = figures(documents.slice(before));
    expect(run.ReconcilerFailed).toEqual({ unit: "Count", values: [0] });
    expect(run.ReconcilerBuildStopped).toEqual({ unit: "Count", values: [0] });
    expect(run.ReconcilerRelaunched).toEqual({ unit: "Count", values: [0] });
    expect(run.ReconcilerJitConfigDeleted).toEqual({ unit: "Count", values: [1] }); // the finished launch's, its job being over
    expect(run.RedeliveryRequested).toEqual({ unit: "Count", values: [0] });
    expect(documents.slice(before).flatMap((d) => emfProblems(d))).toEqual([]);
  });
});
