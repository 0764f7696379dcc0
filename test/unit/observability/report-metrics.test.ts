/** The reconciler's and the redeliverer's figures, read off the report each run returns. */
import { beforeEach, describe, expect, it } from "vitest";
import { metrics } from "../../../lib/observability/metrics.ts";
import { recordReconcilerPass, recordRedeliveryRun } from "../../../lib/observability/report-metrics.ts";
import { emptyReconcileReport, type ReconcileReport } from "../../../lib/runners/reconcile.ts";
import type { RedeliveryReport } from "../../../lib/runners/redeliver.ts";
import { flushedFigures } from "../../support/emf.ts";

beforeEach(() => metrics.clearMetrics());

const report = (parts: Partial<ReconcileReport> = {}): ReconcileReport => ({ ...emptyReconcileReport(), ...parts });

describe("recordReconcilerPass()", () => {
  it("counts the builds stopped, both kinds of relaunch, the JIT configs deleted and the launches parked", async () => {
    const pass = report({ stoppedIdle: ["a", "b"], relaunched: ["c"], relaunchedBuilds: ["d", "e"], secretsDeleted: ["f", "g", "h"], parked: ["i"], requeued: ["j"] });
    expect(await recordReconcilerPass(Promise.resolve(pass))).toBe(pass);
    expect(flushedFigures()).toEqual({
      ReconcilerBuildStopped: { unit: "Count", values: [2] },
      ReconcilerRelaunched: { unit: "Count", values: [3] },
      ReconcilerJitConfigDeleted: { unit: "Count", values: [3] },
      ReconcilerFailed: { unit: "Count", values: [0] },
      LaunchParked: { unit: "Count", values: [1] },
    });
  });

  it("records a quiet pass as zeros, so that no data at all means the schedule stopped", async () => {
    await recordReconcilerPass(Promise.resolve(report()));
    const figures = flushedFigures();
    expect(Object.keys(figures).sort()).toEqual(["LaunchParked", "ReconcilerBuildStopped", "ReconcilerFailed", "ReconcilerJitConfigDeleted", "ReconcilerRelaunched"]);
    expect(Object.values(figures).flatMap((f) => f.values)).toEqual([0, 0, 0, 0, 0]);
  });

  it("counts a pass that left launches for the next one (GitHub or CodeBuild not answering) as failed", async () => {
    await recordReconcilerPass(Promise.resolve(report({ deferred: ["a", "b"] })));
    expect(flushedFigures().ReconcilerFailed).toEqual({ unit: "Count", values: [1] });
  });

  it("counts a pass that threw as failed, and throws its error on", async () => {
    await expect(recordReconcilerPass(Promise.reject(new Error("DynamoDB is down")))).rejects.toThrow("DynamoDB is down");
    expect(flushedFigures()).toEqual({ ReconcilerFailed: { unit: "Count", values: [1] } });
  });
});

describe("recordRedeliveryRun()", () => {
  it("counts the deliveries GitHub was asked to send again, zero included", () => {
    const run = { redelivered: [11, 12] } as RedeliveryReport;
    expect(recordRedeliveryRun(run)).toBe(run);
    recordRedeliveryRun({ redelivered: [] as number[] } as RedeliveryReport);
    expect(flushedFigures()).toEqual({ RedeliveryRequested: { unit: "Count", values: [2, 0] } });
  });
});
