/**
 * SQS over AWS JSON 1.0 (`AmazonSQS.<Operation>`, awsQueryCompatible), the protocol
 * @aws-sdk/client-sqs speaks, plus an in-process event source mapping (`subscribe`) and inspection
 * helpers for tests and the local stack. Not emulated: retention expiry, KMS, permissions, tags.
 */
import type { AwsRequest, ServiceEmulation } from "../types.ts";
import { invalidParameter, missingParameter, sqsError } from "./sqs/errors.ts";
import { subscribeToQueue, type SqsEventHandler, type SubscribeOptions } from "./sqs/event-source.ts";
import { SqsQueue, type SendInput, type SqsMessage } from "./sqs/queue.ts";

export type { SqsEventHandler, SubscribeOptions } from "./sqs/event-source.ts";
export type { SqsMessage } from "./sqs/queue.ts";

export interface SqsEmulationOptions {
  /** Account id in queue URLs and ARNs (default 000000000000). */
  accountId?: string;
  /** Region of queues created without a signed request (default AWS_REGION or us-east-1). */
  region?: string;
  /** Longest a ReceiveMessage long poll waits, whatever WaitTimeSeconds asks (default 20 s). */
  maxWaitSeconds?: number;
}

export interface SqsEmulation extends ServiceEmulation {
  /** Create (or return) a queue without going through the API, e.g. when the local stack boots. */
  createQueue(name: string, attributes?: Record<string, string>): SqsQueue;
  queue(name: string): SqsQueue | undefined;
  /** The queue's messages, in order, visible or not (read-only view for assertions). */
  messages(name: string): readonly SqsMessage[];
  counts(name: string): { visible: number; inFlight: number; delayed: number; total: number };
  /** Deliver messages to `handler` as Lambda's event source mapping does; returns unsubscribe. */
  subscribe(name: string, handler: SqsEventHandler, options?: SubscribeOptions): () => void;
  /** Queue URL as the emulator at `origin` hands it out. */
  queueUrl(name: string, origin: string): string;
}

const DEFAULT_ATTRIBUTES: Record<string, string> = {
  VisibilityTimeout: "30",
  DelaySeconds: "0",
  MaximumMessageSize: "262144",
  MessageRetentionPeriod: "345600",
  ReceiveMessageWaitTimeSeconds: "0",
};
const SETTABLE = new Set([...Object.keys(DEFAULT_ATTRIBUTES), "FifoQueue", "ContentBasedDeduplication", "RedrivePolicy", "Policy", "KmsMasterKeyId", "SqsManagedSseEnabled", "DeduplicationScope", "FifoThroughputLimit", "RedriveAllowPolicy"]);

/**
 * @example
 * const sqs = createSqsEmulation();
 * const stop = sqs.subscribe("launches.fifo", (event) => handler(event, context));
 */
