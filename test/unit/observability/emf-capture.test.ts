/**
 * Runway's metrics leave as EMF documents Powertools writes on flush: captured in-process for the
 * local stack and tests, held to the EMF specification, and silent when there is nothing to say.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { captureEmf, type EmfDocument } from "../../../lib/observability/emf-capture.ts";
import { logger } from "../../../lib/observability/logger.ts";
import { metrics, recordMetric, setMetricsStage } from "../../../lib/observability/metrics.ts";
import { emfProblems, flushedFigures } from "../../support/emf.ts";

beforeEach(() => metrics.clearMetrics());
afterEach(() => vi.restoreAllMocks());

describe("captureEmf()", () => {
  it("hands each flush back as one EMF document: namespace Runway, dimensions service and stage, values at the top level", () => {
    const seen: EmfDocument[] = [];
    const release = captureEmf((document) => seen.push(document));
    recordMetric("RunnerLaunched", 1);
    recordMetric("DeliveryToStartBuild", 412);
    metrics.publishStoredMetrics();
    release();

    expect(seen).toHaveLength(1);
    const [document] = seen;
    expect(emfProblems(document)).toEqual([]);
    expect(document!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: "Runway",
        Dimensions: [["service", "stage"]],
        Metrics: [
          { Name: "RunnerLaunched", Unit: "Count" },
          { Name: "DeliveryToStartBuild", Unit: "Milliseconds" },
        ],
      },
    ]);
    expect(document).toMatchObject({ service: "runway", stage: "local", RunnerLaunched: 1, DeliveryToStartBuild: 412 });
  });

  it("gives stdout back when released", () => {
    const seen: EmfDocument[] = [];
    captureEmf((document) => seen.push(document))();
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    recordMetric("RunnerLaunched", 1);
    metrics.publishStoredMetrics();
    expect(seen).toEqual([]);
    expect(stdout.mock.calls.map(([chunk]) => JSON.parse(String(chunk)))).toMatchObject([{ RunnerLaunched: 1 }]);
  });

  it("keeps the flush going when the reader throws", () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const release = captureEmf(() => {
      throw new Error("reader broke");
    });
    recordMetric("RunnerLaunched", 1);
    expect(() => metrics.publishStoredMetrics()).not.toThrow();
    release();
    expect(stderr.mock.calls.map(([chunk]) => String(chunk)).join("")).toContain("reader broke");
    expect(metrics.hasStoredMetrics()).toBe(false);
  });
});

describe("recordMetric()", () => {
  it("drops a figure that is not a number rather than publishing a lie", () => {
    recordMetric("DeliveryToStartBuild", Number.NaN);
    recordMetric("QueuedToJobTaken", Number.POSITIVE_INFINITY);
    expect(flushedFigures()).toEqual({});
  });
});

describe("Powertools' own warnings", () => {
  it("are structured log lines, without the one each invocation with nothing to count would write", () => {
    const warn = vi.spyOn(logger, "warn");
    metrics.publishStoredMetrics(); // nothing recorded
    expect(warn).not.toHaveBeenCalled();
    metrics.addDimension("", "x"); // a dimension CloudWatch would refuse
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("doesn't meet the requirements"), { from: "metrics" });
  });
});

describe("setMetricsStage()", () => {
  it("moves later figures to the stage given, keeping the service dimension, without a warning", () => {
    const warn = vi.spyOn(logger, "warn");
    setMetricsStage("stg");
    recordMetric("RunnerLaunched", 1);
    const seen: EmfDocument[] = [];
    const release = captureEmf((document) => seen.push(document));
    metrics.publishStoredMetrics();
    release();
    setMetricsStage("local");
    expect(seen[0]).toMatchObject({ service: "runway", stage: "stg", _aws: { CloudWatchMetrics: [{ Dimensions: [["service", "stage"]] }] } });
    expect(warn).not.toHaveBeenCalled();
  });
});
