import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { sqsClient } from "../../../lib/aws/sqs.ts";
import { rejectionOf, useEmulatedSqs, waitFor } from "./helpers.ts";

const emulator = useEmulatedSqs();
const { sqs, createQueue } = emulator;

async function arnOf(queueUrl: string): Promise<string> {
  const { Attributes } = await sqsClient().send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }));
  return Attributes!.QueueArn!;
}

describe("SQS emulation through @aws-sdk/client-sqs", () => {
  it("creates queues whose URL the client can use, and finds them again by name", async () => {
    const url = await createQueue("plain");
    expect(url).toBe(`${emulator.aws.url}/000000000000/plain`);
    const { QueueUrl } = await sqsClient().send(new GetQueueUrlCommand({ QueueName: "plain" }));
    expect(QueueUrl).toBe(url);
    expect(await arnOf(url)).toBe("arn:aws:sqs:eu-west-1:000000000000:plain");
  });

  it("answers an unknown queue with the SDK's QueueDoesNotExist", async () => {
    const error = await rejectionOf(sqsClient().send(new GetQueueUrlCommand({ QueueName: "missing" })));
    expect(error).toBeInstanceOf(QueueDoesNotExist);
  });

  it("accepts a FIFO duplicate within the window without enqueuing it, returning the first MessageId", async () => {
    const url = await createQueue("dedup.fifo", { FifoQueue: "true" });
    const send = (body: string) =>
      sqsClient().send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: "job-1", MessageDeduplicationId: "delivery-1" }));
    const first = await send("one");
    const second = await send("one again");
    expect(second.MessageId).toBe(first.MessageId);
    expect(second.SequenceNumber).toBe(first.SequenceNumber);
    expect(sqs.messages("dedup.fifo").map((m) => m.body)).toEqual(["one"]);
  });

  it("deduplicates on content when ContentBasedDeduplication is on, and requires a group id", async () => {
    const url = await createQueue("content.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    await sqsClient().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "same", MessageGroupId: "g" }));
    await sqsClient().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "same", MessageGroupId: "g" }));
    expect(sqs.counts("content.fifo").total).toBe(1);
    const error = await rejectionOf(sqsClient().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "no group" })));
    expect(error).toMatchObject({ name: "MissingParameter" });
  });

  it("hides a received message for its visibility timeout, then delivers it again with a higher receive count", async () => {
    const url = await createQueue("visibility", { VisibilityTimeout: "1" });
    await sqsClient().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "hello" }));
    const first = await sqsClient().send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ["All"] }));
    expect(first.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe("1");
    const hidden = await sqsClient().send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(hidden.Messages ?? []).toHaveLength(0);
    const again = await sqsClient().send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 3, MessageSystemAttributeNames: ["All"] }));
    expect(again.Messages?.[0]?.Body).toBe("hello");
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe("2");
    // The first receipt handle is stale now: deleting with it succeeds but keeps the message, as on AWS.
    await sqsClient().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages![0]!.ReceiptHandle! }));
    expect(sqs.counts("visibility").total).toBe(1);
    await sqsClient().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again.Messages![0]!.ReceiptHandle! }));
    expect(sqs.counts("visibility").total).toBe(0);
  });

  it("long-polls until a message arrives, and ChangeMessageVisibility makes it visible again", async () => {
    const url = await createQueue("long-poll");
    const pending = sqsClient().send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    setTimeout(() => void sqsClient().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "late" })), 100);
    const received = await pending;
    expect(received.Messages?.[0]?.Body).toBe("late");
    await sqsClient().send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: received.Messages![0]!.ReceiptHandle!, VisibilityTimeout: 0 }));
    expect(sqs.counts("long-poll").visible).toBe(1);
    await sqsClient().send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(sqs.counts("long-poll").total).toBe(0);
  });

  it("sends and deletes in batches, keeping message attributes (the SDK checks every MD5)", async () => {
    const url = await createQueue("batch");
    const sent = await sqsClient().send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "a", MessageBody: "first", MessageAttributes: { kind: { DataType: "String", StringValue: "launch" } } },
          { Id: "b", MessageBody: "second", DelaySeconds: 0 },
        ],
      }),
    );
    expect(sent.Successful?.map((s) => s.Id)).toEqual(["a", "b"]);
    const received = await sqsClient().send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }),
    );
    expect(received.Messages?.find((m) => m.Body === "first")?.MessageAttributes?.kind?.StringValue).toBe("launch");
    const deleted = await sqsClient().send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: received.Messages!.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
    expect(deleted.Successful).toHaveLength(2);
    expect(sqs.counts("batch").total).toBe(0);
  });

  it("holds back a standard queue's delayed message", async () => {
    const url = await createQueue("delayed");
    await sqsClient().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "later", DelaySeconds: 60 }));
    const { Attributes } = await sqsClient().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
    expect(Attributes).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesDelayed: "1" });
  });
});

