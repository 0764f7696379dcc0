/**
 * Sends one protection request to the SQS FIFO queue. Its own module, imported on the first
 * request (queue.ts), so the webhook loads the SQS client only then, and only that client
 * (lib/aws/sqs.ts holds nothing else).
 */
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { sqsClient } from "../aws/sqs.ts";

export async function sendProtectionMessage(queueUrl: string, body: string, groupId: string, deduplicationId: string): Promise<void> {
  await sqsClient().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageGroupId: groupId, MessageDeduplicationId: deduplicationId }));
}
