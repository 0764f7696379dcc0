/** The local stack's `metric` line: what an operator watching `npm start` reads of each flush. */
import { describe, expect, it } from "vitest";
import { describeMetrics } from "../../../lib/local/printer.ts";
import type { EmfDocument } from "../../../lib/observability/emf-capture.ts";

const emf = (figures: Record<string, { unit: string; value: number | number[] }>): EmfDocument =>
  ({
    _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: "Runway", Dimensions: [["service", "stage"]], Metrics: Object.entries(figures).map(([Name, f]) => ({ Name, Unit: f.unit })) }] },
    service: "runway",
    stage: "local",
    ...Object.fromEntries(Object.entries(figures).map(([name, f]) => [name, f.value])),
  }) as EmfDocument;

describe("describeMetrics()", () => {
  it("puts a flush's figures on one line: counts summed, latencies in ms", () => {
    const line = describeMetrics(emf({ RunnerLaunched: { unit: "Count", value: [1, 1] }, DeliveryToStartBuild: { unit: "Milliseconds", value: [152.4, 160.6] } }));
    expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} metric {3}RunnerLaunched 2 · DeliveryToStartBuild 152, 161 ms$/);
  });

  it("leaves out zero counts, and says nothing for a flush of zeros (a reconciler pass that did nothing)", () => {
    expect(describeMetrics(emf({ ReconcilerBuildStopped: { unit: "Count", value: 0 }, ReconcilerJitConfigDeleted: { unit: "Count", value: 2 } }))).toMatch(/metric {3}ReconcilerJitConfigDeleted 2$/);
    expect(describeMetrics(emf({ ReconcilerBuildStopped: { unit: "Count", value: 0 }, ReconcilerFailed: { unit: "Count", value: 0 } }))).toBeUndefined();
  });
});
