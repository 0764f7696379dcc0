/**
 * Which records of a batch come back when: a record failed for a passing cause gets its own
 * backoff (its error's hint, or its receive count), the later records of its group the same one, and
 * a ChangeMessageVisibility that fails leaves the batch's answer as it was.
 */
import type { SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { consumeJobMessages, type ConsumeDeps } from "../../../lib/runners/consume.ts";
import { RetryLaterError } from "../../../lib/runners/errors.ts";
import type { JobMessage } from "../../../lib/jobs/job-message.ts";
import type { RecordRetry } from "../../../lib/runners/visibility.ts";
import { queuedJob } from "../../support/job-messages.ts";

interface Row {
  id: string;
  group: string;
  body: JobMessage;
  receiveCount?: number;
}

function event(rows: Row[]): SQSEvent {
  return {
    Records: rows.map((r) => ({
      messageId: r.id,
      receiptHandle: `handle-${r.id}`,
      body: JSON.stringify(r.body),
      attributes: { ApproximateReceiveCount: String(r.receiveCount ?? 1), SentTimestamp: "0", SenderId: "x", ApproximateFirstReceiveTimestamp: "0", MessageGroupId: r.group },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:eu-west-1:000000000000:runway-jobs.fifo",
      awsRegion: "eu-west-1",
    })),
  } as SQSEvent;
}

const NOW = 1_000_000;
const started = (jobId: number): JobMessage => ({ ...queuedJob(jobId), action: "in_progress", job: { ...queuedJob(jobId).job, runnerName: "r" } });
const completed = (jobId: number): JobMessage => ({ ...queuedJob(jobId), action: "completed", job: { ...queuedJob(jobId).job, conclusion: "success" } });

/** Deps whose ledger fails per job id with the given error; the visibility port records its calls. */
function deps(failing: Map<number, Error>, options: { visibility?: (retries: readonly RecordRetry[]) => Promise<void> } = {}) {
  const changes: RecordRetry[][] = [];
  const logs: Record<string, unknown>[] = [];
  const fail = (pk: string) => {
    const error = failing.get(Number(pk.split("#")[1]));
    if (error) throw error;
  };
  const ledger = {
    now: () => NOW,
    annotate: async (pk: string) => (fail(pk), undefined),
    launchForRunner: async () => undefined,
    // Another worker holds job 7's launch for 45 s more.
    claim: async (message: JobMessage) => ({ outcome: "busy", record: { pk: `launch#${message.job.id}#1`, leaseUntil: NOW + 45_000 } }),
  };
  const consumeDeps = {
    ledger,
    log: (message: string, fields: Record<string, unknown>) => logs.push({ message, ...fields }),
    backoff: { random: () => 0.999999 },
    visibility: {
      retryAfter: async (retries: readonly RecordRetry[]) => {
        changes.push([...retries]);
        await options.visibility?.(retries);
      },
    },
  } as unknown as ConsumeDeps;
  return { deps: consumeDeps, changes, logs };
}

const delays = (retries: RecordRetry[] | undefined) => Object.fromEntries((retries ?? []).map((r) => [r.record.messageId, r.seconds]));

describe("consumeJobMessages() retry delays", () => {
  it("backs a failed record off by its receive count, and holds its group's later records exactly as long", async () => {
    const { deps: d, changes } = deps(new Map([[1, new RetryLaterError("DynamoDB throttled")]]));
    const result = await consumeJobMessages(
      event([
        { id: "a1", group: "1", body: started(1), receiveCount: 3 },
        { id: "b1", group: "2", body: started(2) },
        { id: "a2", group: "1", body: completed(1), receiveCount: 1 },
      ]),
      d,
    );
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(["a1", "a2"]);
    // Third receive: 8 s (4–8 s with jitter); a2 was never tried and keeps the group's order with a1.
    expect(delays(changes[0])).toEqual({ a1: 8, a2: 8 });
    expect(changes[0]!.map((r) => r.record.receiptHandle)).toEqual(["handle-a1", "handle-a2"]);
  });

  it("gives each group its own delay: a throttle's hint in seconds, GitHub's retry-after as it says", async () => {
    const limited = Object.assign(new Error("GitHub's rate limit"), { name: "GitHubRateLimitError", retryAfterSeconds: 120 });
    const { deps: d, changes, logs } = deps(
      new Map<number, Error>([
        [1, new RetryLaterError("StartBuild throttled", { retryAfterSeconds: 2 })],
        [2, new RetryLaterError(limited.message, { cause: limited })],
      ]),
    );
    await consumeJobMessages(
      event([
        { id: "a1", group: "1", body: started(1) },
        { id: "b1", group: "2", body: started(2) },
        { id: "b2", group: "2", body: completed(2) },
        { id: "c1", group: "3", body: started(3) },
      ]),
      d,
    );
    expect(delays(changes[0])).toEqual({ a1: 3, b1: 130, b2: 130 });
    expect(logs.find((l) => l.message === "job message will be retried" && l.jobId === 2)).toMatchObject({ retryInSeconds: 130, receiveCount: 1 });
  });

  it("waits out another worker's lease rather than retrying within seconds", async () => {
    const { deps: d, changes } = deps(new Map());
    const result = await consumeJobMessages(event([{ id: "q", group: "7", body: queuedJob(7) }]), d);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "q" }]);
    expect(changes[0]![0]!.seconds).toBe(50); // 45 s left on the lease, then a little
  });

  it("answers the same batch failures when ChangeMessageVisibility fails", async () => {
    const { deps: d, changes } = deps(new Map([[1, new RetryLaterError("DynamoDB throttled")]]), {
      visibility: async () => Promise.reject(new Error("SQS is down")),
    });
    const result = await consumeJobMessages(event([{ id: "a1", group: "1", body: started(1) }, { id: "b1", group: "2", body: started(2) }]), d);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "a1" }]);
    expect(changes).toHaveLength(1);
  });

  it("changes no visibility when every record succeeded", async () => {
    const { deps: d, changes } = deps(new Map());
    const result = await consumeJobMessages(event([{ id: "a1", group: "1", body: started(1) }]), d);
    expect(result.batchItemFailures).toEqual([]);
    expect(changes).toEqual([]);
  });
});
