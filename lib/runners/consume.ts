/**
 * The job queue's consumer: each SQS record is a job message; `queued` launches, `in_progress`
 * and `completed` update the ledger. A job is a message group: its events are handled in order and
 * never overtake each other, different jobs at the same time (fifo-batch.ts).
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { jobCompleted, jobStarted, type LifecycleDeps, type LifecycleOutcome } from "./job-lifecycle.ts";
import type { JobMessage } from "../jobs/job-message.ts";
import { jobMessageSchema } from "../jobs/job-message-schema.ts";
import { launch, type LaunchDeps, type LaunchOutcome } from "./launch.ts";
import { consumeFifoBatch, safeJson } from "./fifo-batch.ts";
import { retryDelaySeconds, retryHintSeconds, type BackoffOptions, type MessageVisibility } from "./visibility.ts";

export interface ConsumeDeps extends LaunchDeps, LifecycleDeps {
  log: (message: string, fields: Record<string, unknown>) => void;
  /** Wait for the notifications queued while handling the batch (before Lambda freezes). */
  flushNotifications?: () => Promise<unknown>;
  onOutcome?: (message: JobMessage, outcome: LaunchOutcome | LifecycleOutcome) => void;
  /** Brings each record to retry back after its backoff; without it, after the queue's visibility timeout. */
  visibility?: MessageVisibility;
  backoff?: BackoffOptions;
}

/**
 * Handle one batch; returns the records to retry (partial batch response).
 *
 * @example
 * export const handler = (event: SQSEvent) => consumeJobMessages(event, deps);
 */
export async function consumeJobMessages(event: SQSEvent, deps: ConsumeDeps): Promise<SQSBatchResponse> {
  return consumeFifoBatch(event, { handle: (record) => consumeRecord(record, deps), visibility: deps.visibility, flush: deps.flushNotifications });
}

/** One record: undefined when it is done with, else the seconds until it comes back. */
async function consumeRecord(record: SQSRecord, deps: ConsumeDeps): Promise<number | undefined> {
  const parsed = jobMessageSchema.safeParse(safeJson(record.body));
  if (!parsed.success) {
    // Retrying cannot fix a malformed message: log it (without its body) and let it go.
    deps.log("discarded a malformed job message", { messageId: record.messageId, problems: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) });
    return undefined;
  }
  const message = parsed.data;
  try {
    const outcome =
      message.action === "queued" ? await launch(message, deps) : message.action === "in_progress" ? await jobStarted(message, deps) : await jobCompleted(message, deps);
    deps.onOutcome?.(message, outcome);
    deps.log("job message", { action: message.action, jobId: message.job.id, runAttempt: message.job.runAttempt, environment: message.environment, ...outcome });
    return undefined;
  } catch (error) {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? 1);
    const seconds = retryDelaySeconds(receiveCount, retryHintSeconds(error), deps.backoff);
    deps.log("job message will be retried", {
      action: message.action,
      jobId: message.job.id,
      runAttempt: message.job.runAttempt,
      error: (error as Error).name,
      reason: (error as Error).message,
      receiveCount,
      retryInSeconds: seconds,
    });
    return seconds;
  }
}
