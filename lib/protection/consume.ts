/**
 * The protection queue's consumer: each SQS record is one protection request. Requests of one
 * waiting rule (a message group: run and environment) are handled in order, others at the same
 * time. A request to retry comes back after its own backoff (lib/runners/visibility.ts), one that
 * cannot be answered is parked (answer.ts), and a record that is not a request at all is parked
 * too, rather than dropped: the job it was about would otherwise wait for 30 days unexplained.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { consumeFifoBatch, safeJson } from "../runners/fifo-batch.ts";
import { retryDelaySeconds, type BackoffOptions, type MessageVisibility } from "../runners/visibility.ts";
import { answerProtectionRequest, type AnswerDeps, type AnswerOutcome } from "./answer.ts";
import { protectionRequestSchema } from "./message-schema.ts";
import type { ProtectionRequest } from "./request.ts";
import { recordMetric } from "../observability/metrics.ts";

export interface ConsumeProtectionDeps extends AnswerDeps {
  log: (message: string, fields: Record<string, unknown>) => void;
  /** Brings each record to retry back after its backoff; without it, after the queue's visibility timeout. */
  visibility?: MessageVisibility;
  backoff?: BackoffOptions;
  /** Wait for the notifications queued while handling the batch (before Lambda freezes). */
  flushNotifications?: () => Promise<unknown>;
  onOutcome?: (request: ProtectionRequest, outcome: AnswerOutcome) => void;
}

/**
 * Handle one batch; returns the records to retry (partial batch response).
 *
 * @example
 * export const handler = (event: SQSEvent) => consumeProtectionRequests(event, deps);
 */
export async function consumeProtectionRequests(event: SQSEvent, deps: ConsumeProtectionDeps): Promise<SQSBatchResponse> {
  return consumeFifoBatch(event, {
    handle: (record) => consumeRecord(record, Number(record.attributes.ApproximateReceiveCount ?? 1), deps),
    visibility: deps.visibility,
    flush: deps.flushNotifications,
  });
}

/** Seconds until the record comes back, or undefined when it is done with. */
async function consumeRecord(record: SQSRecord, receiveCount: number, deps: ConsumeProtectionDeps): Promise<number | undefined> {
  const parsed = protectionRequestSchema.safeParse(safeJson(record.body));
  try {
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(message)"}: ${i.message}`);
      await deps.park({ body: record.body }, `not a protection request: ${problems.join("; ")}`);
      deps.log("parked a malformed protection request", { messageId: record.messageId, problems });
      return undefined;
    }
    const request = parsed.data;
    const outcome = await answerProtectionRequest(request, receiveCount, deps);
    deps.onOutcome?.(request, outcome);
    // A verdict counts once GitHub has taken it; a parked one never reached the job.
    if (outcome.kind === "answered") recordMetric(outcome.state === "approved" ? "HookSucceeded" : "HookFailed", 1);
    deps.log("protection request", { ...facts(request), receiveCount, ...outcome });
    if (outcome.kind !== "retry") return undefined;
    return retryDelaySeconds(receiveCount, outcome.retryAfterSeconds, deps.backoff);
  } catch (error) {
    // Parking failed (or something unforeseen): the record is tried again, never dropped.
    const seconds = retryDelaySeconds(receiveCount, undefined, deps.backoff);
    deps.log("protection request will be retried", {
      ...(parsed.success ? facts(parsed.data) : { messageId: record.messageId }),
      error: (error as Error).name,
      reason: (error as Error).message,
      receiveCount,
      retryInSeconds: seconds,
    });
    return seconds;
  }
}

function facts(request: ProtectionRequest) {
  return { repository: request.repository, runId: request.runId, environment: request.environment, sha: request.sha, deliveryId: request.deliveryId };
}

