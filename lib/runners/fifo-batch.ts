/**
 * How Runway consumes a FIFO queue's batch, for every queue it reads (jobs, protection
 * requests): records of one message group are handled in order, and the first that must be
 * retried holds the group's later records back with the same delay, so a group's records never
 * overtake each other; different groups are handled at the same time. Each record to retry comes
 * back after its own backoff (visibility.ts), not after the queue's visibility timeout.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { MessageVisibility, RecordRetry } from "./visibility.ts";

export interface FifoBatchOptions {
  /** Handle one record: undefined when it is done with, else the seconds until it comes back. */
  handle: (record: SQSRecord) => Promise<number | undefined>;
  visibility?: MessageVisibility | undefined;
  /** Wait for what the batch queued for Slack (before Lambda freezes). */
  flush?: (() => Promise<unknown>) | undefined;
}

/**
 * Handle a batch; returns the records to retry (partial batch response).
 *
 * @example
 * return consumeFifoBatch(event, { handle: (record) => consumeRecord(record, deps), visibility, flush });
 */
export async function consumeFifoBatch(event: SQSEvent, options: FifoBatchOptions): Promise<SQSBatchResponse> {
  const groups = Map.groupBy(event.Records, (record) => record.attributes.MessageGroupId ?? record.messageId);
  const retries = (await Promise.all([...groups.values()].map((records) => consumeGroup(records, options.handle)))).flat();
  // A failed visibility change only means the record comes back later, as it would have anyway.
  const shortened = retries.length > 0 ? options.visibility?.retryAfter(retries).catch(() => undefined) : undefined;
  await Promise.all([options.flush?.(), shortened]);
  return { batchItemFailures: retries.map(({ record }) => ({ itemIdentifier: record.messageId })) };
}

async function consumeGroup(records: SQSRecord[], handle: FifoBatchOptions["handle"]): Promise<RecordRetry[]> {
  const retries: RecordRetry[] = [];
  let seconds: number | undefined;
  for (const record of records) {
    if (seconds === undefined) seconds = await handle(record);
    if (seconds !== undefined) retries.push({ record, seconds });
  }
  return retries;
}

/** A record's body as JSON, or undefined when it is not JSON (its schema then says what is wrong). */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
