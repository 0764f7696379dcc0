/**
 * SQS (the protection queue, FIFO): decide each GitHub deployment protection rule the webhook
 * queued (runway.yml `protection:`), answer GitHub's callback, and tell the run's Slack thread.
 * Records to retry are reported as batch item failures, each back after its own backoff; requests
 * that cannot be answered are parked in the protection dead-letter queue with the reason.
 */
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { getConfig } from "../lib/config/runtime.ts";
import { setInvocationDeadline } from "../lib/github/deadline.ts";
import { logger } from "../lib/observability/logger.ts";
import { metrics } from "../lib/observability/metrics.ts";
import { consumeProtectionRequests } from "../lib/protection/consume.ts";
import { protectionDepsFromEnv } from "../lib/protection/deps.ts";

const deps = protectionDepsFromEnv((message, fields) => logger.info(message, fields));

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event, context) => {
    // GitHub's rate-limit waits must end inside this invocation.
    setInvocationDeadline(Date.now() + context.getRemainingTimeInMillis());
    return consumeProtectionRequests(event, { ...deps, config: await getConfig() });
  });
