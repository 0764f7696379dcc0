/**
 * The deployed hook handler (functions/codedeploy-hook.ts) against the local AWS emulator, through
 * the real SDK clients: what CodeDeploy receives for an ECS blue/green deployment.
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

/** CodeDeploy reaches AfterAllowTestTraffic and invokes the hook function. */
async function invoke(deploymentId: string, context = lambdaContext()) {
  const executionId = h.codedeploy.startHook(deploymentId, "AfterAllowTestTraffic");
  const event = { DeploymentId: deploymentId, LifecycleEventHookExecutionId: executionId };
  return { event, outcome: await handler(event, context), executionId };
}

const accepted = (deploymentId: string) => h.codedeploy.reports(deploymentId).filter((r) => r.accepted).map((r) => r.status);

const httpCheck = (url: string, over: Record<string, unknown> = {}) => ({
  name: "green-health",
  type: "http",
  url: `${url}/health?deployment={deploymentId}`,
  expect: { status: 200, bodyContains: '"version":"2.0.0"' },
  count: 4,
  interval: "10ms",
  failureLimit: 1,
  timeout: "2s",
  ...over,
});

describe("ECS blue/green hook through the emulator", () => {
  it("reports Succeeded for a healthy green, after asking CodeDeploy, ECS, ELB and CloudWatch", async () => {
    green = await startGreen((_, __, res) => json(res, 200, { status: "ok", version: "2.0.0" }));
    h.writeConfig(
      shopChecks([
        httpCheck(green.url),
        { type: "ecs" },
        { type: "targetHealth" },
        { type: "alarms", names: ["shop-5xx", "shop-p99"] },
      ]),
    );
    const deploymentId = seedShop(h);
    const { outcome, executionId } = await invoke(deploymentId);

    expect(outcome).toMatchObject({ kind: "reported", status: "Succeeded", delivery: "reported" });
    expect(h.codedeploy.reports(deploymentId)).toMatchObject([{ executionId, status: "Succeeded", lifecycleEvent: "AfterAllowTestTraffic", accepted: true }]);
    expect(h.codedeploy.lifecycleEvent(deploymentId, "AfterAllowTestTraffic")?.status).toBe("Succeeded");
    expect(green.requests).toBe(4);
    const operations = new Set(h.aws.calls.map((call) => `${call.service}:${call.operation}`));
    for (const op of [
      "codedeploy:GetDeployment",
      "codedeploy:GetDeploymentGroup",
      "codedeploy:ListDeploymentTargets",
      "codedeploy:GetDeploymentTarget",
      "ecs:DescribeTaskSets",
      "ecs:ListTasks",
      "ecs:DescribeTasks",
      "ecs:DescribeTaskDefinition",
      "elasticloadbalancing:DescribeTargetHealth",
      "monitoring:DescribeAlarms",
      "codedeploy:PutLifecycleEventHookExecutionStatus",
    ]) {
      expect(operations).toContain(op);
    }
  });

  it("reports Failed for a wrong body", async () => {
    green = await startGreen((_, __, res) => json(res, 200, { status: "ok", version: "1.9.0" }));
    h.writeConfig(shopChecks([httpCheck(green.url)]));
    const deploymentId = seedShop(h);
    const { outcome } = await invoke(deploymentId);
    expect(accepted(deploymentId)).toEqual(["Failed"]);
    expect(outcome.kind === "reported" && outcome.lines.join("\n")).toContain(`body does not contain '"version":"2.0.0"'`);
  });

  it("passes a flaky green inside its failure limit and fails one outside it", async () => {
    green = await startGreen((n, __, res) => (n === 2 ? json(res, 502, {}) : json(res, 200, { version: "2.0.0" })));
    h.writeConfig(shopChecks([httpCheck(green.url)]));
    const inside = seedShop(h);
    await invoke(inside);
    await green.close();

    green = await startGreen((n, __, res) => (n === 2 || n === 3 ? json(res, 502, {}) : json(res, 200, { version: "2.0.0" })));
    h.writeConfig(shopChecks([httpCheck(green.url)]));
    const outside = seedShop(h);
    await invoke(outside);

    expect(accepted(inside)).toEqual(["Succeeded"]);
    expect(accepted(outside)).toEqual(["Failed"]);
    expect(green.requests).toBe(3); // failed at the second failure, without the fourth measurement
  });

  it("reports Failed when the ECS replacement, its targets or an alarm are not fit", async () => {
    h.writeConfig(shopChecks([{ type: "ecs" }, { type: "targetHealth" }, { type: "alarms", names: ["shop-5xx"] }]));
    const ids: string[] = [];
    const reasons: string[] = [];
    for (const unfit of [{ image: "registry.local/shop:1.9.0" }, { targetState: "unhealthy" }, { alarm: "ALARM" as const }]) {
      const id = seedShop(h, unfit);
      const { outcome } = await invoke(id);
      ids.push(id);
      reasons.push(outcome.kind === "reported" ? outcome.reason : outcome.kind);
    }
    expect(ids.flatMap(accepted)).toEqual(["Failed", "Failed", "Failed"]);
    expect(reasons[0]).toContain("container web runs registry.local/shop:1.9.0, expected registry.local/shop:2.0.0");
    expect(reasons[1]).toContain("10.0.1.12:8080 unhealthy (Target.FailedHealthChecks)");
    expect(reasons[2]).toContain("shop-5xx is in ALARM");
  });

  it("reports Failed with file and line when runway.yml is broken", async () => {
    h.writeConfig(shopChecks([{ type: "http", url: "http://127.0.0.1:9/", interval: "soon" }]));
    const deploymentId = seedShop(h);
    const { outcome } = await invoke(deploymentId);
    expect(accepted(deploymentId)).toEqual(["Failed"]);
    expect(outcome.kind === "reported" && outcome.reason).toMatch(/runway\.yml:\d+:\d+ deploy\.applications\.shop\.deploymentGroups\.\*\.hooks\.AfterAllowTestTraffic\.checks\.0\.interval/);
  });

  it("reports Failed before the function's timeout when checks outlast the deadline margin", async () => {
    green = await startGreen(() => undefined); // accepts, never answers
    h.writeConfig(shopChecks([httpCheck(green.url, { count: 1, failureLimit: 0, timeout: "5m" })], { reportMargin: "2s" }));
    const deploymentId = seedShop(h);
    const context = lambdaContext(2_500);
    const { outcome } = await invoke(deploymentId, context);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(accepted(deploymentId)).toEqual(["Failed"]);
    expect(outcome.kind === "reported" && outcome.reason).toContain("DeadlineError: stopped with");
  });

  it("reports once when the same hook execution is invoked twice, in turn or at once", async () => {
    green = await startGreen((_, __, res) => json(res, 200, { version: "2.0.0" }));
    h.writeConfig(shopChecks([httpCheck(green.url, { count: 1, failureLimit: 0 })]));

    const inTurn = seedShop(h);
    const { event } = await invoke(inTurn);
    const second = await handler(event, lambdaContext());
    expect(second).toMatchObject({ kind: "skipped" });
    expect(h.codedeploy.reports(inTurn)).toHaveLength(1);

    const atOnce = seedShop(h);
    const executionId = h.codedeploy.startHook(atOnce, "AfterAllowTestTraffic");
    const both = { DeploymentId: atOnce, LifecycleEventHookExecutionId: executionId };
    const outcomes = await Promise.all([handler(both, lambdaContext()), handler(both, lambdaContext())]);
    expect(accepted(atOnce)).toEqual(["Succeeded"]);
    expect(outcomes.map((o) => (o.kind === "reported" ? o.delivery : o.kind)).sort()).toEqual(["already-completed", "reported"]);
  });

  it("retries a throttled report past the SDK's own attempts", async () => {
    h.writeConfig(shopChecks([]));
    const deploymentId = seedShop(h);
    const fault = h.aws.faults.add({
      service: "codedeploy",
      operation: "PutLifecycleEventHookExecutionStatus",
      times: 5,
      error: { code: "ThrottlingException", message: "Rate exceeded", statusCode: 400 },
    });
    const { outcome } = await invoke(deploymentId);
    expect(fault.injected).toBe(5);
    expect(outcome).toMatchObject({ kind: "reported", status: "Succeeded", delivery: "reported" });
    expect(outcome.kind === "reported" && outcome.attempts).toBeGreaterThan(1);
    expect(accepted(deploymentId)).toEqual(["Succeeded"]);
  });
});
