import { ChangeMessageVisibilityBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { consumeNotifications } from "../../../lib/notify/consume.ts";
import { deferOnQueue } from "../../../lib/notify/defer.ts";
import { SlackRateLimitedError, SlackUnavailableError } from "../../../lib/notify/errors.ts";
import type { NotificationEvent } from "../../../lib/notify/events.ts";
import { deployment, event, failingRun } from "../../support/notify/events.ts";

const sqs = mockClient(SQSClient);
beforeEach(() => {
  resetAwsClients();
  sqs.reset();
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
});

function record(body: unknown, n: number): SQSRecord {
  return { messageId: `m${n}`, receiptHandle: `rh${n}`, body: typeof body === "string" ? body : JSON.stringify(body) } as SQSRecord;
}

const failures = (result: { batchItemFailures: Array<{ itemIdentifier: string }> }) => result.batchItemFailures.map((f) => f.itemIdentifier);

function deps(deliver: (e: NotificationEvent) => Promise<unknown>, extra: Partial<Parameters<typeof consumeNotifications>[1]> = {}) {
  const slept: number[] = [];
  const deferred: Array<{ ids: string[]; seconds: number }> = [];
  return {
    slept,
    deferred,
    deps: {
      deliver,
      remainingMs: () => 60_000,
      defer: async (records: SQSRecord[], seconds: number) => void deferred.push({ ids: records.map((r) => r.messageId), seconds }),
      sleep: async (ms: number) => void slept.push(ms),
      ...extra,
    },
  };
}

describe("consumeNotifications", () => {
  it("delivers every record in order and reports none when all went through", async () => {
    const delivered: string[] = [];
    const { deps: d } = deps(async (e) => delivered.push(e.type));
    const result = await consumeNotifications(failingRun().map(record), d);
    expect(failures(result)).toEqual([]);
    expect(delivered).toEqual(["run.queued", "job.queued", "job.launched", "job.started", "job.completed", "build.finished"]);
  });

  it("fails a record Slack did not take, and the later events of its thread, but not other threads", async () => {
    const run = failingRun();
    const other = event({ type: "deploy.started", deployment });
    const { deps: d } = deps(async (e) => {
      if (e.type === "job.queued") throw new SlackUnavailableError("down");
    });
    const result = await consumeNotifications([run[0]!, run[1]!, other, run[2]!].map(record), d);
    expect(failures(result)).toEqual(["m1", "m3"]);
  });

  it("fails a record that is not an event, so it is parked in the dead-letter queue", async () => {
    const { deps: d } = deps(async () => undefined);
    const result = await consumeNotifications([record("not json", 0), record({ type: "run.queued" }, 1)], d);
    expect(failures(result)).toEqual(["m0", "m1"]);
  });

  it("sleeps a short Retry-After in place and delivers once it has passed", async () => {
    let calls = 0;
    const { deps: d, slept } = deps(async () => {
      if (++calls === 1) throw new SlackRateLimitedError(2);
    });
    const result = await consumeNotifications([record(failingRun()[0], 0)], d);
    expect(failures(result)).toEqual([]);
    expect(slept).toEqual([2_000]);
    expect(calls).toBe(2);
  });

  it("puts the rest of the batch back on the queue for a long Retry-After instead of sleeping through it", async () => {
    const { deps: d, slept, deferred } = deps(async (e) => {
      if (e.type === "job.launched") throw new SlackRateLimitedError(30);
    });
    const result = await consumeNotifications(failingRun().map(record), d);
    expect(failures(result)).toEqual(["m2", "m3", "m4", "m5"]);
    expect(deferred).toEqual([{ ids: ["m2", "m3", "m4", "m5"], seconds: 30 }]);
    expect(slept).toEqual([]);
  });

  it("does not sleep past the invocation's end", async () => {
    const { deps: d, slept } = deps(async () => {
      throw new SlackRateLimitedError(3);
    }, { remainingMs: () => 6_000 });
    const result = await consumeNotifications([record(failingRun()[0], 0)], d);
    expect(failures(result)).toEqual(["m0"]);
    expect(slept).toEqual([]);
  });
});

describe("deferOnQueue", () => {
  it("makes the records invisible for Slack's Retry-After (plus a little jitter)", async () => {
    await deferOnQueue("https://sqs.eu-west-1.amazonaws.com/123456789012/runway-notify")([record({}, 0), record({}, 1)], 30);
    const [call] = sqs.commandCalls(ChangeMessageVisibilityBatchCommand);
    expect(call!.args[0].input.QueueUrl).toBe("https://sqs.eu-west-1.amazonaws.com/123456789012/runway-notify");
    for (const entry of call!.args[0].input.Entries!) {
      expect(entry.VisibilityTimeout).toBeGreaterThanOrEqual(30);
      expect(entry.VisibilityTimeout).toBeLessThanOrEqual(33);
    }
    expect(call!.args[0].input.Entries!.map((e) => e.ReceiptHandle)).toEqual(["rh0", "rh1"]);
  });
});
