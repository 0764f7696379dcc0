/** Shared by the ECS-native hook tests: the payloads ECS sends (AWS's documented examples) and a stage configuration. */
import { ecsHooksSchema, type EcsHooksConfig } from "../../../lib/config/ecs-hooks-schema.ts";

export const REGION = "us-west-2";
export const ACCOUNT = "123456789012";
export const DEPLOYMENT_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/my-cluster/my-service/EZe5RNVLH6PPzHXINuP28`;
export const SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/my-cluster/my-service`;
export const GREEN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/my-cluster/my-service/9313423515462893900`;
export const BLUE = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/my-cluster/my-service/1920498462936580504`;
export const HOOK_FUNCTION = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:runway-prd-ecs-hook`;

/** An invocation as ECS sends it ("Lambda hooks for Amazon ECS service deployments", lifecycle payloads). */
export function hookPayload(over: { stage?: string; test?: Record<string, number>; production?: Record<string, number>; hookDetails?: unknown; executionId?: string } = {}): Record<string, unknown> {
  return {
    executionId: over.executionId ?? "3a0345ba-b029-404b-890d-7da2a4b266aa",
    lifecycleStage: over.stage ?? "POST_TEST_TRAFFIC_SHIFT",
    resourceArn: DEPLOYMENT_ARN,
    executionDetails: {
      serviceArn: SERVICE_ARN,
      targetServiceRevisionArn: GREEN,
      testTrafficWeights: over.test ?? {},
      productionTrafficWeights: over.production ?? {},
    },
    ...(over.hookDetails !== undefined ? { hookDetails: over.hookDetails } : {}),
  };
}

/** `deploy.ecs` with these checks at one stage of my-cluster/my-service. */
export function stageConfig(checks: unknown[], over: { stage?: string; maxDuration?: string } = {}): EcsHooksConfig {
  const stage = over.stage ?? "POST_TEST_TRAFFIC_SHIFT";
  return ecsHooksSchema.parse({
    clusters: { "my-cluster": { services: { "my-service": { stages: { [stage]: { checks, ...(over.maxDuration ? { maxDuration: over.maxDuration } : {}) } } } } } },
  });
}
