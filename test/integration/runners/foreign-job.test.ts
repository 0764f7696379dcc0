/**
 * A runner launched for one run and environment that GitHub hands another's job (or one Runway
 * ignored) is caught on `in_progress` (or `completed`, when that was lost): its build is stopped,
 * the runner removed, Slack told, and the job it was meant for launched again if GitHub says it is
 * still queued. Against dynalite and the AWS emulator over real sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GitHubJob } from "../../../lib/github/jobs.ts";
import { consumeJobMessages } from "../../../lib/runners/consume.ts";
import type { JobMessage } from "../../../lib/jobs/job-message.ts";
import type { NotificationInput } from "../../../lib/notify/event-keys.ts";
import { queuedJob, sqsEvent, startHarness, type Harness } from "./harness.ts";

let h: Harness;
let nextJob = 5000;
const alerts: { event: NotificationInput; environment: string }[] = [];
const requeued: { message: JobMessage; deduplicationId: string }[] = [];
/** What GitHub answers for each job id (default: still queued). */
const githubJobs = new Map<number, Partial<GitHubJob>>();

beforeAll(async () => {
  h = await startHarness();
  h.deps.notify = (event, environment) => alerts.push({ event, environment });
  h.deps.foreign = {
    builds: h.deps.builds,
    registry: h.deps.registry,
    secrets: h.deps.secrets,
    jobs: {
      async job({ jobId }) {
        return { id: jobId, runId: 1, runAttempt: 1, status: "queued", conclusion: null, runnerName: null, runnerId: null, ...githubJobs.get(jobId) };
      },
    },
    requeue: async (message, deduplicationId) => void requeued.push({ message, deduplicationId }),
    jitPrefix: "/runway/test/jit",
    maxRelaunches: 2,
  };
});
afterAll(async () => {
  await h?.stop();
});

/** Launch a runner for a fresh job; returns the job's queued message and its launch record. */
async function launched(overrides: Parameters<typeof queuedJob>[1] = {}) {
  const message = queuedJob(++nextJob, overrides);
  expect((await consumeJobMessages(sqsEvent(message), h.deps)).batchItemFailures).toEqual([]);
  const record = (await h.ledger.get(message.job.id, 1))!;
  expect(record.state).toBe("launched");
  return { message, record };
}

/** `in_progress` (or `completed`) of `job`, taken by `runnerName`. */
function taken(job: JobMessage, runnerName: string, action: "in_progress" | "completed" = "in_progress", extra: Partial<JobMessage> = {}): JobMessage {
  return { ...job, action, ...extra, job: { ...job.job, runnerName, ...(action === "completed" ? { conclusion: "success" } : {}) } };
}

const buildStatus = (id: string) => h.codebuild.builds().find((b) => b.id === id)?.buildStatus;
const alertsFor = (runnerName: string) => alerts.filter((a) => a.event.type === "job.foreign" && "runnerName" in a.event && a.event.runnerName === runnerName);

