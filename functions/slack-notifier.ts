/**
 * Slack notifier: SQS-triggered (the notify queue, `ReportBatchItemFailures`). Posts each queued
 * notification event into its run's or deployment's Slack thread; a record Slack did not take is
 * reported back to the queue, retried, and parked in the dead-letter queue if it keeps failing.
 */
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { getConfig } from "../lib/config/runtime.ts";
import { notifyDefaults } from "../lib/config/notify-defaults.ts";
import { consumeNotifications } from "../lib/notify/consume.ts";
import { deferOnQueue } from "../lib/notify/defer.ts";
import { getNotifier } from "../lib/notify/notifier.ts";
import { logger } from "../lib/observability/logger.ts";
import { metrics } from "../lib/observability/metrics.ts";

async function notifySlack(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const notifier = await getNotifier({ settings: (await getConfig()).notify ?? notifyDefaults() });
  return consumeNotifications(event.Records, {
    deliver: (notification) => notifier.deliver(notification),
    remainingMs: () => context.getRemainingTimeInMillis(),
    defer: deferOnQueue(),
  });
}

// middy(fn) takes the handler up front; the middlewares run around it as with .handler(fn).
export const handler = middy<SQSEvent, SQSBatchResponse>(notifySlack).use(injectLambdaContext(logger)).use(logMetrics(metrics));
