/**
 * SQS (the job queue, FIFO): launch a JIT runner build for each `queued` job, and record which
 * runner took each job and how it ended. Records to retry are reported as batch item failures,
 * each brought back after its own backoff rather than the queue's visibility timeout.
 */
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { setInvocationDeadline } from "../lib/github/deadline.ts";
import { logger } from "../lib/observability/logger.ts";
import { metrics } from "../lib/observability/metrics.ts";
import { consumeJobMessages, type ConsumeDeps } from "../lib/runners/consume.ts";
import { launcherDepsFromEnv } from "../lib/runners/launcher-deps.ts";
import { sqsMessageVisibility } from "../lib/runners/visibility.ts";

const deps: ConsumeDeps = {
  ...launcherDepsFromEnv((message, fields) => logger.info(message, fields)),
  visibility: sqsMessageVisibility({ log: (message, fields) => logger.warn(message, fields) }),
};

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler((event, context) => {
    // GitHub's rate-limit waits must end inside this invocation (its lease covers no more).
    setInvocationDeadline(Date.now() + context.getRemainingTimeInMillis());
    return consumeJobMessages(event, deps);
  });
