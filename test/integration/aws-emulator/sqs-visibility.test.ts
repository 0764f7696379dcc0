/**
 * ChangeMessageVisibility and its batch form through @aws-sdk/client-sqs, held to AWS's API model
 * (error shapes and codes from the SDK's schemas) and to what SQS is seen to answer; FIFO groups
 * stay blocked while any of their messages is in flight; the event source honours a changed
 * visibility.
 */
import {
  BatchEntryIdsNotDistinct,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  EmptyBatchRequest,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageCommand,
  TooManyEntriesInBatchRequest,
} from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { sqsClient } from "../../../lib/aws/sqs.ts";
import { rejectionOf, useEmulatedSqs, waitFor } from "./helpers.ts";

const { sqs, createQueue } = useEmulatedSqs();

const fifo = { FifoQueue: "true", ContentBasedDeduplication: "true" };

async function send(url: string, body: string, group?: string): Promise<void> {
  await sqsClient().send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, ...(group ? { MessageGroupId: group } : {}) }));
}

async function receive(url: string, options: { max?: number; visibility?: number } = {}) {
  const { Messages = [] } = await sqsClient().send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: options.max ?? 10, ...(options.visibility !== undefined ? { VisibilityTimeout: options.visibility } : {}) }),
  );
  return Messages;
}

const change = (url: string, handle: string, seconds: number) =>
  sqsClient().send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: seconds }));

/** An error the SDK could not map to a modeled class keeps the wire code as its name. */
const unmodeled = (name: string, message: RegExp) => expect.objectContaining({ name, message: expect.stringMatching(message), $metadata: expect.objectContaining({ httpStatusCode: 400 }) });

describe("ChangeMessageVisibility", () => {
  it("hides an in-flight message for the new timeout, and 0 hands it out again at once", async () => {
    const url = await createQueue("cmv-basic", { VisibilityTimeout: "30" });
    await send(url, "hello");
    const [first] = await receive(url);
    await change(url, first!.ReceiptHandle!, 600);
    expect(sqs.messages("cmv-basic")[0]!.visibleAt).toBeGreaterThan(Date.now() + 590_000);
    await change(url, first!.ReceiptHandle!, 0);
    const [again] = await receive(url);
    expect(again?.Body).toBe("hello");
  });

  it("refuses a timeout outside 0–43200 s, or beyond 12 hours from the receive in total", async () => {
    const url = await createQueue("cmv-range");
    await send(url, "m");
    const [message] = await receive(url);
    const handle = message!.ReceiptHandle!;
    for (const bad of [-1, 43_201, 1.5]) {
      expect(await rejectionOf(change(url, handle, bad))).toEqual(unmodeled("InvalidParameterValue", /parameter VisibilityTimeout is invalid/));
    }
    await change(url, handle, 43_200); // the maximum, right after the receive
    const stored = sqs.messages("cmv-range")[0]!;
    stored.receivedAt = stored.receivedAt! - 3_600_000; // as if received an hour ago
    expect(await rejectionOf(change(url, handle, 40_000))).toEqual(unmodeled("InvalidParameterValue", /Total VisibilityTimeout for the message is beyond the limit \[43200 seconds\]/));
    await change(url, handle, 39_600);
  });

  it("answers ReceiptHandleIsInvalid (404) for a handle that is not this queue's", async () => {
    const url = await createQueue("cmv-handles");
    const other = await createQueue("cmv-other");
    await send(other, "elsewhere");
    const [foreign] = await receive(other);
    for (const handle of ["not-a-handle", foreign!.ReceiptHandle!]) {
      const error = await rejectionOf(change(url, handle, 5));
      expect(error).toBeInstanceOf(ReceiptHandleIsInvalid);
      expect(error.$metadata.httpStatusCode).toBe(404);
    }
  });

  it("refuses a handle whose message was deleted or received again since", async () => {
    const url = await createQueue("cmv-stale", { VisibilityTimeout: "30" });
    await send(url, "m");
    const [first] = await receive(url);
    await change(url, first!.ReceiptHandle!, 0);
    const [second] = await receive(url);
    const notAvailable = unmodeled("InvalidParameterValue", /Message does not exist or is not available for visibility timeout change/);
    expect(await rejectionOf(change(url, first!.ReceiptHandle!, 5))).toEqual(notAvailable);
    await sqsClient().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second!.ReceiptHandle! }));
    expect(await rejectionOf(change(url, second!.ReceiptHandle!, 5))).toEqual(notAvailable);
  });

  it("after the timeout ran out: a standard queue answers OK and changes nothing, a FIFO queue's handle has expired", async () => {
    const standard = await createQueue("cmv-lapsed");
    const ordered = await createQueue("cmv-lapsed.fifo", fifo);
    await send(standard, "s");
    await send(ordered, "f", "g");
    const [s] = await receive(standard, { visibility: 1 });
    const [f] = await receive(ordered, { visibility: 1 });
    await waitFor(() => sqs.counts("cmv-lapsed").visible === 1 && sqs.counts("cmv-lapsed.fifo").visible === 1, 3000);
    await change(standard, s!.ReceiptHandle!, 300);
    expect(sqs.counts("cmv-lapsed").visible).toBe(1);
    expect(await rejectionOf(change(ordered, f!.ReceiptHandle!, 300))).toEqual(unmodeled("InvalidParameterValue", /The receipt handle has expired/));
  });
});

