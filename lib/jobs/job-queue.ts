/**
 * The durable hand-off from the webhook function to the launcher: an SQS FIFO queue.
 *
 * FIFO because it gives two properties for free: the events of one job arrive in the order GitHub
 * sent them (group = job id), and the same event of the same attempt sent twice within five
 * minutes (a redelivery, or GitHub describing one job in two deliveries) is enqueued once
 * (deduplication id = job, attempt, action). The launcher's ledger still guarantees "at most one
 * build" beyond that window.
 */
import type { JobMessage } from "./job-message.ts";

/** Why a message could not be enqueued; the webhook answers 503 so the delivery can be redelivered. */
export class QueueUnavailableError extends Error {
  override name = "QueueUnavailableError";
}

/** Anything that accepts job messages: SQS in production, an array in benchmarks. */
export interface JobSink {
  /** `deduplicationId` overrides the default, for a deliberate second send (relaunch, replay). */
  send(message: JobMessage, deduplicationId?: string): Promise<void>;
}

/** The deduplication id of a message: one per job, attempt and action. */
export function deduplicationId(message: JobMessage): string {
  return `${message.job.id}-${message.job.runAttempt}-${message.action}`;
}

/**
 * The SQS queue named by `RUNWAY_JOB_QUEUE_URL`.
 *
 * @example
 * await sqsJobSink().send(message);
 */
export function sqsJobSink(url?: string): JobSink {
  return {
    async send(message, dedup) {
      // Read per send, not at import: the URL is deployment configuration, and tests change it.
      const queueUrl = url ?? process.env.RUNWAY_JOB_QUEUE_URL;
      if (!queueUrl) throw new QueueUnavailableError("RUNWAY_JOB_QUEUE_URL is not set; the job queue's URL is needed to record jobs");
      try {
        const { sendToQueue } = await import("./sqs-send.ts");
        await sendToQueue(queueUrl, message, dedup ?? deduplicationId(message));
      } catch (error) {
        throw new QueueUnavailableError(`the job queue did not accept job ${message.job.id} (${(error as Error).name})`, { cause: error });
      }
    },
  };
}
