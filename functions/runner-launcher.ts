/**
 * SQS (the job queue, FIFO): launch a JIT runner build for each `queued` job, and record which
 * runner took each job and how it ended. Records to retry are reported as batch item failures.
 */
import middy from "@middy/core";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { setInvocationDeadline } from "../lib/github/deadline.ts";
import { logger } from "../lib/observability/logger.ts";
import { consumeJobMessages } from "../lib/runners/consume.ts";
import { launcherDepsFromEnv } from "../lib/runners/deps.ts";

const deps = launcherDepsFromEnv((message, fields) => logger.info(message, fields));

export const handler = middy<SQSEvent, SQSBatchResponse>().handler((event, context) => {
  // GitHub's rate-limit waits must end inside this invocation (its lease covers no more).
  setInvocationDeadline(Date.now() + context.getRemainingTimeInMillis());
  return consumeJobMessages(event, deps);
});
