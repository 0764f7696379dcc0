/**
 * SlackDeliveryFailed counts each post Slack did not take: an outage, a refusal, a rate limit too
 * long to wait out in place. The records given back untried behind a failure, a short rate limit
 * slept through, and a record that is not an event are no failed post.
 */
import type { SQSRecord } from "aws-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import { consumeNotifications } from "../../../lib/notify/consume.ts";
import { SlackRateLimitedError, SlackUnavailableError } from "../../../lib/notify/errors.ts";
import type { NotificationEvent } from "../../../lib/notify/events.ts";
import { metrics } from "../../../lib/observability/metrics.ts";
import { flushedFigures } from "../../support/emf.ts";
import { deployment, event, failingRun } from "../../support/notify/events.ts";

const record = (body: unknown, n: number): SQSRecord => ({ messageId: `m${n}`, receiptHandle: `rh${n}`, body: typeof body === "string" ? body : JSON.stringify(body) }) as SQSRecord;

const consume = (records: SQSRecord[], deliver: (e: NotificationEvent) => Promise<unknown>) =>
  consumeNotifications(records, { deliver, remainingMs: () => 60_000, defer: async () => undefined, sleep: async () => undefined });

beforeEach(() => metrics.clearMetrics());

describe("the Slack notifier's failure metric", () => {
  it("counts the post Slack did not take, not the later events of its thread held back behind it", async () => {
    const run = failingRun();
    const other = event({ type: "deploy.started", deployment });
    const result = await consume([run[0]!, run[1]!, other, run[2]!].map(record), async (e) => {
      if (e.type === "job.queued" || e.type === "deploy.started") throw new SlackUnavailableError("Slack answered 503");
    });
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["m1", "m2", "m3"]);
    expect(flushedFigures()).toEqual({ SlackDeliveryFailed: { unit: "Count", values: [1, 1] } });
  });

  it("counts one failure for a long rate limit, not the records given back behind it", async () => {
    const result = await consume(failingRun().map(record), async () => {
      throw new SlackRateLimitedError(120);
    });
    expect(result.batchItemFailures).toHaveLength(6);
    expect(flushedFigures()).toEqual({ SlackDeliveryFailed: { unit: "Count", values: [1] } });
  });

  it("counts nothing for a short rate limit waited out, nor for a record that is not an event", async () => {
    let limited = false;
    const result = await consume([record("{not json", 0), ...failingRun().map(record)], async () => {
      if (!limited) {
        limited = true;
        throw new SlackRateLimitedError(1);
      }
    });
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["m0"]);
    expect(flushedFigures()).toEqual({});
  });
});
