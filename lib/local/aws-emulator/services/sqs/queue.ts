/**
 * One emulated SQS queue: messages with visibility timeouts, FIFO groups and deduplication,
 * per-message delays, receipt handles, and redrive to a dead-letter queue once a message has been
 * received maxReceiveCount times. Pure state; the wire handlers live in ../sqs.ts.
 */
import { createHash, randomUUID } from "node:crypto";
import { invalidParameter, missingParameter, sqsError } from "./errors.ts";
import { md5Hex, md5OfMessageAttributes, type SqsMessageAttribute } from "./md5.ts";

/** FIFO deduplication interval: a repeat within it is accepted but not enqueued. */
export const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;

/** The longest a message stays hidden after one receive, changes of its visibility included (12 h). */
export const MAX_VISIBILITY_SECONDS = 43_200;

export interface SqsMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes: Record<string, SqsMessageAttribute>;
  md5OfMessageAttributes: string | undefined;
  groupId: string | undefined;
  deduplicationId: string | undefined;
  sequenceNumber: string | undefined;
  senderId: string;
  sentTimestamp: number;
  firstReceiveTimestamp: number | undefined;
  receiveCount: number;
  /** Epoch ms from which the message can be received (delay or visibility timeout). */
  visibleAt: number;
  /** The handle of the latest receive; older handles no longer delete the message. */
  receiptHandle: string | undefined;
  /** Epoch ms of the latest receive: visibility changes may hide it for 12 h from then, no more. */
  receivedAt: number | undefined;
}

export interface SendInput {
  MessageBody?: string;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, SqsMessageAttribute>;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

export interface SendResult {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  SequenceNumber?: string;
}

let sequence = 10_000_000_000_000_000_000n;

export class SqsQueue {
  readonly name: string;
  readonly arn: string;
  readonly region: string;
  readonly createdAt = Date.now();
  modifiedAt = Date.now();
  attributes: Record<string, string>;
  messages: SqsMessage[] = [];
  readonly #dedup = new Map<string, { result: SendResult; expiresAt: number }>();
  readonly #resolve: (arn: string) => SqsQueue | undefined;

  constructor(name: string, arn: string, region: string, attributes: Record<string, string>, resolve: (arn: string) => SqsQueue | undefined) {
    this.name = name;
    this.arn = arn;
    this.region = region;
    this.attributes = attributes;
    this.#resolve = resolve;
  }

  get fifo(): boolean {
    return this.attributes.FifoQueue === "true";
  }

  get visibilityTimeout(): number {
    return Number(this.attributes.VisibilityTimeout ?? 30);
  }

  get redrivePolicy(): { deadLetterTargetArn: string; maxReceiveCount: number } | undefined {
    if (!this.attributes.RedrivePolicy) return undefined;
    const policy = JSON.parse(this.attributes.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number | string };
    return { deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount: Number(policy.maxReceiveCount) };
  }

  send(input: SendInput, senderId: string, now = Date.now()): SendResult {
    const body = input.MessageBody;
    if (body === undefined) throw missingParameter("MessageBody");
    if (body.length === 0) throw invalidParameter("MessageBody", "", "Message must be at least one character.");
    if (Buffer.byteLength(body) > Number(this.attributes.MaximumMessageSize ?? 262144)) {
      throw invalidParameter("MessageBody", "(too long)", "Message must be shorter than MaximumMessageSize bytes.");
    }
    let deduplicationId: string | undefined;
    if (this.fifo) {
      if (!input.MessageGroupId) throw missingParameter("MessageGroupId");
      if (input.DelaySeconds !== undefined && input.DelaySeconds !== 0) {
        throw invalidParameter("DelaySeconds", input.DelaySeconds, "The request include parameter that is not valid for this queue type");
      }
      deduplicationId = input.MessageDeduplicationId;
      if (!deduplicationId && this.attributes.ContentBasedDeduplication === "true") {
        deduplicationId = createHash("sha256").update(body).digest("hex");
      }
      if (!deduplicationId) {
        throw invalidParameter("MessageDeduplicationId", "", "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
      }
      const seen = this.#dedup.get(deduplicationId);
      // A duplicate keeps the first MessageId; the digests describe this request (the SDK checks them).
      if (seen && seen.expiresAt > now) {
        const md5OfAttributes = md5OfMessageAttributes(input.MessageAttributes);
        return { ...seen.result, MD5OfMessageBody: md5Hex(body), ...(md5OfAttributes ? { MD5OfMessageAttributes: md5OfAttributes } : {}) };
      }
    } else if (input.MessageDeduplicationId !== undefined) {
      throw invalidParameter("MessageDeduplicationId", input.MessageDeduplicationId, "The request include parameter that is not valid for this queue type");
    }
    const delay = input.DelaySeconds ?? Number(this.attributes.DelaySeconds ?? 0);
    if (delay < 0 || delay > 900) throw invalidParameter("DelaySeconds", delay, "DelaySeconds must be >= 0 and <= 900.");
    const message: SqsMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5Hex(body),
      messageAttributes: input.MessageAttributes ?? {},
      md5OfMessageAttributes: md5OfMessageAttributes(input.MessageAttributes),
      groupId: input.MessageGroupId,
      deduplicationId,
      sequenceNumber: this.fifo ? String(++sequence) : undefined,
      senderId,
      sentTimestamp: now,
      firstReceiveTimestamp: undefined,
      receiveCount: 0,
      visibleAt: now + delay * 1000,
      receiptHandle: undefined,
      receivedAt: undefined,
    };
    this.messages.push(message);
    const result: SendResult = {
      MessageId: message.messageId,
      MD5OfMessageBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes ? { MD5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
      ...(message.sequenceNumber ? { SequenceNumber: message.sequenceNumber } : {}),
    };
    if (deduplicationId) this.#dedup.set(deduplicationId, { result, expiresAt: now + DEDUPLICATION_WINDOW_MS });
    return result;
  }

  /**
   * Receive up to `max` visible messages, making them invisible for `visibilitySeconds`. FIFO: a
   * group with a message in flight anywhere in it (or a delayed one ahead) yields nothing, so order
   * holds within a group — also when a later message of the group was given a longer visibility
   * than an earlier one. A message already received maxReceiveCount times moves to the dead-letter
   * queue instead.
   */
  receive(max: number, visibilitySeconds = this.visibilityTimeout, now = Date.now()): SqsMessage[] {
    const out: SqsMessage[] = [];
    const blocked = new Set<string>(this.fifo ? this.messages.filter((m) => m.receiveCount > 0 && m.visibleAt > now).map((m) => m.groupId ?? "") : []);
    const redrive = this.redrivePolicy;
    for (const message of [...this.messages]) {
      if (out.length >= max) break;
      const group = message.groupId ?? "";
      if (this.fifo && blocked.has(group)) continue;
      if (message.visibleAt > now) {
        blocked.add(group);
        continue;
      }
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        const deadLetterQueue = this.#resolve(redrive.deadLetterTargetArn);
        if (deadLetterQueue) {
          this.#remove(message);
          deadLetterQueue.#accept(message, now);
          continue;
        }
      }
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
      message.visibleAt = now + visibilitySeconds * 1000;
      message.receiptHandle = receiptHandleFor(this.name, message.messageId);
      message.receivedAt = now;
      out.push(message);
    }
    return out;
  }

