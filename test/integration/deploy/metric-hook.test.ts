/**
 * Metric analysis in the deployed hook handler (functions/codedeploy-hook.ts) against the emulator:
 * a cloudwatch check passes, fails and comes out inconclusive over the emulator's metrics, and a
 * dry run is reported without deciding — what CodeDeploy receives in each case.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../../functions/codedeploy-hook.ts";
import { json, startGreen, type Green } from "../../unit/deploy/support.ts";
import { lambdaContext, seedShop, shopChecks, startHarness, type Harness } from "./harness.ts";

let h: Harness;
let green: Green | undefined;

beforeEach(async () => {
  h = await startHarness();
  process.env.RUNWAY_HOOK = "AfterAllowTestTraffic";
});
afterEach(async () => {
  await green?.close();
  green = undefined;
  await h.close();
});

const MINUTE = 60_000;

/** Shop's 5xx count per minute for the last minutes, newest first. */
function errorsPerMinute(values: number[]) {
  const thisMinute = Math.floor(Date.now() / MINUTE) * MINUTE;
  h.cloudwatch.putMetric(
    { namespace: "AWS/ApplicationELB", name: "HTTPCode_Target_5XX_Count", dimensions: { TargetGroup: "targetgroup/shop-green" } },
    values.map((value, i) => ({ at: thisMinute - i * MINUTE + 1_000, value })),
  );
}

const errors = (over: Record<string, unknown> = {}) => ({
  name: "green-5xx",
  type: "cloudwatch",
  metric: { namespace: "AWS/ApplicationELB", name: "HTTPCode_Target_5XX_Count", stat: "Sum", dimensions: { TargetGroup: "targetgroup/shop-green" } },
  window: "3m",
  successCondition: "max(result) < 1",
  failureCondition: "sum(result) >= 10",
  count: 2,
  interval: "10ms",
  ...over,
});

async function invoke(deploymentId: string) {
  const executionId = h.codedeploy.startHook(deploymentId, "AfterAllowTestTraffic");
  const outcome = await handler({ DeploymentId: deploymentId, LifecycleEventHookExecutionId: executionId }, lambdaContext());
  return { outcome, reports: h.codedeploy.reports(deploymentId).filter((r) => r.accepted).map((r) => r.status) };
}

describe("metric analysis in the ECS hook", () => {
  it("reports Succeeded when the error count stays at zero", async () => {
    errorsPerMinute([0, 0, 0]);
    h.writeConfig(shopChecks([errors()]));
    const { outcome, reports } = await invoke(seedShop(h));
    expect(reports).toEqual(["Succeeded"]);
    expect(outcome).toMatchObject({ kind: "reported", reason: "all 1 check(s) passed" });
    expect(h.aws.calls.some((c) => c.operation === "GetMetricData")).toBe(true);
  });

  it("reports Failed when the failure condition holds", async () => {
    errorsPerMinute([8, 4]);
    h.writeConfig(shopChecks([errors()]));
    const { outcome, reports } = await invoke(seedShop(h));
    expect(reports).toEqual(["Failed"]);
    expect(outcome.kind === "reported" && outcome.reason).toContain('check green-5xx failed: 1 of 1 measurements failed, more than failureLimit 0; last: Sum of AWS/ApplicationELB');
  });

  it("reports Failed for an inconclusive check under inconclusive: fail, and Succeeded under pass", async () => {
    errorsPerMinute([2, 1]);
    h.writeConfig(shopChecks([errors()]));
    const failed = await invoke(seedShop(h));
    expect(failed.reports).toEqual(["Failed"]);
    expect(failed.outcome.kind === "reported" && failed.outcome.reason).toContain("check green-5xx inconclusive (inconclusive: fail): 1 of 1 measurements inconclusive, more than inconclusiveLimit 0");

    h.writeConfig(shopChecks([errors({ inconclusive: "pass" })]));
    const passed = await invoke(seedShop(h));
    expect(passed.reports).toEqual(["Succeeded"]);
    expect(passed.outcome.kind === "reported" && passed.outcome.lines.join("\n")).toContain("INCONCLUSIVE green-5xx [cloudwatch]");
  });

  it("reports Failed with no data at all (inconclusive), unless the limit tolerates it", async () => {
    h.writeConfig(shopChecks([errors()]));
    const { outcome, reports } = await invoke(seedShop(h));
    expect(reports).toEqual(["Failed"]);
    expect(outcome.kind === "reported" && outcome.lines.join("\n")).toContain("inconclusive (no data)");
  });

  it("never lets a failing dry run decide: Succeeded on the deciding check, the dry run in the evidence", async () => {
    green = await startGreen((_, __, res) => json(res, 200, { status: "ok", version: "2.0.0" }));
    errorsPerMinute([50, 40]);
    h.writeConfig(shopChecks([{ name: "green-health", type: "http", url: `${green.url}/health`, count: 3, interval: "10ms" }, errors({ dryRun: true })]));
    const { outcome, reports } = await invoke(seedShop(h));
    expect(reports).toEqual(["Succeeded"]);
    expect(outcome).toMatchObject({ kind: "reported", reason: "all 1 check(s) passed; 1 dry run(s), not deciding" });
    expect(outcome.kind === "reported" && outcome.lines.join("\n")).toContain("FAIL green-5xx [cloudwatch, dry run: not deciding]");
    expect(green.requests).toBe(3);
  });
});