describe("ChangeMessageVisibilityBatch", () => {
  it("changes each entry alone, reporting the single call's error code for those it refuses", async () => {
    const url = await createQueue("cmvb", { VisibilityTimeout: "30" });
    for (const body of ["a", "b", "c"]) await send(url, body);
    const [a, b, c] = await receive(url);
    await sqsClient().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: c!.ReceiptHandle! }));
    const result = await sqsClient().send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "ok", ReceiptHandle: a!.ReceiptHandle!, VisibilityTimeout: 0 },
          { Id: "malformed", ReceiptHandle: "nope", VisibilityTimeout: 5 },
          { Id: "range", ReceiptHandle: b!.ReceiptHandle!, VisibilityTimeout: 50_000 },
          { Id: "deleted", ReceiptHandle: c!.ReceiptHandle!, VisibilityTimeout: 5 },
        ],
      }),
    );
    expect(result.Successful).toEqual([{ Id: "ok" }]);
    expect(result.Failed?.map((f) => [f.Id, f.Code, f.SenderFault])).toEqual([
      ["malformed", "ReceiptHandleIsInvalid", true],
      ["range", "InvalidParameterValue", true],
      ["deleted", "InvalidParameterValue", true],
    ]);
    expect(sqs.counts("cmvb")).toMatchObject({ visible: 1, inFlight: 1 });
  });

  it("refuses a malformed batch as a whole, with the SDK's modeled errors", async () => {
    const url = await createQueue("cmvb-shape");
    const batch = (entries: { Id: string; ReceiptHandle: string; VisibilityTimeout: number }[]) => sqsClient().send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: entries }));
    const entry = (id: string) => ({ Id: id, ReceiptHandle: "h", VisibilityTimeout: 1 });
    expect(await rejectionOf(batch([]))).toBeInstanceOf(EmptyBatchRequest);
    expect(await rejectionOf(batch([entry("x"), entry("x")]))).toBeInstanceOf(BatchEntryIdsNotDistinct);
    expect(await rejectionOf(batch(Array.from({ length: 11 }, (_, i) => entry(`e${i}`))))).toBeInstanceOf(TooManyEntriesInBatchRequest);
    // A well-formed batch resolves, its refused entries in Failed.
    expect((await batch([entry("x")])).Failed?.map((f) => f.Code)).toEqual(["ReceiptHandleIsInvalid"]);
  });
});

describe("FIFO groups and changed visibility", () => {
  it("keeps a group blocked while any of its messages is in flight, whichever was changed", async () => {
    const url = await createQueue("groups.fifo", { ...fifo, VisibilityTimeout: "30" });
    await send(url, "a1", "a");
    await send(url, "a2", "a");
    await send(url, "b1", "b");
    const received = await receive(url);
    expect(received.map((m) => m.Body)).toEqual(["a1", "a2", "b1"]);
    const handle = (body: string) => received.find((m) => m.Body === body)!.ReceiptHandle!;

    await change(url, handle("a1"), 0); // a1 is visible again, but a2 is still in flight
    expect(await receive(url)).toEqual([]);
    await change(url, handle("a2"), 0);
    expect((await receive(url)).map((m) => m.Body)).toEqual(["a1", "a2"]);
  });
});

describe("the event source with changed visibility", () => {
  it("delivers a failed record again when its changed visibility runs out, not after the queue's timeout", async () => {
    const url = await createQueue("backoff.fifo", { ...fifo, VisibilityTimeout: "90" });
    await send(url, "retry me", "job-1");
    const deliveries: { at: number; receiveCount: string }[] = [];
    const stop = sqs.subscribe("backoff.fifo", async (event) => {
      const [record] = event.Records;
      deliveries.push({ at: Date.now(), receiveCount: record!.attributes.ApproximateReceiveCount });
      if (deliveries.length > 1) return { batchItemFailures: [] };
      await change(url, record!.receiptHandle, 1);
      return { batchItemFailures: [{ itemIdentifier: record!.messageId }] };
    });
    try {
      await waitFor(() => sqs.counts("backoff.fifo").total === 0, 10_000);
    } finally {
      stop();
    }
    expect(deliveries.map((d) => d.receiveCount)).toEqual(["1", "2"]);
    const waited = deliveries[1]!.at - deliveries[0]!.at;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(10_000);
  });
});
