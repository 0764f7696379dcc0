/**
 * The hand-off from the webhook to the protection-rule function: an SQS FIFO queue
 * (`RUNWAY_PROTECTION_QUEUE_URL`). The webhook answers GitHub as soon as the request is queued;
 * deciding (GitHub's deployments, CloudWatch alarms) and answering GitHub's callback happen there,
 * retried and, when they keep failing, parked in the dead-letter queue with the reason.
 *
 * FIFO for the deduplication: a redelivery of the same request within five minutes (same run,
 * environment and deployment) is queued once, so GitHub is not answered twice.
 */
import { createHash } from "node:crypto";
import { QueueUnavailableError } from "../jobs/job-queue.ts";
import type { ProtectionRequest } from "./request.ts";

/** Anything that accepts protection requests: SQS in production, an array in tests. */
export interface ProtectionSink {
  send(request: ProtectionRequest): Promise<void>;
}

/** One message group per waiting rule: its requests are handled in order, others in parallel. */
export function protectionGroupId(request: ProtectionRequest): string {
  return sha256(`${request.repository}/${request.runId}/${request.environment.toLowerCase()}`).slice(0, 64);
}

/** The same rule of the same deployment (job and attempt) is one request, whichever delivery told of it. */
export function protectionDeduplicationId(request: ProtectionRequest): string {
  return sha256(`${protectionGroupId(request)}/${request.deploymentId ?? request.deliveryId}`).slice(0, 64);
}

/**
 * The queue named by `RUNWAY_PROTECTION_QUEUE_URL` (read per send: tests and the local stack set it).
 *
 * @throws QueueUnavailableError: the webhook answers 503, so the delivery can be redelivered.
 * @example
 * await sqsProtectionSink().send(request);
 */
export function sqsProtectionSink(url?: string): ProtectionSink {
  return {
    async send(request) {
      const queueUrl = url ?? process.env.RUNWAY_PROTECTION_QUEUE_URL;
      if (!queueUrl) throw new QueueUnavailableError("RUNWAY_PROTECTION_QUEUE_URL is not set; the protection queue's URL is needed to answer deployment protection rules");
      try {
        // Loaded on the first request: pings and other events never pay for the SQS client.
        const { sendProtectionMessage } = await import("./send.ts");
        await sendProtectionMessage(queueUrl, JSON.stringify(request), protectionGroupId(request), protectionDeduplicationId(request));
      } catch (error) {
        throw new QueueUnavailableError(`the protection queue did not accept the request of run ${request.runId} for ${request.environment} (${(error as Error).name})`, { cause: error });
      }
    },
  };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
