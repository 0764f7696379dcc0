/**
 * An in-process stand-in for Lambda's SQS event source mapping: poll a queue, hand batches to a
 * handler as a real `SQSEvent`, delete what succeeded. A thrown error leaves the whole batch to
 * come back after its visibility timeout; `batchItemFailures` (ReportBatchItemFailures) leaves only
 * the listed messages. Redrive to the dead-letter queue therefore happens exactly as on AWS.
 * A handler that changes a failed message's visibility (ChangeMessageVisibility with the record's
 * receipt handle) gets it back when that visibility runs out, since polling only receives what the
 * queue hands out.
 */
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from "aws-lambda";
import type { SqsMessage, SqsQueue } from "./queue.ts";

export type SqsEventHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void> | SQSBatchResponse | void;

export interface SubscribeOptions {
  /** Messages per event, 1–10 as for a mapping on a standard or FIFO queue (default 10). */
  batchSize?: number;
  /** How often to poll when idle (default 20 ms). */
  pollMs?: number;
  /** Batches handled at once (default 1; Lambda scales pollers up, FIFO groups keep order). */
  maxConcurrency?: number;
  /** Told about a handler that threw (the batch is retried after its visibility timeout). */
  onError?: (error: unknown, event: SQSEvent) => void;
}

/** Start delivering; returns a function that stops polling (batches in progress finish). */
export function subscribeToQueue(queue: SqsQueue, handler: SqsEventHandler, options: SubscribeOptions = {}): () => void {
  const { batchSize = 10, pollMs = 20, maxConcurrency = 1, onError } = options;
  let stopped = false;
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;

  const deliver = async (batch: SqsMessage[]) => {
    const handles = new Map(batch.map((m) => [m.messageId, m.receiptHandle!]));
    const event: SQSEvent = { Records: batch.map((m) => toRecord(m, queue)) };
    let failed: Set<string>;
    try {
      const response = await handler(event);
      const identifiers = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
      // Lambda treats an identifier that names no message of the batch as a failure of the whole batch.
      failed = identifiers.some((id) => !handles.has(id)) ? new Set(handles.keys()) : new Set(identifiers);
    } catch (error) {
      onError?.(error, event);
      return;
    }
    for (const [messageId, handle] of handles) if (!failed.has(messageId)) queue.delete(handle);
  };

  const poll = () => {
    timer = undefined;
    if (stopped) return;
    while (inFlight < maxConcurrency) {
      const batch = queue.receive(Math.max(1, Math.min(batchSize, 10)));
      if (batch.length === 0) break;
      inFlight += 1;
      void deliver(batch).finally(() => {
        inFlight -= 1;
      });
    }
    timer = setTimeout(poll, pollMs);
  };
  timer = setTimeout(poll, 0);

  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

/** One message as Lambda shapes it in an SQS event record. */
export function toRecord(message: SqsMessage, queue: SqsQueue): SQSRecord {
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, a] of Object.entries(message.messageAttributes)) {
    messageAttributes[name] = {
      ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
      ...(a.BinaryValue !== undefined ? { binaryValue: a.BinaryValue } : {}),
      stringListValues: a.StringListValues ?? [],
      binaryListValues: a.BinaryListValues ?? [],
      dataType: a.DataType,
    };
  }
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle ?? "",
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentTimestamp),
      SenderId: message.senderId,
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? message.sentTimestamp),
      ...(message.sequenceNumber ? { SequenceNumber: message.sequenceNumber } : {}),
      ...(message.groupId ? { MessageGroupId: message.groupId } : {}),
      ...(message.deduplicationId ? { MessageDeduplicationId: message.deduplicationId } : {}),
    },
    messageAttributes,
    md5OfBody: message.md5OfBody,
    ...(message.md5OfMessageAttributes ? { md5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
    eventSource: "aws:sqs",
    eventSourceARN: queue.arn,
    awsRegion: queue.region,
  };
}
