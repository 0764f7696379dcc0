/**
 * Invoking the Slack notifier function as Lambda would: an SQS event of records and a context.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { setConfig } from "../../../lib/config/runtime.ts";
import { notifySchema } from "../../../lib/config/notify-schema.ts";
import type { RunwayConfig } from "../../../lib/config/schema.ts";
import type { NotificationEvent } from "../../../lib/notify/events.ts";
import { resetNotifier } from "../../../lib/notify/notifier.ts";

let sequence = 0;

/** SQS records for events; `messageId` stays the same for a record delivered again. */
export function records(events: NotificationEvent[]): SQSRecord[] {
  return events.map((event) => {
    sequence += 1;
    return {
      messageId: `msg-${event.id}`,
      receiptHandle: `receipt-${sequence}`,
      body: JSON.stringify(event),
      attributes: { ApproximateReceiveCount: "1", SentTimestamp: "0", SenderId: "test", ApproximateFirstReceiveTimestamp: "0" },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:runway-notify",
      awsRegion: "eu-west-1",
    } as SQSRecord;
  });
}

export function context(remainingMs = 60_000): Context {
  return {
    functionName: "runway-slack-notifier",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:runway-slack-notifier",
    memoryLimitInMB: "256",
    awsRequestId: `req-${++sequence}`,
    logGroupName: "/aws/lambda/runway-slack-notifier",
    logStreamName: "local",
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Use these notify settings (runway.yml's `notify:`) from now on. */
export function useNotifyConfig(notify: Record<string, unknown> = {}): void {
  setConfig({ environments: {}, stages: {}, notify: notifySchema.parse(notify) } as unknown as RunwayConfig);
  resetNotifier();
}

/** Run the real handler (middy stack included) on a batch of events. */
export async function invokeNotifier(events: NotificationEvent[] | SQSRecord[]): Promise<SQSBatchResponse> {
  const { handler } = await import("../../../functions/slack-notifier.ts");
  const batch = events.length > 0 && "receiptHandle" in events[0]! ? (events as SQSRecord[]) : records(events as NotificationEvent[]);
  return handler({ Records: batch } as SQSEvent, context());
}

export const failedIds = (response: SQSBatchResponse) => response.batchItemFailures.map((f) => f.itemIdentifier);
