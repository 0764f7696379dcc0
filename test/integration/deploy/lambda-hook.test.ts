/**
 * A Lambda deployment's BeforeAllowTraffic hook through the emulator: the `lambda` check invokes
 * the new version (or a smoke-test function) with the real Lambda client.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../../functions/codedeploy-hook.ts";
import { lambdaContext, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

function config(checks: unknown[]) {
  return { applications: { "shop-api": { deploymentGroups: { "shop-api-prd": { hooks: { BeforeAllowTraffic: { checks } } } } } } };
}

function seedApi(): string {
  return h.codedeploy.seedLambdaDeployment({
    applicationName: "shop-api",
    deploymentGroupName: "shop-api-prd",
    functionName: "shop-api",
    functionAlias: "live",
    currentVersion: "6",
    targetVersion: "7",
  });
}

async function invoke(deploymentId: string) {
  const executionId = h.codedeploy.startHook(deploymentId, "BeforeAllowTraffic");
  return handler({ DeploymentId: deploymentId, LifecycleEventHookExecutionId: executionId }, lambdaContext());
}

describe("Lambda deployment hook through the emulator", () => {
  it("invokes the new version and reports Succeeded when its answer is right", async () => {
    process.env.RUNWAY_HOOK = "BeforeAllowTraffic";
    h.lambda.addFunction("shop-api", () => ({ version: "old" }), { versions: { "7": (event) => ({ passed: true, saw: (event as { hook: string }).hook }) } });
    h.writeConfig(config([{ type: "lambda", expect: { json: { passed: true, saw: "BeforeAllowTraffic" } } }]));
    const deploymentId = seedApi();
    const outcome = await invoke(deploymentId);
    expect(outcome).toMatchObject({ kind: "reported", status: "Succeeded" });
    expect(h.lambda.invocations("shop-api")).toMatchObject([{ version: "7", qualifier: "7" }]);
    expect(h.codedeploy.reports(deploymentId)).toMatchObject([{ status: "Succeeded", lifecycleEvent: "BeforeAllowTraffic", accepted: true }]);
  });

  it("reports Failed when a smoke-test function throws, finding the hook without RUNWAY_HOOK", async () => {
    delete process.env.RUNWAY_HOOK;
    h.lambda.addFunction("shop-smoke", () => {
      throw new Error("GET /orders answered 500");
    });
    h.writeConfig(config([{ type: "lambda", functionName: "shop-smoke", payload: { version: "{targetVersion}" } }]));
    const deploymentId = seedApi();
    const outcome = await invoke(deploymentId);
    expect(outcome).toMatchObject({ kind: "reported", status: "Failed" });
    expect(outcome.kind === "reported" && outcome.reason).toContain("function error (Unhandled): GET /orders answered 500");
    expect(h.lambda.invocations("shop-smoke")[0]?.event).toEqual({ version: "7" });
  });

  it("reports Failed when an ECS check is configured for a Lambda deployment", async () => {
    process.env.RUNWAY_HOOK = "BeforeAllowTraffic";
    h.writeConfig(config([{ type: "ecs", count: 3, failureLimit: 2 }]));
    const deploymentId = seedApi();
    const outcome = await invoke(deploymentId);
    expect(outcome.kind === "reported" && outcome.reason).toContain("ecs checks need an ECS blue/green deployment");
    expect(h.codedeploy.reports(deploymentId).map((r) => r.status)).toEqual(["Failed"]);
  });
});
