import type { ServiceDeployment } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { hookStartedAt, targetGroupNameOf } from "../../../lib/deploy/ecs-native/service-deployment.ts";
import { HOOK_FUNCTION } from "./ecs-native-support.ts";

const START = Date.parse("2026-12-01T10:00:00Z");
const NOW = START + 5 * 60_000;

function record(details: ServiceDeployment["lifecycleHookDetails"], timeoutInMinutes?: number): ServiceDeployment {
  return {
    deploymentConfiguration: {
      lifecycleHooks: [{ hookTargetArn: HOOK_FUNCTION, lifecycleStages: ["POST_SCALE_UP", "POST_TEST_TRAFFIC_SHIFT"], ...(timeoutInMinutes ? { timeoutConfiguration: { timeoutInMinutes } } : {}) }],
    },
    lifecycleHookDetails: details,
  };
}

describe("when ECS started the hook, from its record", () => {
  it("is the active hook's expiresAt less its timeout (24 hours when the configuration gives none)", () => {
    const active = { targetType: "AWS_LAMBDA" as const, targetArn: HOOK_FUNCTION, status: "IN_PROGRESS" as const };
    expect(hookStartedAt(record([{ ...active, expiresAt: new Date(START + 30 * 60_000) }], 30), HOOK_FUNCTION, "POST_TEST_TRAFFIC_SHIFT", NOW)).toBe(START);
    expect(hookStartedAt(record([{ ...active, expiresAt: new Date(START + 24 * 3_600_000) }]), `${HOOK_FUNCTION}:live`, "POST_SCALE_UP", NOW)).toBe(START);
  });

  it("ignores finished hooks, pause hooks, other functions and stages the function is not hooked to", () => {
    const expiresAt = new Date(START + 30 * 60_000);
    const earlier = { targetType: "AWS_LAMBDA" as const, targetArn: HOOK_FUNCTION, status: "SUCCEEDED" as const, expiresAt: new Date(START - 3_600_000) };
    const other = { targetType: "AWS_LAMBDA" as const, targetArn: HOOK_FUNCTION.replace("ecs-hook", "other"), status: "IN_PROGRESS" as const, expiresAt };
    const pause = { targetType: "PAUSE" as const, status: "IN_PROGRESS" as const, expiresAt };
    expect(hookStartedAt(record([earlier, other, pause, { ...other, targetArn: HOOK_FUNCTION }], 30), HOOK_FUNCTION, "POST_TEST_TRAFFIC_SHIFT", NOW)).toBe(START);
    expect(hookStartedAt(record([earlier, other, pause], 30), HOOK_FUNCTION, "POST_TEST_TRAFFIC_SHIFT", NOW)).toBeUndefined();
    expect(hookStartedAt(record([{ ...other, targetArn: HOOK_FUNCTION }], 30), HOOK_FUNCTION, "PRODUCTION_TRAFFIC_SHIFT", NOW)).toBeUndefined();
    expect(hookStartedAt(record([{ ...other, targetArn: HOOK_FUNCTION }], 30), undefined, "POST_TEST_TRAFFIC_SHIFT", NOW)).toBeUndefined();
  });

  it("names a revision's target group from its resolved configuration", () => {
    expect(targetGroupNameOf({ resolvedConfiguration: { loadBalancers: [{ targetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/shop-green/73e2d6bc24d8a067" }] } })).toBe("shop-green");
    expect(targetGroupNameOf({})).toBeUndefined();
  });
});
