/**
 * The lifecycle stages at which ECS's deployment controller can invoke a Lambda hook
 * (DeploymentLifecycleHook.lifecycleStages), in the order a blue/green deployment passes them.
 * Kept apart from the schema (lib/config/ecs-hooks-schema.ts) so that the deployed hook names
 * them without loading the schema library.
 */
import type { DeploymentLifecycleHookStage } from "@aws-sdk/client-ecs";

export const ECS_HOOK_STAGES = [
  "RECONCILE_SERVICE",
  "PRE_SCALE_UP",
  "POST_SCALE_UP",
  "TEST_TRAFFIC_SHIFT",
  "POST_TEST_TRAFFIC_SHIFT",
  "PRE_PRODUCTION_TRAFFIC_SHIFT",
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
] as const satisfies readonly DeploymentLifecycleHookStage[];
export type EcsHookStage = (typeof ECS_HOOK_STAGES)[number];

/** Stages before the green revision has tasks: there is nothing of it to look at yet. */
export const BEFORE_GREEN_STAGES: readonly EcsHookStage[] = ["RECONCILE_SERVICE", "PRE_SCALE_UP"];

/**
 * Stages ECS invokes again while it rolls back, with the traffic weights moving back to blue:
 * a hook there must let the rollback through, whatever the green revision looks like.
 */
export const ROLLBACK_STAGES: readonly EcsHookStage[] = ["TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"];

/** Stages invoked once per traffic step of a linear or canary deployment. */
export const PER_STEP_STAGES: readonly EcsHookStage[] = ["PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"];

export function isEcsHookStage(value: unknown): value is EcsHookStage {
  return typeof value === "string" && (ECS_HOOK_STAGES as readonly string[]).includes(value);
}
