/**
 * Putting records back on the notify queue for a while: the consumer's answer to a long Slack
 * `Retry-After`. Failing a record alone would bring it back after the queue's visibility timeout,
 * whatever Slack asked; changing its visibility first brings it back when Slack said to.
 */
import { ChangeMessageVisibilityBatchCommand } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { sqsClient } from "../aws/sqs.ts";

/** SQS's ceiling for a visibility timeout. */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * A `defer` for the consumer, on the queue named by `RUNWAY_NOTIFY_QUEUE_URL`.
 *
 * @example
 * await deferOnQueue()(records, 30); // back in 30-33 s
 */
export function deferOnQueue(queueUrl = process.env.RUNWAY_NOTIFY_QUEUE_URL): (records: SQSRecord[], seconds: number) => Promise<void> {
  return async (records, seconds) => {
    if (!queueUrl) throw new Error("RUNWAY_NOTIFY_QUEUE_URL is not set on the notifier; set it so rate-limited records wait for Slack's Retry-After");
    for (let i = 0; i < records.length; i += 10) {
      const batch = records.slice(i, i + 10);
      await sqsClient().send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((record, index) => ({
            Id: String(index),
            ReceiptHandle: record.receiptHandle,
            // A little jitter, so deferred records do not all come back in the same second.
            VisibilityTimeout: Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(seconds) + Math.floor(Math.random() * 4)),
          })),
        }),
      );
    }
  };
}
