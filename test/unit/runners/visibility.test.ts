/**
 * When a retried job message comes back: the backoff schedule, the hints that floor it, the queue a
 * record's receipt handle belongs to, and a ChangeMessageVisibility that fails changing nothing else.
 */
import { ChangeMessageVisibilityBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { GitHubRateLimitError } from "../../../lib/github/errors.ts";
import { RetryLaterError } from "../../../lib/runners/errors.ts";
import { queueUrlOf, retryDelaySeconds, retryHintSeconds, sqsMessageVisibility } from "../../../lib/runners/visibility.ts";

const low = { random: () => 0 };
const high = { random: () => 0.999999 };

describe("retryDelaySeconds()", () => {
  it("doubles with each receive, between half and all of 2 s × 2^(n−1), capped at 5 minutes", () => {
    const schedule = (options: { random: () => number }) => Array.from({ length: 10 }, (_, i) => retryDelaySeconds(i + 1, undefined, options));
    expect(schedule(high)).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
    expect(schedule(low)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 150, 150]);
    expect(retryDelaySeconds(1_000, undefined, high)).toBe(300);
  });

  it("spreads a burst of retries of the same receive instead of bringing them back at once", () => {
    const delays = new Set(Array.from({ length: 200 }, () => retryDelaySeconds(6)));
    expect(delays.size).toBeGreaterThan(10);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(32);
    expect(Math.max(...delays)).toBeLessThanOrEqual(64);
  });

  it("never brings a record back before its hint, and only a little after it", () => {
    expect(retryDelaySeconds(1, 2, low)).toBe(2); // a throttled StartBuild: seconds, not the visibility timeout
    expect(retryDelaySeconds(1, 2, high)).toBe(3);
    expect(retryDelaySeconds(1, 88, low)).toBe(88); // another worker's lease: until it runs out
    expect(retryDelaySeconds(1, 88, high)).toBe(97);
    expect(retryDelaySeconds(1, 600, high)).toBe(610); // spread by at most 10 s
    // The hint floors the schedule; it does not stop it growing.
    expect(retryDelaySeconds(5, 2, high)).toBe(32);
    // An hour at most, whatever a rate limit's reset says.
    expect(retryDelaySeconds(1, 86_400, low)).toBe(3600);
  });

  it("treats a missing or odd receive count as the first receive, and waits at least a second", () => {
    expect(retryDelaySeconds(Number.NaN, undefined, high)).toBe(2);
    expect(retryDelaySeconds(0, undefined, high)).toBe(2);
    expect(retryDelaySeconds(1, 0, low)).toBe(1);
  });
});

describe("retryHintSeconds()", () => {
  it("reads the error's own hint, else a cause's (GitHub's retry-after behind the launcher's error)", () => {
    expect(retryHintSeconds(new RetryLaterError("throttled", { retryAfterSeconds: 2 }))).toBe(2);
    const limited = new GitHubRateLimitError("rate limited", { status: 429, retryAfterSeconds: 45 });
    expect(retryHintSeconds(new RetryLaterError(limited.message, { cause: limited }))).toBe(45);
    expect(retryHintSeconds(new RetryLaterError("DynamoDB throttled"))).toBeUndefined();
    expect(retryHintSeconds(new Error("boom"))).toBeUndefined();
    expect(retryHintSeconds(undefined)).toBeUndefined();
  });
});

describe("queueUrlOf()", () => {
  const arn = "arn:aws:sqs:eu-west-1:123456789012:runway-dev-jobs.fifo";

  it("uses the configured URL when it names the record's queue (a local or VPC endpoint keeps working)", () => {
    expect(queueUrlOf(arn, "http://127.0.0.1:4566/123456789012/runway-dev-jobs.fifo")).toBe("http://127.0.0.1:4566/123456789012/runway-dev-jobs.fifo");
  });

  it("derives the regional URL from the ARN when the configured URL is another queue's or absent", () => {
    expect(queueUrlOf(arn)).toBe("https://sqs.eu-west-1.amazonaws.com/123456789012/runway-dev-jobs.fifo");
    expect(queueUrlOf(arn, "https://sqs.eu-west-1.amazonaws.com/123456789012/runway-dev-notify")).toBe("https://sqs.eu-west-1.amazonaws.com/123456789012/runway-dev-jobs.fifo");
    expect(queueUrlOf("arn:aws-cn:sqs:cn-north-1:123456789012:jobs.fifo")).toBe("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/jobs.fifo");
    expect(queueUrlOf("not an arn", "https://sqs.eu-west-1.amazonaws.com/123456789012/q")).toBe("https://sqs.eu-west-1.amazonaws.com/123456789012/q");
  });
});

describe("sqsMessageVisibility()", () => {
  const sqs = mockClient(SQSClient);
  const queueUrl = "https://sqs.eu-west-1.amazonaws.com/123456789012/runway-dev-jobs.fifo";
  const record = (id: string): SQSRecord =>
    ({ messageId: id, receiptHandle: `handle-${id}`, eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:runway-dev-jobs.fifo" }) as SQSRecord;
  const logs: { message: string; fields: Record<string, unknown> }[] = [];
  const visibility = sqsMessageVisibility({ queueUrl, log: (message, fields) => logs.push({ message, fields }) });

  beforeEach(() => {
    resetAwsClients();
    sqs.reset();
    logs.length = 0;
  });
  afterEach(() => resetAwsClients());

  it("changes each record's visibility by its receipt handle, ten to a call", async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    await visibility.retryAfter(Array.from({ length: 12 }, (_, i) => ({ record: record(`m${i}`), seconds: i + 1 })));
    const calls = sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Entries?.length)).toEqual([10, 2]);
    expect(calls[0]).toMatchObject({ QueueUrl: queueUrl, Entries: expect.arrayContaining([{ Id: "0", ReceiptHandle: "handle-m0", VisibilityTimeout: 1 }]) });
    expect(calls[1]!.Entries).toEqual([
      { Id: "0", ReceiptHandle: "handle-m10", VisibilityTimeout: 11 },
      { Id: "1", ReceiptHandle: "handle-m11", VisibilityTimeout: 12 },
    ]);
  });

  it("resolves, logging which records keep the queue's timeout, when SQS refuses an entry or the call", async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).resolvesOnce({ Successful: [{ Id: "1" }], Failed: [{ Id: "0", SenderFault: true, Code: "ReceiptHandleIsInvalid", Message: "no" }] });
    await expect(visibility.retryAfter([{ record: record("a"), seconds: 3 }, { record: record("b"), seconds: 3 }])).resolves.toBeUndefined();
    expect(logs[0]).toMatchObject({ fields: { messageId: "a", code: "ReceiptHandleIsInvalid" } });

    sqs.on(ChangeMessageVisibilityBatchCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } }));
    await expect(visibility.retryAfter([{ record: record("c"), seconds: 3 }])).resolves.toBeUndefined();
    expect(logs[1]).toMatchObject({ fields: { messageIds: ["c"], error: "AccessDenied" } });
  });
});
