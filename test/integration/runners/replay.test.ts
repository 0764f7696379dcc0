/**
 * A permanent error is parked with its reason; once the cause is fixed, `runway replay` sends the
 * launch again and it launches — through the real CLI command, SQS and DynamoDB over sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../lib/cli/main.ts";
import { consumeJobMessages } from "../../../lib/runners/consume.ts";
import type { JobMessage } from "../../../lib/jobs/job-message.ts";
import { DLQ, queuedJob, sqsEvent, startHarness, type Harness } from "./harness.ts";

let h: Harness;
const QUEUE = "runway-jobs.fifo";

beforeAll(async () => {
  h = await startHarness({ table: "runway-replay" });
  h.sqs.createQueue(QUEUE, { FifoQueue: "true" });
});
afterAll(async () => {
  await h?.stop();
});

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli({
    argv: ["replay", ...argv],
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: (async function* () {})(),
    cwd: process.cwd(),
    env: { RUNWAY_JOB_DLQ_URL: h.sqs.queueUrl(DLQ, h.aws.url), RUNWAY_JOB_QUEUE_URL: h.sqs.queueUrl(QUEUE, h.aws.url), RUNWAY_TABLE: "runway-replay" },
  });
  return { code, stdout, stderr };
}

describe("runway replay", () => {
  it("lists a parked launch with its reason, then replays it once the cause is fixed", async () => {
    const message = queuedJob(777, { codebuild: { project: "runner-not-yet-created", region: "eu-west-1", allowOverrides: [] } });
    await consumeJobMessages(sqsEvent(message), h.deps);
    expect((await h.ledger.get(777, 1))!.state).toBe("failed");

    const listed = await cli();
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("parked  job 777 attempt 1 (acme/payments, dev):");
    expect(listed.stdout).toContain("runner-not-yet-created");
    expect(h.sqs.counts(DLQ).visible).toBe(1); // listing leaves it parked

    h.codebuild.createProject({ name: "runner-not-yet-created" }); // the cause, fixed
    const replayed = await cli("--job", "777");
    expect(replayed).toMatchObject({ code: 0, stdout: expect.stringContaining("replayed 1 launch(es)") });
    expect(h.sqs.counts(DLQ).total).toBe(0);

    const [resent] = h.sqs.messages(QUEUE);
    expect(JSON.parse(resent!.body) as JobMessage).toMatchObject({ action: "queued", job: { id: 777 } });
    expect((await consumeJobMessages(sqsEvent(JSON.parse(resent!.body)), h.deps)).batchItemFailures).toEqual([]);
    expect((await h.ledger.get(777, 1))!).toMatchObject({ state: "launched", buildId: expect.stringContaining("runner-not-yet-created:") });
  });

  it("says nothing matched when the dead-letter queue is empty", async () => {
    expect((await cli("--all")).code).toBe(1);
  });

  it("asks for the queue when none is given", async () => {
    const result = await runCli({ argv: ["replay"], stdout: { write: () => true }, stderr: { write: () => true }, stdin: (async function* () {})(), cwd: ".", env: {} });
    expect(result).toBe(2);
  });
});
