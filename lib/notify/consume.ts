/**
 * A batch of queued notification events, delivered one after the other, with each failure reported
 * per record (`batchItemFailures`) so the others are not redelivered.
 *
 * Slack down or refusing: the record fails, SQS offers it again after its visibility timeout, and
 * after `maxReceiveCount` receipts it is parked in the dead-letter queue, from where it can be
 * redriven. Nothing is lost, and nothing in the launch path ever waits for this.
 *
 * Slack rate limiting (429 + Retry-After): a short wait (≤ `maxInlineWaitSeconds`) is slept here,
 * which is cheaper than a trip through the queue; a longer one puts this record and every record
 * after it back on the queue, invisible for exactly `Retry-After` seconds, instead of burning the
 * invocation's time (and risking its timeout, which would redeliver the whole batch).
 */
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import { describe } from "../errors/describe.ts";
import { logger } from "../observability/logger.ts";
import { recordMetric } from "../observability/metrics.ts";
import { InvalidNotificationError, SlackRateLimitedError } from "./errors.ts";
import { parseNotification, type NotificationEvent } from "./events.ts";

export interface ConsumeDeps {
  deliver(event: NotificationEvent): Promise<unknown>;
  /** The invocation's remaining time (Lambda's `context.getRemainingTimeInMillis`). */
  remainingMs(): number;
  /** Make records invisible for a while (SQS ChangeMessageVisibility); best effort. */
  defer(records: SQSRecord[], seconds: number): Promise<void>;
  /** Longest Retry-After slept in place. */
  maxInlineWaitSeconds?: number;
  sleep?(ms: number): Promise<void>;
}

/** Time kept in reserve so the invocation answers before its timeout. */
const SAFETY_MS = 5_000;
/** Rate-limit waits slept in place per record before it goes back to the queue. */
const MAX_INLINE_WAITS = 3;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Deliver a batch; returns the records to retry.
 *
 * @example
 * export const handler = async (event: SQSEvent, context: Context) =>
 *   consumeNotifications(event.Records, { deliver, remainingMs: () => context.getRemainingTimeInMillis(), defer });
 */
export async function consumeNotifications(records: SQSRecord[], deps: ConsumeDeps): Promise<SQSBatchResponse> {
  const failed: SQSRecord[] = [];
  const maxWait = deps.maxInlineWaitSeconds ?? 5;
  const sleep = deps.sleep ?? wait;
  // Once a thread's event fails, its later events wait too: they would land out of order (and on
  // a FIFO queue, AWS requires the rest of the message group to be returned).
  const blockedThreads = new Set<string>();

  for (const [index, record] of records.entries()) {
    let event: NotificationEvent;
    try {
      event = parseNotification(parseJson(record.body));
    } catch (error) {
      // Retrying cannot fix it; failing it parks it in the dead-letter queue for a person to read.
      logger.error("Not a notification event this version understands", { messageId: record.messageId, problem: describe(error) });
      failed.push(record);
      continue;
    }
    if (blockedThreads.has(event.thread) || deps.remainingMs() < SAFETY_MS) {
      failed.push(record);
      blockedThreads.add(event.thread);
      continue;
    }
    try {
      await deliverWithinRateLimits(event, deps, maxWait, sleep);
    } catch (error) {
      // The post Slack did not take; the records given back untried behind it are not counted.
      recordMetric("SlackDeliveryFailed", 1);
      if (error instanceof SlackRateLimitedError) {
        // The limit applies to every message of this workspace: give back the rest of the batch.
        const rest = records.slice(index);
        logger.warn("Slack is rate limiting; records go back to the queue for Retry-After", {
          retryAfterSeconds: error.retryAfterSeconds,
          records: rest.length,
        });
        await deps.defer(rest, error.retryAfterSeconds).catch((deferError: unknown) => {
          logger.warn("Could not delay the records; they come back after the queue's visibility timeout", { error: describe(deferError) });
        });
        failed.push(...rest);
        break;
      }
      logger.error("Notification not delivered; it will be retried from the queue", {
        messageId: record.messageId,
        thread: event.thread,
        type: event.type,
        error: describe(error),
      });
      failed.push(record);
      blockedThreads.add(event.thread);
    }
  }
  return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
}

async function deliverWithinRateLimits(event: NotificationEvent, deps: ConsumeDeps, maxWait: number, sleep: (ms: number) => Promise<void>): Promise<void> {
  for (let waits = 0; ; waits++) {
    try {
      await deps.deliver(event);
      return;
    } catch (error) {
      const short = error instanceof SlackRateLimitedError && error.retryAfterSeconds <= maxWait;
      const fits = error instanceof SlackRateLimitedError && deps.remainingMs() - error.retryAfterSeconds * 1000 > SAFETY_MS;
      if (!(short && fits) || waits >= MAX_INLINE_WAITS) throw error;
      await sleep((error as SlackRateLimitedError).retryAfterSeconds * 1000);
    }
  }
}

/** The body as JSON; V8's syntax errors quote the input, so the error here says less on purpose. */
function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new InvalidNotificationError([`(body): not JSON (${body.length} characters)`]);
  }
}
