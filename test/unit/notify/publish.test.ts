import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { parseNotification, type NotificationInput } from "../../../lib/notify/events.ts";
import { publish } from "../../../lib/notify/publish.ts";
import { build, job, run } from "../../support/notify/events.ts";

const sqs = mockClient(SQSClient);
const queueUrl = "https://sqs.eu-west-1.amazonaws.com/123456789012/runway-notify";

beforeEach(() => {
  resetAwsClients();
  sqs.reset();
  sqs.on(SendMessageBatchCommand).callsFake((input) => ({ Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id })), Failed: [] }));
});
afterEach(() => {
  delete process.env.RUNWAY_NOTIFY_QUEUE_URL;
});

const sent = () => sqs.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []);

describe("publish", () => {
  it("queues complete, valid events the notifier can read back", async () => {
    process.env.RUNWAY_NOTIFY_QUEUE_URL = queueUrl;
    const result = await publish([{ type: "run.queued", run, channel: "#deploys-dev" }, { type: "job.launched", run, job, build }]);
    expect(result).toEqual({ published: 2, dropped: 0 });
    const [first, second] = sent();
    const event = parseNotification(JSON.parse(first!.MessageBody!));
    expect(event).toMatchObject({ type: "run.queued", thread: "run:acme/api/9100200300", id: "run:acme/api/9100200300@1/run.queued", channel: "#deploys-dev" });
    expect(parseNotification(JSON.parse(second!.MessageBody!)).type).toBe("job.launched");
    expect(first!.MessageGroupId).toBeUndefined();
  });

  it("orders each thread's events on a FIFO queue and deduplicates on the event id", async () => {
    await publish({ type: "run.queued", run }, { queueUrl: `${queueUrl}.fifo` });
    expect(sent()[0]).toMatchObject({ MessageGroupId: "run:acme/api/9100200300", MessageDeduplicationId: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("is a no-op without a queue, so the local stack and tests need none", async () => {
    expect(await publish({ type: "run.queued", run })).toEqual({ published: 0, dropped: 1 });
    expect(sent()).toHaveLength(0);
  });

  it("never throws into its producer: an event without its run or a queue that is down is logged and dropped", async () => {
    process.env.RUNWAY_NOTIFY_QUEUE_URL = queueUrl;
    const invalid = { type: "job.launched", job, build } as unknown as NotificationInput;
    expect(await publish([invalid, { type: "run.queued", run }])).toEqual({ published: 1, dropped: 1 });
    sqs.on(SendMessageBatchCommand).rejects(new Error("connect ECONNREFUSED"));
    expect(await publish({ type: "run.queued", run })).toEqual({ published: 0, dropped: 1 });
  });

  it("keeps only the end of a long log excerpt, where the failure is", async () => {
    process.env.RUNWAY_NOTIFY_QUEUE_URL = queueUrl;
    await publish({ type: "job.completed", run, job, conclusion: "failure", logExcerpt: `${"a".repeat(20_000)}THE END` });
    const body = JSON.parse(sent()[0]!.MessageBody!);
    expect(body.logExcerpt).toHaveLength(8_000);
    expect(body.logExcerpt.endsWith("THE END")).toBe(true);
  });
});