export function createSqsEmulation(options: SqsEmulationOptions = {}): SqsEmulation {
  const accountId = options.accountId ?? "000000000000";
  const defaultRegion = options.region ?? process.env.AWS_REGION ?? "us-east-1";
  const maxWaitMs = (options.maxWaitSeconds ?? 20) * 1000;
  const queues = new Map<string, SqsQueue>();
  const unsubscribers = new Set<() => void>();
  let closed = false;

  const byArn = (arn: string) => [...queues.values()].find((q) => q.arn === arn);
  const mustGet = (name: string) => {
    const queue = queues.get(name);
    if (!queue) throw sqsError("QueueDoesNotExist", `The specified queue ${name} does not exist.`);
    return queue;
  };
  const fromUrl = (url: unknown) => {
    if (typeof url !== "string" || url === "") throw missingParameter("QueueUrl");
    return mustGet(url.replace(/\/+$/, "").split("/").pop() ?? "");
  };
  const queueUrl = (name: string, origin: string) => `${origin}/${accountId}/${name}`;
  const originOf = (request: AwsRequest) => request.origin ?? `http://sqs.${request.region}.localhost`;
  const senderOf = (request: AwsRequest) =>
    /Credential=([^/]+)\//.exec(request.headers.authorization ?? "")?.[1] ?? "AIDAEMULATEDSENDER";

  function validateAttributes(attributes: Record<string, string>): void {
    for (const name of Object.keys(attributes)) {
      if (!SETTABLE.has(name)) throw sqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
    }
    if (attributes.RedrivePolicy) {
      let policy: { deadLetterTargetArn?: string; maxReceiveCount?: unknown };
      try {
        policy = JSON.parse(attributes.RedrivePolicy) as typeof policy;
      } catch {
        throw sqsError("InvalidAttributeValue", "Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.");
      }
      if (!policy.deadLetterTargetArn || !byArn(policy.deadLetterTargetArn)) {
        throw sqsError("InvalidAttributeValue", "Value for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.");
      }
      if (!(Number(policy.maxReceiveCount) >= 1)) {
        throw sqsError("InvalidAttributeValue", "Value for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount.");
      }
    }
  }

  function createQueue(name: string, attributes: Record<string, string> = {}, region = defaultRegion): SqsQueue {
    if (!/^[A-Za-z0-9_-]{1,75}(\.fifo)?$/.test(name) || name.length > 80) {
      throw invalidParameter("QueueName", name, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
    }
    const fifo = attributes.FifoQueue === "true";
    if (fifo !== name.endsWith(".fifo")) {
      throw invalidParameter("QueueName", name, "The name of a FIFO queue must end with the .fifo suffix, and only FIFO queues may use it.");
    }
    validateAttributes(attributes);
    const wanted = { ...DEFAULT_ATTRIBUTES, ...(fifo ? { ContentBasedDeduplication: "false" } : {}), ...attributes };
    const existing = queues.get(name);
    if (existing) {
      const differs = Object.entries(attributes).some(([k, v]) => existing.attributes[k] !== v);
      if (differs) throw sqsError("QueueNameExists", `A queue already exists with the same name and a different value for attribute(s).`);
      return existing;
    }
    const queue = new SqsQueue(name, `arn:aws:sqs:${region}:${accountId}:${name}`, region, wanted, byArn);
    queues.set(name, queue);
    return queue;
  }

  function queueAttributes(queue: SqsQueue, names: string[] | undefined): Record<string, string> {
    const counts = queue.counts();
    const all: Record<string, string> = {
      ...queue.attributes,
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.modifiedAt / 1000)),
    };
    const wanted = !names || names.includes("All") ? Object.keys(all) : names;
    const out: Record<string, string> = {};
    for (const name of wanted) {
      if (!(name in all) && !SETTABLE.has(name)) throw sqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
      if (all[name] !== undefined) out[name] = all[name];
    }
    return out;
  }

  function receivedMessage(message: SqsMessage, input: Record<string, unknown>) {
    const wantedSystem = [...((input.AttributeNames as string[]) ?? []), ...((input.MessageSystemAttributeNames as string[]) ?? [])];
    const system: Record<string, string> = {
      SenderId: message.senderId,
      SentTimestamp: String(message.sentTimestamp),
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? message.sentTimestamp),
      ...(message.groupId ? { MessageGroupId: message.groupId } : {}),
      ...(message.deduplicationId ? { MessageDeduplicationId: message.deduplicationId } : {}),
      ...(message.sequenceNumber ? { SequenceNumber: message.sequenceNumber } : {}),
    };
    const attributes = Object.fromEntries(Object.entries(system).filter(([k]) => wantedSystem.includes("All") || wantedSystem.includes(k)));
    const wantedUser = (input.MessageAttributeNames as string[]) ?? [];
    const userAttributes = Object.fromEntries(
      Object.entries(message.messageAttributes).filter(([k]) =>
        wantedUser.some((w) => w === "All" || w === ".*" || w === k || (w.endsWith(".*") && k.startsWith(w.slice(0, -1)))),
      ),
    );
    const hasUser = Object.keys(userAttributes).length > 0;
    return {
      MessageId: message.messageId,
      ReceiptHandle: message.receiptHandle,
      MD5OfBody: message.md5OfBody,
      Body: message.body,
      ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
      ...(hasUser ? { MessageAttributes: userAttributes, MD5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
    };
  }

  /** Run each entry of a batch request, collecting Successful and Failed as SQS does. */
  function batch<E extends { Id?: string }, R>(entries: E[] | undefined, run: (entry: E) => R) {
    if (!entries || entries.length === 0) throw sqsError("EmptyBatchRequest", "There should be at least one entry in the request.");
    if (entries.length > 10) throw sqsError("TooManyEntriesInBatchRequest", `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
    const ids = entries.map((e) => e.Id ?? "");
    if (new Set(ids).size !== ids.length) throw sqsError("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.");
    if (ids.some((id) => !/^[A-Za-z0-9_-]{1,80}$/.test(id))) throw sqsError("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores.");
    const Successful: Array<R & { Id: string }> = [];
    const Failed: Array<{ Id: string; SenderFault: boolean; Code: string; Message: string }> = [];
    for (const entry of entries) {
      try {
        Successful.push({ ...run(entry), Id: entry.Id! });
      } catch (error) {
        const e = error as { code?: string; message: string };
        Failed.push({ Id: entry.Id!, SenderFault: true, Code: e.code ?? "InternalError", Message: e.message });
      }
    }
    return { Successful, Failed };
  }

  const emulation: SqsEmulation = {
    signingName: "sqs",
    protocol: "json",
    targetPrefix: "AmazonSQS",
    operations: {
      CreateQueue: (input: { QueueName?: string; Attributes?: Record<string, string> }, request) => {
        if (!input.QueueName) throw missingParameter("QueueName");
        const queue = createQueue(input.QueueName, input.Attributes, request.region);
        return { QueueUrl: queueUrl(queue.name, originOf(request)) };
      },
      GetQueueUrl: (input: { QueueName?: string }, request) => ({ QueueUrl: queueUrl(mustGet(input.QueueName ?? "").name, originOf(request)) }),
      ListQueues: (input: { QueueNamePrefix?: string }, request) => ({
        QueueUrls: [...queues.keys()].filter((n) => n.startsWith(input.QueueNamePrefix ?? "")).map((n) => queueUrl(n, originOf(request))),
      }),
      DeleteQueue: (input) => {
        queues.delete(fromUrl(input.QueueUrl).name);
        return {};
      },
      GetQueueAttributes: (input: { QueueUrl?: string; AttributeNames?: string[] }) => ({
        Attributes: queueAttributes(fromUrl(input.QueueUrl), input.AttributeNames),
      }),
      SetQueueAttributes: (input: { QueueUrl?: string; Attributes?: Record<string, string> }) => {
        const queue = fromUrl(input.QueueUrl);
        validateAttributes(input.Attributes ?? {});
        Object.assign(queue.attributes, input.Attributes);
        queue.modifiedAt = Date.now();
        return {};
      },
      SendMessage: (input: SendInput & { QueueUrl?: string }, request) => fromUrl(input.QueueUrl).send(input, senderOf(request)),
      SendMessageBatch: (input: { QueueUrl?: string; Entries?: Array<SendInput & { Id?: string }> }, request) => {
        const queue = fromUrl(input.QueueUrl);
        return batch(input.Entries, (entry) => queue.send(entry, senderOf(request)));
      },
      ReceiveMessage: async (input: Record<string, unknown>) => {
        const queue = fromUrl(input.QueueUrl);
        const max = (input.MaxNumberOfMessages as number | undefined) ?? 1;
        if (max < 1 || max > 10) throw invalidParameter("MaxNumberOfMessages", max, "Must be between 1 and 10, if provided.");
        const wait = (input.WaitTimeSeconds as number | undefined) ?? Number(queue.attributes.ReceiveMessageWaitTimeSeconds ?? 0);
        if (wait < 0 || wait > 20) throw invalidParameter("WaitTimeSeconds", wait, "Must be >= 0 and <= 20, if provided.");
        const visibility = input.VisibilityTimeout as number | undefined;
        const deadline = Date.now() + Math.min(wait * 1000, maxWaitMs);
        let messages = queue.receive(max, visibility);
        while (messages.length === 0 && Date.now() < deadline && !closed) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(20, deadline - Date.now())));
          messages = queue.receive(max, visibility);
        }
        return { Messages: messages.map((m) => receivedMessage(m, input)) };
      },
      DeleteMessage: (input: { QueueUrl?: string; ReceiptHandle?: string }) => {
        if (!input.ReceiptHandle) throw missingParameter("ReceiptHandle");
        fromUrl(input.QueueUrl).delete(input.ReceiptHandle);
        return {};
      },
      DeleteMessageBatch: (input: { QueueUrl?: string; Entries?: Array<{ Id?: string; ReceiptHandle?: string }> }) => {
        const queue = fromUrl(input.QueueUrl);
        return batch(input.Entries, (entry) => (queue.delete(entry.ReceiptHandle ?? ""), {}));
      },
      // Rules (handle validity, 0–43200 s, 12 h in total, FIFO expiry) in SqsQueue.changeVisibility.
      ChangeMessageVisibility: (input: { QueueUrl?: string; ReceiptHandle?: string; VisibilityTimeout?: number }) => {
        const queue = fromUrl(input.QueueUrl);
        if (!input.ReceiptHandle) throw missingParameter("ReceiptHandle");
        if (input.VisibilityTimeout === undefined) throw missingParameter("VisibilityTimeout");
        queue.changeVisibility(input.ReceiptHandle, input.VisibilityTimeout);
        return {};
      },
      // Each entry succeeds or fails alone (Failed[].Code is the single call's error code).
      // VisibilityTimeout is optional in the model; an entry without it is treated as 0.
      ChangeMessageVisibilityBatch: (input: { QueueUrl?: string; Entries?: Array<{ Id?: string; ReceiptHandle?: string; VisibilityTimeout?: number }> }) => {
        const queue = fromUrl(input.QueueUrl);
        return batch(input.Entries, (entry) => (queue.changeVisibility(entry.ReceiptHandle ?? "", entry.VisibilityTimeout ?? 0), {}));
      },
      PurgeQueue: (input) => {
        fromUrl(input.QueueUrl).purge();
        return {};
      },
    },
    createQueue: (name, attributes) => createQueue(name, attributes),
    queue: (name) => queues.get(name),
    messages: (name) => mustGet(name).messages,
    counts: (name) => mustGet(name).counts(),
    subscribe(name, handler, subscribeOptions) {
      const stop = subscribeToQueue(mustGet(name), handler, subscribeOptions);
      unsubscribers.add(stop);
      return () => {
        unsubscribers.delete(stop);
        stop();
      };
    },
    queueUrl,
    close() {
      closed = true;
      for (const stop of unsubscribers) stop();
      unsubscribers.clear();
    },
  };
  return emulation;
}
