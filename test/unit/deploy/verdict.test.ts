import { afterEach, describe, expect, it } from "vitest";
import { hookSchema } from "../../../lib/config/deploy-schema.ts";
import { pendingResult } from "../../../lib/deploy/analysis.ts";
import { DeadlineError } from "../../../lib/deploy/errors.ts";
import { formatCheck } from "../../../lib/deploy/evidence.ts";
import { runChecks } from "../../../lib/deploy/run-checks.ts";
import type { CheckResult } from "../../../lib/deploy/types.ts";
import { failsHook, verdictAfterError, verdictOf } from "../../../lib/deploy/verdict.ts";
import { ecsDeployment, envFor, json, startGreen, type Green } from "./support.ts";

const result = (over: Partial<CheckResult>): CheckResult => ({
  ...pendingResult({ name: over.name ?? "probe", type: over.type ?? "cloudwatch", count: 3, failureLimit: 0 }),
  status: "passed",
  reason: "3/3 measurements passed",
  ...over,
});

describe("hook verdict", () => {
  it("never lets a dry run decide: failed, inconclusive or stopped", () => {
    const dry = ["failed", "inconclusive", "stopped"].map((status, i) => result({ name: `dry-${i}`, status: status as CheckResult["status"], dryRun: true }));
    const verdict = verdictOf([result({ name: "real" }), ...dry]);
    expect(verdict).toMatchObject({ status: "Succeeded", reason: "all 1 check(s) passed; 3 dry run(s), not deciding" });
    expect(dry.map(failsHook)).toEqual([false, false, false]);
    expect(verdictOf(dry)).toMatchObject({ status: "Succeeded", reason: "no deciding checks; 3 dry run(s), not deciding" });
  });

  it("fails the hook on an inconclusive check under inconclusive: fail, and passes it under pass", () => {
    const inconclusive = (policy: "fail" | "pass") =>
      result({ name: "error-rate", status: "inconclusive", inconclusivePolicy: policy, inconclusive: 2, inconclusiveLimit: 1, reason: "2 of 2 measurements inconclusive, more than inconclusiveLimit 1" });
    expect(verdictOf([result({}), inconclusive("fail")])).toMatchObject({
      status: "Failed",
      reason: "check error-rate inconclusive (inconclusive: fail): 2 of 2 measurements inconclusive, more than inconclusiveLimit 1",
    });
    expect(verdictOf([result({}), inconclusive("pass")])).toMatchObject({ status: "Succeeded", reason: "1 check(s) passed, 1 inconclusive (inconclusive: pass)" });
  });

  it("names a failed check before an inconclusive one", () => {
    const verdict = verdictOf([result({ name: "a", status: "inconclusive" }), result({ name: "b", status: "failed", reason: "broken" })]);
    expect(verdict.reason).toBe("check b failed: broken");
  });

  it("keeps the deciding checks' verdict when time runs out on a dry run alone, and fails when it cuts a deciding one", () => {
    const deadline = new DeadlineError(9_000, 10_000);
    const onlyDry = verdictAfterError([result({ name: "real" }), result({ name: "dry", status: "running", dryRun: true })], deadline);
    expect(onlyDry).toMatchObject({ status: "Succeeded", checks: [{ status: "passed" }, { status: "stopped", dryRun: true }] });
    const cut = verdictAfterError([result({ name: "real", status: "running" }), result({ name: "dry", status: "passed", dryRun: true })], deadline);
    expect(cut).toMatchObject({ status: "Failed", reason: expect.stringContaining("stopped with 9s left") });
    // Before any check was known there is nothing to stand on.
    expect(verdictAfterError([], deadline).status).toBe("Failed");
    expect(verdictAfterError([result({ name: "real" })], new Error("boom")).status).toBe("Failed");
  });

  it("says dry run and inconclusive in the evidence", () => {
    const line = formatCheck(
      result({ name: "error-rate", status: "inconclusive", dryRun: true, inconclusive: 1, inconclusiveLimit: 0, reason: "1 of 1 measurements inconclusive, more than inconclusiveLimit 0" }),
    );
    expect(line).toBe(
      "INCONCLUSIVE error-rate [cloudwatch, dry run: not deciding] (0/3 measured, 0 failed, failureLimit 0, 1 inconclusive, inconclusiveLimit 0 (inconclusive: fail)) — 1 of 1 measurements inconclusive, more than inconclusiveLimit 0",
    );
  });
});

describe("running checks with dry runs", () => {
  let services: Green[] = [];
  afterEach(async () => {
    await Promise.all(services.map((s) => s.close()));
    services = [];
  });

  const checksOf = (checks: unknown[]) => hookSchema.parse({ checks }).checks;

  it("measures a failing dry run to the end without stopping the deciding check or failing the hook", async () => {
    const good = await startGreen((_, __, res) => json(res, 200, { ok: true }));
    const bad = await startGreen((_, __, res) => json(res, 503, { ok: false }));
    services.push(good, bad);
    const checks = checksOf([
      { name: "real", type: "http", url: `${good.url}/health`, count: 3, interval: "20ms" },
      { name: "shadow", type: "http", url: `${bad.url}/health`, count: 2, interval: "5ms", dryRun: true },
    ]);
    const results = checks.map(pendingResult);
    await runChecks(checks, envFor(ecsDeployment()), results, new AbortController().signal);
    expect(results.map((r) => r.status)).toEqual(["passed", "failed"]);
    expect(good.requests).toBe(3);
    expect(verdictOf(results).status).toBe("Succeeded");
  });

  it("stops the dry runs too once a deciding check fails the hook", async () => {
    const good = await startGreen((_, __, res) => json(res, 200, { ok: true }));
    const bad = await startGreen((_, __, res) => json(res, 500, { ok: false }));
    services.push(good, bad);
    const checks = checksOf([
      { name: "real", type: "http", url: `${bad.url}/health`, count: 3, interval: "10ms" },
      { name: "shadow", type: "http", url: `${good.url}/health`, count: 50, interval: "50ms", dryRun: true },
    ]);
    const results = checks.map(pendingResult);
    await runChecks(checks, envFor(ecsDeployment()), results, new AbortController().signal);
    expect(results.map((r) => r.status)).toEqual(["failed", "stopped"]);
    expect(good.requests).toBeLessThan(50);
    expect(verdictOf(results)).toMatchObject({ status: "Failed", reason: expect.stringContaining("check real failed") });
  });
});
