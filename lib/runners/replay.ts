/**
 * Replaying parked launches: messages in the job queue's dead-letter queue (a permanent error the
 * launcher parked with its reason, or a message that exhausted its retries) are listed, and on
 * request sent to the job queue again after the cause is fixed. A failed launch's ledger entry is
 * forgotten first so that the replay starts afresh; a live launch is never touched.
 */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { sqsClient } from "../aws/sqs.ts";
import type { JobMessage } from "../jobs/job-message.ts";
import { jobMessageSchema } from "../jobs/job-message-schema.ts";
import type { JobSink } from "../jobs/job-queue.ts";
import type { Ledger } from "./ledger.ts";

export interface ParkedLaunch {
  message: JobMessage;
  reason: string;
  receiveCount: number;
  receiptHandle: string;
}

/** Read every parked message (each stays hidden from other readers for `holdSeconds`). */
export async function listParked(dlqUrl: string, holdSeconds = 30): Promise<ParkedLaunch[]> {
  const parked: ParkedLaunch[] = [];
  for (;;) {
    const { Messages = [] } = await sqsClient().send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: holdSeconds, WaitTimeSeconds: 0, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["ApproximateReceiveCount"] }),
    );
    if (Messages.length === 0) return parked;
    for (const m of Messages) {
      const parsed = jobMessageSchema.safeParse(JSON.parse(m.Body ?? "null"));
      if (!parsed.success) continue;
      parked.push({
        message: parsed.data,
        reason: m.MessageAttributes?.reason?.StringValue ?? "exhausted the job queue's retries (see the launcher's log)",
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
        receiptHandle: m.ReceiptHandle!,
      });
    }
  }
}

/** Send one parked launch to the job queue again and remove it from the dead-letter queue. */
export async function replayParked(parked: ParkedLaunch, deps: { dlqUrl: string; queue: JobSink; ledger: Ledger; now?: number }): Promise<void> {
  const { job } = parked.message;
  await deps.ledger.forgetFailed(job.id, job.runAttempt);
  await deps.queue.send(parked.message, `${job.id}-${job.runAttempt}-queued-replay-${deps.now ?? Date.now()}`);
  await sqsClient().send(new DeleteMessageCommand({ QueueUrl: deps.dlqUrl, ReceiptHandle: parked.receiptHandle }));
}

/** Put a listed message back in view at once (it was not replayed). */
export async function release(parked: ParkedLaunch, dlqUrl: string): Promise<void> {
  await sqsClient().send(new ChangeMessageVisibilityCommand({ QueueUrl: dlqUrl, ReceiptHandle: parked.receiptHandle, VisibilityTimeout: 0 }));
}
