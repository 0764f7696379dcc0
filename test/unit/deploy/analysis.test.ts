import { describe, expect, it } from "vitest";
import { analyse, pendingResult, type AnalysisSettings } from "../../../lib/deploy/analysis.ts";
import { CheckSetupError } from "../../../lib/deploy/errors.ts";
import type { Measure } from "../../../lib/deploy/types.ts";

const settings = (over: Partial<AnalysisSettings> = {}): AnalysisSettings => ({ initialDelay: 0, interval: 1, count: 5, failureLimit: 1, timeout: 1_000, ...over });

/** A measurement that answers ok/failed in the given order. */
function sequence(outcomes: boolean[]): Measure & { calls: number } {
  const measure = Object.assign(
    async () => {
      const ok = outcomes[measure.calls++] ?? true;
      return { ok, summary: ok ? "fine" : "broken", data: {} };
    },
    { calls: 0 },
  );
  return measure;
}

async function run(over: Partial<AnalysisSettings>, measure: Measure, signal = new AbortController().signal) {
  const s = settings(over);
  const result = pendingResult({ name: "probe", type: "cloudwatch", count: s.count, failureLimit: s.failureLimit, inconclusiveLimit: s.inconclusiveLimit ?? 0 });
  await analyse(s, measure, result, signal);
  return result;
}

describe("analysis loop", () => {
  it("passes after count measurements within the failure limit (a flaky check)", async () => {
    const measure = sequence([true, false, true, true, true]);
    const result = await run({ count: 5, failureLimit: 1 }, measure);
    expect(result).toMatchObject({ status: "passed", failures: 1, reason: "4/5 measurements passed" });
    expect(measure.calls).toBe(5);
  });

  it("fails as soon as failures exceed the limit, without taking the remaining measurements", async () => {
    const measure = sequence([false, true, false, true, true]);
    const result = await run({ count: 5, failureLimit: 1 }, measure);
    expect(result.status).toBe("failed");
    expect(result.reason).toBe("2 of 3 measurements failed, more than failureLimit 1");
    expect(measure.calls).toBe(3);
  });

  it("counts a measurement that throws as failed, with the error as evidence", async () => {
    const result = await run({ count: 1, failureLimit: 0 }, async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:9");
    });
    expect(result.status).toBe("failed");
    expect(result.measurements[0]).toMatchObject({ ok: false, summary: "error: connect ECONNREFUSED 127.0.0.1:9" });
  });

  it("counts a measurement that outlives its timeout as failed, even if it ignores its signal", async () => {
    const result = await run({ count: 1, failureLimit: 0, timeout: 20 }, () => new Promise(() => undefined));
    expect(result.status).toBe("failed");
    expect(result.measurements[0]?.summary).toBe("no answer within 20 ms (timeout)");
  });

  it("fails at once on a setup error, whatever the failure limit", async () => {
    const measure = Object.assign(
      async () => {
        measure.calls++;
        throw new CheckSetupError("ecs checks need an ECS blue/green deployment");
      },
      { calls: 0 },
    );
    const result = await run({ count: 5, failureLimit: 4 }, measure);
    expect(result).toMatchObject({ status: "failed", reason: "ecs checks need an ECS blue/green deployment" });
    expect(measure.calls).toBe(1);
  });

  it("stops when its signal aborts and keeps the evidence gathered so far", async () => {
    const controller = new AbortController();
    const measure: Measure = async () => {
      setTimeout(() => controller.abort(new Error("deadline")), 5);
      return { ok: true, summary: "fine", data: {} };
    };
    const result = await run({ count: 3, interval: 10_000, failureLimit: 0 }, measure, controller.signal);
    expect(result.status).toBe("stopped");
    expect(result.measurements).toHaveLength(1);
    expect(result.reason).toBe("stopped after 1 of 3 measurements: deadline");
  });

  it("counts inconclusive measurements apart from failures and passes within inconclusiveLimit", async () => {
    const measure = outcomes(["pass", "inconclusive", "pass", "fail", "pass"]);
    const result = await run({ count: 5, failureLimit: 1, inconclusiveLimit: 1 }, measure);
    expect(result).toMatchObject({ status: "passed", failures: 1, inconclusive: 1, reason: "3/5 measurements passed, 1 inconclusive" });
  });

  it("is inconclusive as soon as inconclusive measurements exceed their limit", async () => {
    const measure = outcomes(["inconclusive", "pass", "inconclusive", "pass", "pass"]);
    const result = await run({ count: 5, failureLimit: 0, inconclusiveLimit: 1 }, measure);
    expect(result).toMatchObject({ status: "inconclusive", inconclusive: 2, failures: 0, reason: "2 of 3 measurements inconclusive, more than inconclusiveLimit 1" });
    expect(measure.calls).toBe(3);
  });

  it("is inconclusive at the first inconclusive measurement when no limit is given (Argo's default 0)", async () => {
    const result = await run({ count: 3, failureLimit: 0 }, outcomes(["inconclusive"]));
    expect(result.status).toBe("inconclusive");
  });

  it("tells a listener of every measurement as it is taken", async () => {
    const seen: string[] = [];
    const s = settings({ count: 3, failureLimit: 2 });
    const result = pendingResult({ name: "probe", type: "http", count: 3, failureLimit: 2 });
    await analyse(s, sequence([true, false, true]), result, new AbortController().signal, (r, m) => seen.push(`${r.measurements.length}:${m.summary}`));
    expect(seen).toEqual(["1:fine", "2:broken", "3:fine"]);
  });
});

/** Measurements that pass, fail or are inconclusive in the given order. */
function outcomes(list: Array<"pass" | "fail" | "inconclusive">): Measure & { calls: number } {
  const measure = Object.assign(
    async () => {
      const outcome = list[measure.calls++] ?? "pass";
      return { ok: outcome === "pass", ...(outcome === "inconclusive" ? { inconclusive: true } : {}), summary: outcome, data: {} };
    },
    { calls: 0 },
  );
  return measure;
}
