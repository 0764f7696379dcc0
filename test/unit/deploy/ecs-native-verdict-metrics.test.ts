/**
 * An ECS hook's verdict counts when it answers one: every FAILED (ECS rolls back on it), a
 * SUCCEEDED its checks decided. IN_PROGRESS is no verdict yet, and a rollback let through is none.
 */
import { DescribeServiceDeploymentsCommand, DescribeServiceRevisionsCommand, ECSClient } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { runEcsHook } from "../../../lib/deploy/ecs-native/run-hook.ts";
import { metrics } from "../../../lib/observability/metrics.ts";
import { flushedFigures } from "../../support/emf.ts";
import { BLUE, DEPLOYMENT_ARN, GREEN, HOOK_FUNCTION, hookPayload, stageConfig } from "./ecs-native-support.ts";

const ecs = mockClient(ECSClient);
const context = () => {
  const end = Date.now() + 60_000;
  return { getRemainingTimeInMillis: () => end - Date.now(), invokedFunctionArn: HOOK_FUNCTION };
};
const quiet = { verdict: async () => undefined, stateChanged: async () => undefined };

beforeEach(() => {
  resetAwsClients();
  metrics.clearMetrics();
  ecs.on(DescribeServiceDeploymentsCommand).resolves({
    serviceDeployments: [
      {
        serviceDeploymentArn: DEPLOYMENT_ARN,
        status: "IN_PROGRESS",
        lifecycleStage: "POST_TEST_TRAFFIC_SHIFT",
        targetServiceRevision: { arn: GREEN, requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 },
        sourceServiceRevisions: [{ arn: BLUE, requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 }],
        deploymentConfiguration: { lifecycleHooks: [{ hookTargetArn: HOOK_FUNCTION, lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"], timeoutConfiguration: { timeoutInMinutes: 60 } }] },
        lifecycleHookDetails: [{ targetType: "AWS_LAMBDA", targetArn: HOOK_FUNCTION, status: "IN_PROGRESS", expiresAt: new Date(Date.now() + 60 * 60_000) }],
      },
    ],
  });
  ecs.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [{ serviceRevisionArn: GREEN, taskDefinition: "arn:aws:ecs:us-west-2:123456789012:task-definition/shop:8" }] });
});
afterEach(() => ecs.reset());

describe("an ECS hook's verdict metric", () => {
  it("counts HookSucceeded for a stage its checks passed", async () => {
    const result = await runEcsHook(hookPayload(), context(), { loadConfig: async () => stageConfig([]), notifier: quiet });
    expect(result.response).toEqual({ hookStatus: "SUCCEEDED" });
    expect(flushedFigures()).toEqual({ HookSucceeded: { unit: "Count", values: [1] } });
  });

  it("counts HookFailed for every FAILED, one for an event that is not ECS's included", async () => {
    const broken = await runEcsHook(hookPayload(), context(), { loadConfig: async () => undefined, notifier: quiet });
    const junk = await runEcsHook({ DeploymentId: "d-1" }, context(), { loadConfig: async () => stageConfig([]), notifier: quiet });
    expect([broken.response, junk.response]).toEqual([{ hookStatus: "FAILED" }, { hookStatus: "FAILED" }]);
    expect(flushedFigures()).toEqual({ HookFailed: { unit: "Count", values: [1, 1] } });
  });

  it("counts nothing for IN_PROGRESS, nor for a rollback it lets through", async () => {
    const health = { name: "health", type: "http", url: "http://127.0.0.1:9/health", expect: { status: 200 }, count: 3, interval: "30s", failureLimit: 1, timeout: "1s" };
    const waiting = await runEcsHook(hookPayload(), context(), { loadConfig: async () => stageConfig([health]), notifier: quiet });
    const rollback = await runEcsHook(hookPayload({ stage: "PRODUCTION_TRAFFIC_SHIFT", production: { [GREEN]: 0, [BLUE]: 100 } }), context(), { loadConfig: async () => undefined, notifier: quiet });
    expect([waiting.response.hookStatus, rollback.response.hookStatus]).toEqual(["IN_PROGRESS", "SUCCEEDED"]);
    expect(flushedFigures()).toEqual({});
  });
});
