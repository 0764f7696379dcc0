/**
 * When a job message that failed for a passing cause comes back. Left alone, SQS hides a failed
 * record for the queue's whole visibility timeout (six times the launcher's timeout), so one
 * throttled StartBuild would wait minutes. Instead the consumer gives each record back to SQS with
 * its own delay (ChangeMessageVisibility on its receipt handle):
 *
 * - no sooner than the cause is known to last: the error's `retryAfterSeconds` (a throttle's few
 *   seconds, GitHub's `retry-after`, the time left on another worker's lease), spread by a little;
 * - otherwise exponential in the record's receive count with jitter: 1–2 s, 2–4 s, 4–8 s … capped
 *   at 2.5–5 min, so a cause that lasts spends the launch's attempts over minutes, not seconds.
 *
 * A record failed only because an earlier record of its message group failed gets the same delay:
 * a FIFO group stays blocked while any of its messages is in flight, so a shorter delay would not
 * come back sooner and a longer one would hold the whole group back.
 */
import { ChangeMessageVisibilityBatchCommand } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { sqsClient } from "../aws/sqs.ts";

export interface BackoffOptions {
  /** The first retry's delay before jitter (default 2 s); it doubles with each receive. */
  baseSeconds?: number;
  /** The longest exponential delay (default 300 s). */
  capSeconds?: number;
  /** The longest hint honoured (default 3600 s: GitHub's primary rate limit resets within the hour). */
  maxHintSeconds?: number;
  /** A number in [0, 1): `Math.random` unless a test fixes it. */
  random?: () => number;
}

export const BACKOFF_DEFAULTS = { baseSeconds: 2, capSeconds: 300, maxHintSeconds: 3600 } as const;

/** A record to retry and the seconds until SQS hands it out again. */
export interface RecordRetry {
  record: SQSRecord;
  seconds: number;
}

/** Tells SQS when each record to retry comes back. */
export interface MessageVisibility {
  /** Never rejects: a record whose change fails comes back after the queue's visibility timeout. */
  retryAfter(retries: readonly RecordRetry[]): Promise<void>;
}

/**
 * The retry hint an error carries, its own or a cause's (GitHub's rate-limit error is the cause of
 * the launcher's RetryLaterError), in seconds.
 *
 * @example
 * retryHintSeconds(new RetryLaterError("throttled", { retryAfterSeconds: 2 })); // 2
 */
export function retryHintSeconds(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const hint = (current as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (typeof hint === "number" && Number.isFinite(hint) && hint >= 0) return hint;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Seconds until a record received `receiveCount` times is received again: the larger of the
 * jittered exponential backoff and the hint, in whole seconds (what SQS takes), at least 1.
 *
 * @example
 * retryDelaySeconds(1);      // 1–2
 * retryDelaySeconds(4);      // 8–16
 * retryDelaySeconds(1, 60);  // 60–66: GitHub said to wait a minute
 */
export function retryDelaySeconds(receiveCount: number, hintSeconds?: number, options: BackoffOptions = {}): number {
  const { baseSeconds, capSeconds, maxHintSeconds } = { ...BACKOFF_DEFAULTS, ...options };
  const random = options.random ?? Math.random;
  const n = Number.isFinite(receiveCount) && receiveCount >= 1 ? Math.floor(receiveCount) : 1;
  const exponential = Math.min(capSeconds, baseSeconds * 2 ** Math.min(n - 1, 30));
  // Equal jitter: never less than half, so the schedule still grows; spread so a burst does not return at once.
  const backoff = exponential / 2 + random() * (exponential / 2);
  // Never before the hint (trying sooner only fails again and spends a receive), a little after it.
  const hint = hintSeconds === undefined ? 0 : Math.min(hintSeconds, maxHintSeconds);
  const hinted = hint + random() * Math.min(hint / 10, 10);
  return Math.max(1, Math.ceil(Math.max(backoff, hinted)));
}

/**
 * The URL of the queue a record came from. The receipt handle is only good on that queue, and the
 * record's `eventSourceARN` names it; the configured URL (RUNWAY_JOB_QUEUE_URL) is used when it
 * names the same queue, since it is the one that reaches SQS as configured (a local endpoint, a VPC
 * endpoint), and the standard regional URL is derived from the ARN otherwise.
 *
 * @example
 * queueUrlOf("arn:aws:sqs:eu-west-1:123456789012:runway-dev-jobs.fifo");
 * // "https://sqs.eu-west-1.amazonaws.com/123456789012/runway-dev-jobs.fifo"
 */
export function queueUrlOf(eventSourceARN: string, configuredUrl?: string): string | undefined {
  const arn = /^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/.exec(eventSourceARN);
  if (!arn) return configuredUrl;
  const [, partition, region, account, name] = arn as unknown as [string, string, string, string, string];
  if (configuredUrl) {
    const path = URL.canParse(configuredUrl) ? new URL(configuredUrl).pathname.split("/").filter(Boolean) : [];
    if (path.at(-1) === name && path.at(-2) === account) return configuredUrl;
  }
  return `https://sqs.${region}.${partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com"}/${account}/${name}`;
}

export interface SqsMessageVisibilityOptions {
  /** The job queue's URL (default: RUNWAY_JOB_QUEUE_URL, read per call). */
  queueUrl?: string | undefined;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * ChangeMessageVisibilityBatch, ten records a call, per queue.
 *
 * @example
 * const visibility = sqsMessageVisibility({ log: (m, f) => logger.warn(m, f) });
 * await visibility.retryAfter([{ record, seconds: 4 }]);
 */
export function sqsMessageVisibility(options: SqsMessageVisibilityOptions = {}): MessageVisibility {
  const log = options.log ?? (() => undefined);
  return {
    async retryAfter(retries) {
      const configured = options.queueUrl ?? process.env.RUNWAY_JOB_QUEUE_URL;
      const byQueue = Map.groupBy(retries, (r) => queueUrlOf(r.record.eventSourceARN, configured) ?? "");
      const calls: Promise<void>[] = [];
      for (const [queueUrl, queued] of byQueue) {
        if (!queueUrl) {
          log("no queue URL for records to retry: they come back after the queue's visibility timeout", { messageIds: queued.map((r) => r.record.messageId) });
          continue;
        }
        for (let i = 0; i < queued.length; i += 10) calls.push(changeBatch(queueUrl, queued.slice(i, i + 10), log));
      }
      await Promise.all(calls);
    },
  };
}

async function changeBatch(queueUrl: string, retries: RecordRetry[], log: NonNullable<SqsMessageVisibilityOptions["log"]>): Promise<void> {
  try {
    const { Failed = [] } = await sqsClient().send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: retries.map((r, i) => ({ Id: String(i), ReceiptHandle: r.record.receiptHandle, VisibilityTimeout: r.seconds })),
      }),
    );
    for (const failed of Failed) {
      const retry = retries[Number(failed.Id)];
      log("could not shorten a retried message's visibility: it comes back after the queue's visibility timeout", {
        messageId: retry?.record.messageId,
        code: failed.Code,
        reason: failed.Message,
      });
    }
  } catch (error) {
    log("could not shorten retried messages' visibility: they come back after the queue's visibility timeout", {
      messageIds: retries.map((r) => r.record.messageId),
      error: (error as Error).name,
      reason: (error as Error).message,
    });
  }
}
