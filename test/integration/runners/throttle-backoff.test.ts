/**
 * A throttled StartBuild comes back in seconds: through the emulator's event source, the launcher
 * gives the failed record a short visibility (ChangeMessageVisibility) and gives up its lease, so
 * the next receive takes the launch over at once — not after the job queue's 90 s visibility
 * timeout, and not after the lease.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { consumeJobMessages, type ConsumeDeps } from "../../../lib/runners/consume.ts";
import { sqsMessageVisibility } from "../../../lib/runners/visibility.ts";
import { sendToQueue } from "../../../lib/jobs/sqs-send.ts";
import { deduplicationId } from "../../../lib/jobs/job-queue.ts";
import type { JobMessage } from "../../../lib/jobs/job-message.ts";
import { waitFor } from "../aws-emulator/helpers.ts";
import { DLQ, queuedJob, startHarness, type Harness } from "./harness.ts";

const QUEUE = "runway-backoff-jobs.fifo";
const VISIBILITY_TIMEOUT_SECONDS = 90;

let h: Harness;
let queueUrl: string;
let nextJob = 7100;

beforeAll(async () => {
  // The lease outlasts the test: a launch that waited for it would fail the test's 20 s timeout too.
  h = await startHarness({ table: "runway-backoff", leaseMs: 90_000 });
  h.sqs.createQueue(QUEUE, {
    FifoQueue: "true",
    VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: h.sqs.queue(DLQ)!.arn, maxReceiveCount: 10 }),
  });
  queueUrl = h.sqs.queueUrl(QUEUE, h.aws.url);
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => {
  h.aws.faults.clear();
});

/** Run the launcher on the queue as Lambda's event source mapping does; resolves when `done` holds. */
async function consume(until: () => boolean): Promise<{ outcomes: { receiveCount: number; outcome: string }[]; elapsedMs: number }> {
  const outcomes: { receiveCount: number; outcome: string }[] = [];
  let receiveCount = 0;
  const deps: ConsumeDeps = {
    ...h.deps,
    visibility: sqsMessageVisibility({ queueUrl }),
    onOutcome: (_message, outcome) => outcomes.push({ receiveCount, outcome: outcome.outcome }),
  };
  const started = Date.now();
  const stop = h.sqs.subscribe(QUEUE, (event) => {
    receiveCount = Number(event.Records[0]!.attributes.ApproximateReceiveCount);
    return consumeJobMessages(event, deps);
  });
  try {
    await waitFor(until, 18_000);
  } finally {
    stop();
  }
  return { outcomes, elapsedMs: Date.now() - started };
}

const send = (message: JobMessage) => sendToQueue(queueUrl, message, deduplicationId(message));
const buildsFor = (jobId: number) => h.codebuild.builds().filter((b) => b.environment?.environmentVariables?.some((v) => v.name === "RUNWAY_JOB_ID" && v.value === String(jobId)));

describe("a throttled StartBuild", () => {
  it("is launched within seconds when StartBuild is throttled four times in a row (all of one call's SDK attempts)", async () => {
    const id = ++nextJob;
    const throttle = h.aws.faults.add({ service: "codebuild", operation: "StartBuild", times: 4, error: { code: "ThrottlingException", statusCode: 400 } });
    await send(queuedJob(id));

    const { outcomes, elapsedMs } = await consume(() => buildsFor(id).length === 1 && h.sqs.counts(QUEUE).total === 0);

    expect(throttle.injected).toBe(4);
    expect(buildsFor(id)).toHaveLength(1);
    // Received twice: the throttled try, then the launch (a takeover, the first try's lease given up).
    expect(outcomes).toEqual([{ receiveCount: 2, outcome: "launched" }]);
    expect(h.logs.find((l) => l.message === "job message will be retried" && l.jobId === id)).toMatchObject({ error: "RetryLaterError", receiveCount: 1, retryInSeconds: expect.any(Number) });
    expect(elapsedMs).toBeLessThan((VISIBILITY_TIMEOUT_SECONDS * 1000) / 4);
    expect(await h.ledger.get(id, 1)).toMatchObject({ state: "launched", attempts: 2 });
  });

  it("backs off further on each receive while StartBuild keeps failing, and launches well before one visibility timeout", async () => {
    const id = ++nextJob;
    // Two whole calls' worth of 503s (the SDK's 5xx retries are quick, unlike its throttling waits):
    // the first two receives fail, the third launches.
    h.aws.faults.add({ service: "codebuild", operation: "StartBuild", times: 8, error: { code: "ServiceUnavailableException", statusCode: 503 } });
    await send(queuedJob(id));

    const { outcomes, elapsedMs } = await consume(() => buildsFor(id).length === 1 && h.sqs.counts(QUEUE).total === 0);

    expect(outcomes).toEqual([{ receiveCount: 3, outcome: "launched" }]);
    const retried = h.logs.filter((l) => l.message === "job message will be retried" && l.jobId === id);
    expect(retried.map((l) => [l.receiveCount, l.retryInSeconds])).toEqual([
      [1, expect.toSatisfy((s: number) => s >= 1 && s <= 2)],
      [2, expect.toSatisfy((s: number) => s >= 2 && s <= 4)],
    ]);
    expect(elapsedMs).toBeLessThan((VISIBILITY_TIMEOUT_SECONDS * 1000) / 4);
    expect(buildsFor(id)).toHaveLength(1);
  });
});
