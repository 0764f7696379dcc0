/**
 * How producers (webhook, launcher, collectors, hook validators) tell Slack something: put an event
 * on the notify queue (`RUNWAY_NOTIFY_QUEUE_URL`). The Slack notifier function does the rest.
 *
 * Publishing never throws and never takes long: a notification is worth less than a launch, so a
 * queue that is slow or down costs a logged, dropped notification, never a failed delivery. With
 * no queue configured, publishing is a logged no-op.
 */
import { createHash } from "node:crypto";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { sqsClient } from "../aws/sqs.ts";
import { logger } from "../observability/logger.ts";
// Not events.ts: its zod schemas would weigh on every producer's cold start. The types keep
// producers honest at compile time; the notifier validates what it reads.
import { defaultEventId, threadKeyOf, type NotificationInput } from "./event-keys.ts";
import type { NotificationEvent } from "./events.ts";

/** Give up on SQS after this long (the SDK's own retries included). */
const PUBLISH_TIMEOUT_MS = 2_000;
/** Log excerpts are cut to their end: a queue message must stay small. */
const MAX_EXCERPT = 8_000;

export interface PublishResult {
  published: number;
  dropped: number;
}

export interface PublishOptions {
  queueUrl?: string;
  timeoutMs?: number;
}

/**
 * Queue notification events for Slack. `id`, `at` and `thread` are filled in when absent.
 *
 * @example
 * await publish({ type: "job.launched", channel: env.slack?.channel, run, job, build });
 */
export async function publish(events: NotificationInput | NotificationInput[], options: PublishOptions = {}): Promise<PublishResult> {
  const inputs = Array.isArray(events) ? events : [events];
  const queueUrl = options.queueUrl ?? process.env.RUNWAY_NOTIFY_QUEUE_URL;
  if (!queueUrl) {
    logger.debug("RUNWAY_NOTIFY_QUEUE_URL is not set; notifications are not sent", { count: inputs.length });
    return { published: 0, dropped: inputs.length };
  }
  const valid = inputs.flatMap((input) => {
    const event = complete(input);
    return event ? [event] : [];
  });
  let published = 0;
  const fifo = queueUrl.endsWith(".fifo");
  const signal = AbortSignal.timeout(options.timeoutMs ?? PUBLISH_TIMEOUT_MS);
  for (let i = 0; i < valid.length; i += 10) {
    const batch = valid.slice(i, i + 10);
    try {
      const result = await sqsClient().send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((event, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(event),
            MessageAttributes: { type: { DataType: "String", StringValue: event.type } },
            // On a FIFO queue one thread's events are delivered in order, threads in parallel.
            ...(fifo ? { MessageGroupId: event.thread, MessageDeduplicationId: sha256(event.id) } : {}),
          })),
        }),
        { abortSignal: signal },
      );
      published += result.Successful?.length ?? 0;
      for (const failure of result.Failed ?? []) {
        logger.warn("A notification was not queued", { type: batch[Number(failure.Id)]?.type, code: failure.Code });
      }
    } catch (error) {
      logger.warn("Notifications not queued; Slack will not hear of them", { count: batch.length, error: (error as Error).name });
    }
  }
  return { published, dropped: inputs.length - published };
}

/** The event with its bookkeeping; undefined (and logged) when it cannot even be addressed. */
function complete(input: NotificationInput): NotificationEvent | undefined {
  try {
    return {
      ...input,
      id: input.id ?? defaultEventId(input),
      at: input.at ?? new Date().toISOString(),
      thread: threadKeyOf(input),
      ...("logExcerpt" in input && typeof input.logExcerpt === "string" ? { logExcerpt: input.logExcerpt.slice(-MAX_EXCERPT) } : {}),
    } as NotificationEvent;
  } catch {
    // Only the type: the values may be anything, secrets included.
    logger.error("Not publishing a notification event without its run or deployment (a bug in its producer)", { type: (input as { type?: unknown }).type });
    return undefined;
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