describe("a runner that takes a foreign job", () => {
  it("is stopped at once when it takes another run's job; the job it was meant for is launched again", async () => {
    const { message: meant, record } = await launched();
    const other = queuedJob(++nextJob); // another run (runId differs)
    const result = await consumeJobMessages(sqsEvent(taken(other, record.runnerName)), h.deps);
    expect(result.batchItemFailures).toEqual([]);

    expect(buildStatus(record.buildId!)).toBe("STOPPED");
    expect(h.registry.removed).toContain(record.runnerName);
    expect(h.ssm.parameters().has(record.jitParameter!)).toBe(false);

    // Reopened under a new token: a new runner name, JIT parameter and StartBuild idempotency token.
    const reopened = (await h.ledger.get(meant.job.id, 1))!;
    expect(reopened).toMatchObject({ state: "launching", relaunches: 1, leaseUntil: 0 });
    expect(reopened.token).not.toBe(record.token);
    expect(reopened.runnerName).not.toBe(record.runnerName);
    expect(reopened.jitParameter).toMatch(/^\/runway\/test\/jit\/dev\//);
    expect(requeued.at(-1)).toMatchObject({ message: { job: { id: meant.job.id } }, deduplicationId: `${meant.job.id}-1-queued-relaunch-1` });

    const [alert] = alertsFor(record.runnerName);
    expect(alert!.environment).toBe("dev");
    expect(alert!.event).toMatchObject({
      type: "job.foreign",
      run: { runId: meant.job.runId },
      job: { id: meant.job.id },
      foreign: { id: other.job.id, runId: other.job.runId, environment: "dev", reason: expect.stringContaining(`the runner was launched for run ${meant.job.runId}`) },
      actions: [`stopped build ${record.buildId}`, `removed runner ${record.runnerName}`, `relaunched job ${meant.job.id} (relaunch 1 of at most 2)`],
    });

    // The relaunch (the requeued request) starts a second build, with the new runner.
    expect((await consumeJobMessages(sqsEvent(requeued.at(-1)!.message), h.deps)).batchItemFailures).toEqual([]);
    const relaunched = (await h.ledger.get(meant.job.id, 1))!;
    expect(relaunched).toMatchObject({ state: "launched", runnerName: reopened.runnerName });
    expect(relaunched.buildId).not.toBe(record.buildId);
    expect(buildStatus(relaunched.buildId!)).toBe("IN_PROGRESS");
  });

  it("acts once when the same event comes again", async () => {
    const { record } = await launched();
    const event = taken(queuedJob(++nextJob), record.runnerName);
    const before = requeued.length;
    await consumeJobMessages(sqsEvent(event), h.deps);
    await consumeJobMessages(sqsEvent(event), h.deps);
    expect(alertsFor(record.runnerName)).toHaveLength(1);
    expect(requeued.length - before).toBe(1);
  });

  it("catches a job of another environment of the same run", async () => {
    const { message: meant, record } = await launched();
    const prdJob = queuedJob(++nextJob, { environment: "prd", job: { ...meant.job, id: nextJob } });
    await consumeJobMessages(sqsEvent(taken(prdJob, record.runnerName)), h.deps);
    expect(buildStatus(record.buildId!)).toBe("STOPPED");
    expect(alertsFor(record.runnerName)[0]!.event).toMatchObject({ foreign: { environment: "prd", reason: expect.stringContaining("was routed to prd") } });
  });

  it("catches a job Runway never routed, and says so", async () => {
    const { record } = await launched();
    const ignored = taken(queuedJob(++nextJob), record.runnerName, "in_progress", { unrouted: 'no environment\'s workflow filter matched "ci"' });
    await consumeJobMessages(sqsEvent(ignored), h.deps);
    expect(buildStatus(record.buildId!)).toBe("STOPPED");
    expect(alertsFor(record.runnerName)[0]!.event).toMatchObject({ foreign: { environment: null, reason: expect.stringContaining("one Runway did not route") } });
  });

  it("is caught on completed when the in_progress was lost", async () => {
    const { record } = await launched();
    await consumeJobMessages(sqsEvent(taken(queuedJob(++nextJob), record.runnerName, "completed")), h.deps);
    expect(buildStatus(record.buildId!)).toBe("STOPPED");
    expect(alertsFor(record.runnerName)).toHaveLength(1);
  });

  it("does not relaunch a job GitHub says another runner of its run already took", async () => {
    const { message: meant, record } = await launched();
    githubJobs.set(meant.job.id, { status: "in_progress", runnerName: "runway-dev-1-1-abcdef12" });
    const before = requeued.length;
    await consumeJobMessages(sqsEvent(taken(queuedJob(++nextJob), record.runnerName)), h.deps);
    expect(requeued.length).toBe(before);
    expect((await h.ledger.get(meant.job.id, 1))!).toMatchObject({ state: "finished", foreignJobId: nextJob });
    expect((alertsFor(record.runnerName)[0]!.event as { actions: string[] }).actions.at(-1)).toBe(
      `job ${meant.job.id} is in_progress on GitHub (runner runway-dev-1-1-abcdef12): no relaunch needed`,
    );
  });

  it("gives up relaunching after the bound, and says so", async () => {
    const { message: meant } = await launched();
    for (let round = 1; round <= 3; round++) {
      const current = (await h.ledger.get(meant.job.id, 1))!;
      await consumeJobMessages(sqsEvent(taken(queuedJob(++nextJob), current.runnerName)), h.deps);
      if (round < 3) await consumeJobMessages(sqsEvent(requeued.at(-1)!.message), h.deps);
    }
    const last = (await h.ledger.get(meant.job.id, 1))!;
    expect(last).toMatchObject({ state: "finished", relaunches: 2 });
    const actions = (alertsFor(last.runnerName)[0]!.event as { actions: string[] }).actions;
    expect(actions.at(-1)).toContain("it was relaunched 2 times already: left to GitHub");
  });

  it("leaves a runner alone that takes another job of its own run and environment", async () => {
    const { message: meant, record } = await launched();
    const sibling = queuedJob(++nextJob, { job: { ...meant.job, id: nextJob } });
    await consumeJobMessages(sqsEvent(taken(sibling, record.runnerName)), h.deps);
    expect(buildStatus(record.buildId!)).toBe("IN_PROGRESS");
    expect(alertsFor(record.runnerName)).toHaveLength(0);
    expect((await h.ledger.get(meant.job.id, 1))!).toMatchObject({ state: "launched", tookJobId: sibling.job.id });
  });
});
