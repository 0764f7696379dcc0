import { describe, expect, it } from "vitest";
import type { NamedEcsCheck } from "../../../lib/config/ecs-hooks-schema.ts";
import { AnalysisDeadlineError } from "../../../lib/deploy/ecs-native/errors.ts";
import { freshProgress, measureDue, stageOutcome } from "../../../lib/deploy/ecs-native/progress.ts";
import { CheckSetupError } from "../../../lib/deploy/errors.ts";
import type { Measure } from "../../../lib/deploy/types.ts";
import { stageConfig } from "./ecs-native-support.ts";

const checksOf = (checks: unknown[], maxDuration?: string): NamedEcsCheck[] =>
  stageConfig(checks, maxDuration ? { maxDuration } : {}).clusters["my-cluster"]!.services["my-service"]!.stages.POST_TEST_TRAFFIC_SHIFT!.checks;

/** A clock the test moves, as ECS's callBackDelay would between invocations. */
function clock(start = Date.parse("2026-12-01T10:00:00Z")) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** A measurement answering from a script: true passes, false fails, an Error throws. */
function scripted(...answers: Array<boolean | Error>): Measure & { calls: number } {
  const measure = Object.assign(
    async () => {
      const answer = answers[measure.calls++] ?? true;
      if (answer instanceof Error) throw answer;
      return { ok: answer, summary: answer ? "ok" : "503", data: {} };
    },
    { calls: 0 },
  );
  return measure;
}

const signal = new AbortController().signal;

describe("an analysis over invocations", () => {
  it("takes one measurement per check per invocation, interval apart, and asks to be called back when the next is due", async () => {
    const t = clock();
    const checks = checksOf([{ type: "http", url: "http://x/", count: 3, interval: "30s" }, { type: "alarms", names: ["a"] }]);
    const progress = freshProgress(checks, t.now());
    const http = scripted(true, true, true);
    const alarms = scripted(true);
    const measureOf = (check: NamedEcsCheck) => (check.type === "http" ? http : alarms);
    const deadline = t.now() + 30 * 60_000;

    await measureDue(checks, progress, measureOf, signal, t.now);
    expect(stageOutcome(checks, progress, deadline)).toMatchObject({ status: "IN_PROGRESS", nextAt: t.now() + 30_000 });
    t.advance(10_000); // called back early: nothing is due yet
    await measureDue(checks, progress, measureOf, signal, t.now);
    expect([http.calls, alarms.calls]).toEqual([1, 1]);
    t.advance(20_000);
    await measureDue(checks, progress, measureOf, signal, t.now);
    t.advance(30_000);
    await measureDue(checks, progress, measureOf, signal, t.now);
    expect(http.calls).toBe(3);
    const outcome = stageOutcome(checks, progress, deadline);
    expect(outcome).toMatchObject({ status: "SUCCEEDED", reason: "all 2 check(s) passed" });
    expect(outcome.checks[0]).toMatchObject({ status: "passed", reason: "3/3 measurements passed", measurements: expect.any(Array) });
    expect(outcome.checks[0]!.measurements).toHaveLength(3);
  });

  it("fails the stage as soon as a check is past its failureLimit, stopping the others, with the last failure as the reason", async () => {
    const t = clock();
    const checks = checksOf([{ type: "http", name: "health", url: "http://x/", count: 5, interval: "10s", failureLimit: 1 }, { type: "alarms", names: ["a"], count: 5, interval: "10s" }]);
    const progress = freshProgress(checks, t.now());
    const http = scripted(false, true, false);
    const measureOf = (check: NamedEcsCheck) => (check.type === "http" ? http : scripted());
    for (let i = 0; i < 3; i++) {
      await measureDue(checks, progress, measureOf, signal, t.now);
      t.advance(10_000);
    }
    const outcome = stageOutcome(checks, progress, t.now() + 3_600_000);
    expect(outcome).toMatchObject({ status: "FAILED", reason: "check health failed: 2 of 3 measurements failed, more than failureLimit 1; last: 503" });
    expect(outcome.checks[1]).toMatchObject({ status: "stopped", reason: "stopped: check health failed" });
  });

  it("counts a measurement that throws as failed, and fails a check at once on a setup error", async () => {
    const t = clock();
    const checks = checksOf([{ type: "http", name: "a", url: "http://x/", count: 2, interval: "1s", failureLimit: 1 }, { type: "http", name: "b", url: "http://x/", count: 2 }]);
    const progress = freshProgress(checks, t.now());
    const a = scripted(new Error("ECONNREFUSED"));
    const b = scripted(new CheckSetupError("{targetVersion} has no value in this deployment"));
    await measureDue(checks, progress, (check) => (check.name === "a" ? a : b), signal, t.now);
    expect(progress[0]).toMatchObject({ status: "running", taken: 1, failures: 1, last: [{ ok: false, summary: "error: ECONNREFUSED" }] });
    expect(progress[1]).toMatchObject({ status: "failed", taken: 0, reason: "{targetVersion} has no value in this deployment" });
    expect(stageOutcome(checks, progress, t.now() + 60_000)).toMatchObject({ status: "FAILED" });
  });

  it("lets a dry-run check measure to the end without deciding the stage", async () => {
    const t = clock();
    const checks = checksOf([{ type: "alarms", names: ["a"] }, { type: "http", name: "try", url: "http://x/", count: 2, interval: "1s", dryRun: true }]);
    const progress = freshProgress(checks, t.now());
    const measureOf = (check: NamedEcsCheck) => (check.type === "http" ? scripted(false) : scripted(true));
    await measureDue(checks, progress, measureOf, signal, t.now);
    expect(stageOutcome(checks, progress, t.now() + 60_000)).toMatchObject({ status: "SUCCEEDED", reason: "all 1 check(s) passed; 1 dry run(s), not deciding" });
  });

  it("fails now, naming the check, when the stage's maxDuration cannot hold the measurements still to take", async () => {
    const t = clock();
    const checks = checksOf([{ type: "http", name: "soak", url: "http://x/", count: 5, interval: "1m" }], "10m");
    const progress = freshProgress(checks, t.now());
    await measureDue(checks, progress, () => scripted(true), signal, t.now);
    expect(() => stageOutcome(checks, progress, t.now() + 3 * 60_000)).toThrow(AnalysisDeadlineError);
    expect(() => stageOutcome(checks, progress, t.now() + 3 * 60_000)).toThrow(/check soak needs until .* for 4 more measurement\(s\) 60s apart, past the stage's maxDuration/);
    expect(stageOutcome(checks, progress, t.now() + 10 * 60_000)).toMatchObject({ status: "IN_PROGRESS" });
  });

  it("rejects with the deadline's reason when the invocation runs out of time mid-measurement", async () => {
    const t = clock();
    const checks = checksOf([{ type: "http", url: "http://x/", timeout: "5s" }]);
    const progress = freshProgress(checks, t.now());
    const controller = new AbortController();
    const hanging: Measure = () => new Promise(() => undefined);
    setTimeout(() => controller.abort(new Error("out of time")), 20);
    await expect(measureDue(checks, progress, () => hanging, controller.signal, t.now)).rejects.toThrow("out of time");
    expect(progress[0]).toMatchObject({ status: "running", taken: 0 });
  });
});
