/**
 * CodeDeploy lifecycle hook (ECS blue/green and Lambda deployments). One function is deployed
 * per hook, each with RUNWAY_HOOK naming its hook; all share this handler and lib/deploy's code
 * path. Every invocation ends with exactly one Succeeded or Failed report (or none, when an
 * earlier invocation already settled the hook).
 */
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { Context } from "aws-lambda";
import { getConfig } from "../lib/config/runtime.ts";
import { runLifecycleHook, type HookOutcome } from "../lib/deploy/lifecycle-hook.ts";
import { queuedDeploymentNotifier } from "../lib/notify/deploy-notifier.ts";
import { logger } from "../lib/observability/logger.ts";
import { metrics } from "../lib/observability/metrics.ts";

/** Verdicts and state changes go to the deployment's Slack thread, through the notify queue. */
const slack = queuedDeploymentNotifier();

async function validateHook(event: unknown, context: Context): Promise<HookOutcome> {
  return runLifecycleHook(event, context, {
    loadDeployConfig: async () => (await getConfig()).deploy,
    hookName: process.env.RUNWAY_HOOK,
    notifier: slack,
  });
}

// middy's own early timeout is off: the hook keeps its own (larger, configurable) margin and must
// report before giving up, which a TimeoutError thrown by middy would not do.
export const handler = middy<unknown, HookOutcome>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(validateHook);
