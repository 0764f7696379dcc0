/**
 * functions/runner-release.ts: its middy stack flushes RunnerReleaseBehind once per invocation,
 * also when the pass could not even start (here: no artifacts bucket configured), and the
 * invocation answers with the pass's report rather than throwing (the next hour tries again).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../lib/local/lambda-context.ts";
import { captureEmf, type EmfDocument } from "../../../lib/observability/emf-capture.ts";
import { metrics } from "../../../lib/observability/metrics.ts";

const documents: EmfDocument[] = [];
let release: () => void;

beforeEach(() => {
  metrics.clearMetrics();
  documents.length = 0;
  release = captureEmf((document) => documents.push(document));
  delete process.env.RUNWAY_ARTIFACTS_BUCKET;
});
afterEach(() => release());

describe("the runner-release function", () => {
  it("reports a pass it could not make as behind, and flushes that once", async () => {
    const { handler } = await import("../../../functions/runner-release.ts");

    const report = await handler({}, lambdaContext("runner-release", 30_000));

    expect(report).toMatchObject({ outcome: "failed", error: "RunnerReleaseConfigError", reason: expect.stringContaining("RUNWAY_ARTIFACTS_BUCKET is not set") });
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({ RunnerReleaseBehind: 1, service: "runway" });
    expect(metrics.hasStoredMetrics()).toBe(false);
  });
});