  /** Delete by receipt handle. A stale handle (the message was received again since) deletes nothing, as on AWS. */
  delete(receiptHandle: string): void {
    const { messageId } = this.#parseHandle(receiptHandle);
    const message = this.messages.find((m) => m.messageId === messageId);
    if (message && message.receiptHandle === receiptHandle) this.#remove(message);
  }

  /**
   * ChangeMessageVisibility: hide the message received with `receiptHandle` for `seconds` from now
   * (0 makes it receivable at once), as AWS answers it:
   *
   * - a handle that is not one of this queue's: ReceiptHandleIsInvalid;
   * - a message deleted (or redriven, purged) or received again since this handle: InvalidParameterValue,
   *   "Message does not exist or is not available for visibility timeout change";
   * - the latest handle after its visibility ran out: on a standard queue AWS answers OK and changes
   *   nothing (LocalStack's AWS-validated behaviour); a FIFO queue's handle has expired
   *   (InvalidParameterValue, "The receipt handle has expired", as for DeleteMessage);
   * - more than 12 hours after the receive in total: InvalidParameterValue.
   *
   * MessageNotInflight is in the API model, but AWS has not been seen to answer it (neither
   * LocalStack's nor moto's maintainers could make it), so nothing here raises it.
   */
  changeVisibility(receiptHandle: string, seconds: number, now = Date.now()): void {
    if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_SECONDS) {
      throw invalidParameter("VisibilityTimeout", seconds, `Must be an integer between 0 and ${MAX_VISIBILITY_SECONDS}.`);
    }
    const { messageId } = this.#parseHandle(receiptHandle);
    const message = this.messages.find((m) => m.messageId === messageId);
    if (!message || message.receiptHandle !== receiptHandle) {
      throw invalidParameter("ReceiptHandle", receiptHandle, "Message does not exist or is not available for visibility timeout change.");
    }
    if (message.visibleAt <= now) {
      if (this.fifo) throw invalidParameter("ReceiptHandle", receiptHandle, "The receipt handle has expired.");
      return;
    }
    // Counted in whole seconds since the receive, so 43200 right after receiving is still allowed.
    if (Math.floor((now - (message.receivedAt ?? now)) / 1000) + seconds > MAX_VISIBILITY_SECONDS) {
      throw invalidParameter("VisibilityTimeout", seconds, `Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_SECONDS} seconds]`);
    }
    message.visibleAt = now + seconds * 1000;
  }

  purge(): void {
    this.messages.length = 0;
  }

  counts(now = Date.now()): { visible: number; inFlight: number; delayed: number; total: number } {
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of this.messages) {
      if (m.visibleAt <= now) visible += 1;
      else if (m.receiveCount > 0) inFlight += 1;
      else delayed += 1;
    }
    return { visible, inFlight, delayed, total: this.messages.length };
  }

  #remove(message: SqsMessage): void {
    const index = this.messages.indexOf(message);
    if (index >= 0) this.messages.splice(index, 1);
  }

  // A redriven message keeps its id, body, attributes and sent time; its receive count restarts.
  #accept(message: SqsMessage, now: number): void {
    this.messages.push({
      ...message,
      sequenceNumber: this.fifo ? String(++sequence) : undefined,
      receiveCount: 0,
      firstReceiveTimestamp: undefined,
      visibleAt: now,
      receiptHandle: undefined,
      receivedAt: undefined,
    });
  }

  #parseHandle(receiptHandle: string): { messageId: string } {
    try {
      const parsed = JSON.parse(Buffer.from(receiptHandle, "base64url").toString("utf8")) as { q?: string; m?: string };
      if (parsed.q === this.name && typeof parsed.m === "string") return { messageId: parsed.m };
    } catch {
      // fall through to the error below
    }
    throw sqsError("ReceiptHandleIsInvalid", `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`);
  }
}

// Opaque to clients like AWS's, but decodable here: queue, message and a per-receive nonce.
function receiptHandleFor(queue: string, messageId: string): string {
  return Buffer.from(JSON.stringify({ q: queue, m: messageId, n: randomUUID() })).toString("base64url");
}
