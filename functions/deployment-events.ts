/**
 * EventBridge: "CodeDeploy Deployment State-change Notification" and "ECS Deployment State Change"
 * → the deployment's thread (started, succeeded, failed, rolled back).
 */
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { handleDeploymentEvent } from "../lib/deploy/deployment-events.ts";
import type { DeploymentStateChange } from "../lib/deploy/notifier.ts";
import { queuedDeploymentNotifier } from "../lib/notify/deploy-notifier.ts";
import { logger } from "../lib/observability/logger.ts";
import { metrics } from "../lib/observability/metrics.ts";

/** Verdicts and state changes go to the deployment's Slack thread, through the notify queue. */
const slack = queuedDeploymentNotifier();

async function onDeploymentEvent(event: unknown): Promise<DeploymentStateChange | undefined> {
  return handleDeploymentEvent(event, { notifier: slack });
}

export const handler = middy<unknown, DeploymentStateChange | undefined>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(onDeploymentEvent);