describe("SQS event source mapping (subscribe)", () => {
  it("redrives a message to the DLQ after maxReceiveCount failed deliveries", async () => {
    const dlqArn = await arnOf(await createQueue("launches-dlq"));
    const url = await createQueue("launches", {
      VisibilityTimeout: "1",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
    });
    await sqsClient().send(new SendMessageCommand({ QueueUrl: url, MessageBody: "poison" }));
    const seen: string[] = [];
    const stop = sqs.subscribe("launches", async (event: SQSEvent) => {
      seen.push(event.Records[0]!.attributes.ApproximateReceiveCount);
      throw new Error("handler failed");
    });
    try {
      await waitFor(() => sqs.counts("launches-dlq").total === 1);
    } finally {
      stop();
    }
    expect(seen).toEqual(["1", "2"]);
    expect(sqs.counts("launches").total).toBe(0);
    expect(sqs.messages("launches-dlq")[0]?.body).toBe("poison");
  });

  it("deletes the successes of a partial batch and retries only the reported failures", async () => {
    const dlqArn = await arnOf(await createQueue("partial-dlq"));
    const url = await createQueue("partial", {
      VisibilityTimeout: "1",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
    });
    for (const body of ["ok-1", "bad", "ok-2"]) await sqsClient().send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    const batches: string[][] = [];
    const stop = sqs.subscribe(
      "partial",
      async (event) => {
        batches.push(event.Records.map((r) => r.body));
        return { batchItemFailures: event.Records.filter((r) => r.body === "bad").map((r) => ({ itemIdentifier: r.messageId })) };
      },
      { batchSize: 10 },
    );
    try {
      await waitFor(() => sqs.counts("partial-dlq").total === 1);
    } finally {
      stop();
    }
    expect(batches[0]).toEqual(["ok-1", "bad", "ok-2"]);
    expect(sqs.counts("partial").total).toBe(0);
    expect(sqs.messages("partial-dlq").map((m) => m.body)).toEqual(["bad"]);
  });

  it("delivers a real SQSEvent and keeps FIFO order within a group, one batch in flight per group", async () => {
    const url = await createQueue("ordered.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    for (const [group, body] of [["a", "a1"], ["b", "b1"], ["a", "a2"], ["a", "a3"]] as const) {
      await sqsClient().send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: group }));
    }
    const events: SQSEvent[] = [];
    const stop = sqs.subscribe("ordered.fifo", (event) => void events.push(event), { batchSize: 2, maxConcurrency: 2 });
    try {
      await waitFor(() => sqs.counts("ordered.fifo").total === 0);
    } finally {
      stop();
    }
    const bodies = events.flatMap((e) => e.Records.map((r) => r.body));
    expect(bodies.filter((b) => b.startsWith("a"))).toEqual(["a1", "a2", "a3"]);
    const record = events[0]!.Records[0]!;
    expect(record).toMatchObject({
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:eu-west-1:000000000000:ordered.fifo",
      awsRegion: "eu-west-1",
      attributes: { ApproximateReceiveCount: "1", MessageGroupId: "a" },
    });
    expect(record.attributes.SequenceNumber).toMatch(/^\d{20}$/);
  });
});
