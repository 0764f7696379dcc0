/**
 * The job queue's consumer: each SQS record is a job message; `queued` launches, `in_progress`
 * and `completed` update the ledger. Records of one message group (one job) are handled in order,
 * and the first that must be retried fails the group's later records with it, so a job's events
 * never overtake each other; different jobs are handled at the same time. Each record to retry
 * comes back after its own backoff (visibility.ts), not after the queue's visibility timeout.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { jobCompleted, jobStarted, type LifecycleDeps, type LifecycleOutcome } from "./job-lifecycle.ts";
import type { JobMessage } from "../jobs/job-message.ts";
import { jobMessageSchema } from "../jobs/job-message-schema.ts";
import { launch, type LaunchDeps, type LaunchOutcome } from "./launch.ts";
import { retryDelaySeconds, retryHintSeconds, type BackoffOptions, type MessageVisibility, type RecordRetry } from "./visibility.ts";

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
  const groups = Map.groupBy(event.Records, (record) => record.attributes.MessageGroupId ?? record.messageId);
  const retries = (await Promise.all([...groups.values()].map((records) => consumeGroup(records, deps)))).flat();
  // A failed visibility change only means the record comes back later, as it would have anyway.
  const shortened = retries.length > 0 ? deps.visibility?.retryAfter(retries).catch(() => undefined) : undefined;
  await Promise.all([deps.flushNotifications?.(), shortened]);
  return { batchItemFailures: retries.map(({ record }) => ({ itemIdentifier: record.messageId })) };
}

/** One message group's records, in order; returns those to retry, each with its delay. */
async function consumeGroup(records: SQSRecord[], deps: ConsumeDeps): Promise<RecordRetry[]> {
  const retries: RecordRetry[] = [];
  // Set by the group's first failure; its later records wait exactly as long, so the group keeps its order.
  let seconds: number | undefined;
  for (const record of records) {
    if (seconds !== undefined) {
      retries.push({ record, seconds });
      continue;
    }
    const parsed = jobMessageSchema.safeParse(safeJson(record.body));
    if (!parsed.success) {
      // Retrying cannot fix a malformed message: log it (without its body) and let it go.
      deps.log("discarded a malformed job message", { messageId: record.messageId, problems: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) });
      continue;
    }
    const message = parsed.data;
    try {
      const outcome =
        message.action === "queued" ? await launch(message, deps) : message.action === "in_progress" ? await jobStarted(message, deps) : await jobCompleted(message, deps);
      deps.onOutcome?.(message, outcome);
      deps.log("job message", { action: message.action, jobId: message.job.id, runAttempt: message.job.runAttempt, environment: message.environment, ...outcome });
    } catch (error) {
      const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? 1);
      seconds = retryDelaySeconds(receiveCount, retryHintSeconds(error), deps.backoff);
      deps.log("job message will be retried", {
        action: message.action,
        jobId: message.job.id,
        runAttempt: message.job.runAttempt,
        error: (error as Error).name,
        reason: (error as Error).message,
        receiveCount,
        retryInSeconds: seconds,
      });
      retries.push({ record, seconds });
    }
  }
  return retries;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
