/**
 * ECS lifecycle hook (services deployed by the ECS deployment controller: blue/green, linear,
 * canary). Every invocation answers SUCCEEDED, FAILED or IN_PROGRESS with a callBackDelay and
 * the analysis so far in hookDetails; nothing is thrown at ECS (lib/deploy/ecs-native/run-hook.ts).
 * Stage verdicts go to the deployment's Slack thread through the notify queue.
 */
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { Context } from "aws-lambda";
import { getConfig } from "../lib/config/runtime.ts";
import { runEcsHook } from "../lib/deploy/ecs-native/run-hook.ts";
import type { EcsHookResponse } from "../lib/deploy/ecs-native/types.ts";
import { queuedDeploymentNotifier } from "../lib/notify/deploy-notifier.ts";
import { logger } from "../lib/observability/logger.ts";
import { metrics } from "../lib/observability/metrics.ts";

const notifier = queuedDeploymentNotifier();

async function answerHook(event: unknown, context: Context): Promise<EcsHookResponse> {
  const { response } = await runEcsHook(event, context, { loadConfig: async () => (await getConfig()).deploy?.ecs, notifier });
  return response;
}

// middy's own early timeout is off: the hook keeps its own margin and answers FAILED itself, which
// a TimeoutError thrown by middy would not do (ECS would only see an error).
export const handler = middy<unknown, EcsHookResponse>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(answerHook);
