/**
 * The job queue's batch semantics: a job's events stay in order (a failed record fails the later
 * records of its group), other jobs go on, and a malformed message is dropped, not retried forever.
 */
import type { SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { consumeJobMessages, type ConsumeDeps } from "../../../lib/runners/consume.ts";
import { RetryLaterError } from "../../../lib/runners/errors.ts";
import type { JobMessage } from "../../../lib/jobs/job-message.ts";
import { queuedJob } from "../../support/job-messages.ts";

function event(records: { id: string; group: string; body: unknown }[]): SQSEvent {
  return {
    Records: records.map((r) => ({
      messageId: r.id,
      receiptHandle: r.id,
      body: typeof r.body === "string" ? r.body : JSON.stringify(r.body),
      attributes: { ApproximateReceiveCount: "1", SentTimestamp: "0", SenderId: "x", ApproximateFirstReceiveTimestamp: "0", MessageGroupId: r.group },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:eu-west-1:000000000000:runway-jobs.fifo",
      awsRegion: "eu-west-1",
    })),
  } as SQSEvent;
}

/** Deps whose lifecycle handling succeeds or fails per job id, recording the order it saw. */
function deps(failing: Set<number>, seen: string[]): ConsumeDeps {
  const ledger = {
    now: () => 0,
    annotate: async (pk: string) => {
      const jobId = Number(pk.split("#")[1]);
      seen.push(pk);
      if (failing.has(jobId)) throw new RetryLaterError("DynamoDB throttled");
      return undefined;
    },
    launchForRunner: async () => undefined,
  };
  return { ledger, log: () => undefined } as unknown as ConsumeDeps;
}

const started = (jobId: number): JobMessage => ({ ...queuedJob(jobId), action: "in_progress", job: { ...queuedJob(jobId).job, runnerName: "r" } });
const completed = (jobId: number): JobMessage => ({ ...queuedJob(jobId), action: "completed", job: { ...queuedJob(jobId).job, conclusion: "success" } });

describe("consumeJobMessages()", () => {
  it("fails a group's later records after its first failure, and lets other groups through", async () => {
    const seen: string[] = [];
    const result = await consumeJobMessages(
      event([
        { id: "a1", group: "1", body: started(1) },
        { id: "b1", group: "2", body: started(2) },
        { id: "a2", group: "1", body: completed(1) },
        { id: "b2", group: "2", body: completed(2) },
      ]),
      deps(new Set([1]), seen),
    );
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(["a1", "a2"]);
    // Job 1's completed event was never attempted after its in_progress failed.
    expect(seen.filter((pk) => pk.startsWith("launch#1#"))).toHaveLength(1);
    // Job 2: in_progress (ranOn), then completed (conclusion, and the waiting-launch check).
    expect(seen.filter((pk) => pk.startsWith("launch#2#"))).toHaveLength(3);
  });

  it("drops a malformed message instead of retrying it forever", async () => {
    const result = await consumeJobMessages(event([{ id: "x", group: "9", body: "{not json" }, { id: "y", group: "9", body: { action: "queued" } }]), deps(new Set(), []));
    expect(result.batchItemFailures).toEqual([]);
  });
});
