/**
 * Sends one job message to the SQS FIFO queue. Its own module so that the webhook function loads
 * the SQS client on its first routed job rather than at cold start: pings, ignored events and
 * rejected deliveries never need it.
 */
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { sqsClient } from "../aws/sqs.ts";
import type { JobMessage } from "./job-message.ts";

export async function sendToQueue(queueUrl: string, message: JobMessage, deduplicationId: string): Promise<void> {
  await sqsClient().send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(message),
      MessageGroupId: String(message.job.id),
      MessageDeduplicationId: deduplicationId,
    }),
  );
}
