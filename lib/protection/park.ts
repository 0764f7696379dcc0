/**
 * Parking a protection request that cannot be answered now: the request goes to the protection
 * dead-letter queue (`RUNWAY_PROTECTION_DLQ_URL`) with the reason as a message attribute, so
 * nothing is lost. GitHub keeps the job waiting for 30 days and SQS keeps the message for 14:
 * moving it back (SQS "Start DLQ redrive", or `aws sqs start-message-move-task --source-arn <dlq>`)
 * decides it again, as of then, and answers.
 */
import { createHash } from "node:crypto";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { sqsClient } from "../aws/sqs.ts";
import { ProtectionParkError } from "./errors.ts";
import { protectionGroupId } from "./queue.ts";
import type { ProtectionRequest } from "./request.ts";

/** Puts a request aside with its reason; throws when it could not (the record is then retried). */
export type Park = (request: ProtectionRequest | { body: string }, reason: string) => Promise<void>;

/** SQS limits a message attribute's value only by the message size; a reason stays readable. */
const MAX_REASON = 1_000;

/**
 * @example
 * await sqsPark()(request, "GitHub answered 404: install the App on acme/api");
 */
export function sqsPark(url?: string): Park {
  return async (request, reason) => {
    const queueUrl = url ?? process.env.RUNWAY_PROTECTION_DLQ_URL;
    if (!queueUrl) throw new ProtectionParkError(`RUNWAY_PROTECTION_DLQ_URL is not set: cannot park a protection request (${reason})`);
    const body = "body" in request ? request.body : JSON.stringify(request);
    const group = "body" in request ? "malformed" : protectionGroupId(request);
    try {
      await sqsClient().send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          MessageGroupId: group,
          // Parked again after a replay is a new fact, not a duplicate.
          MessageDeduplicationId: createHash("sha256").update(`${body}\n${Date.now()}`).digest("hex").slice(0, 64),
          MessageAttributes: { reason: { DataType: "String", StringValue: reason.slice(0, MAX_REASON) } },
        }),
      );
    } catch (error) {
      throw new ProtectionParkError(`the protection dead-letter queue did not take a request (${(error as Error).name}); it is retried`, { cause: error });
    }
  };
}
