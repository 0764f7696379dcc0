/**
 * The launcher's metrics, recorded where things happen and read back from the EMF it flushes: a
 * build started (once, however the launch got there), the delivery's wait for it, launches parked
 * and refused, a foreign job caught, and GitHub's own queued → taken time. Against dynalite and
 * the AWS emulator over real sockets, through the production launcher code.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { JobMessage } from "../../../lib/jobs/job-message.ts";
import { metrics } from "../../../lib/observability/metrics.ts";
import { consumeJobMessages } from "../../../lib/runners/consume.ts";
import { launch, type LaunchDeps } from "../../../lib/runners/launch.ts";
import { flushedFigures } from "../../support/emf.ts";
import { queuedJob, sqsEvent, startHarness, type Harness } from "./harness.ts";

let h: Harness;
let nextJob = 7000;

beforeAll(async () => {
  h = await startHarness();
  h.deps.foreign = {
    builds: h.deps.builds,
    registry: h.deps.registry,
    secrets: h.deps.secrets,
    jobs: { job: async ({ jobId }) => ({ id: jobId, runId: 1, runAttempt: 1, status: "queued", conclusion: null, runnerName: null, runnerId: null }) },
    requeue: async () => undefined,
    jitPrefix: "/runway/test/jit",
    maxRelaunches: 0,
  };
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => {
  h.aws.faults.clear();
  metrics.clearMetrics();
});

const secondsAgo = (s: number) => new Date(Date.now() - s * 1000).toISOString();

/** The ledger, except that marking the launch `launched` fails once (a worker dying right after StartBuild). */
function failingToRecordLaunched(ledger: LaunchDeps["ledger"]): LaunchDeps["ledger"] {
  let failed = false;
  return new Proxy(ledger, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      if (key !== "update") return value.bind(target);
      return async (...args: Parameters<LaunchDeps["ledger"]["update"]>) => {
        if (!failed && args[1].state === "launched") {
          failed = true;
          throw new Error("DynamoDB went away after StartBuild");
        }
        return target.update(...args);
      };
    },
  });
}

describe("the launcher's metrics", () => {
  it("counts a started build and the delivery's wait for it, in milliseconds", async () => {
    const before = Date.now();
    const result = await consumeJobMessages(sqsEvent(queuedJob(++nextJob, { receivedAt: secondsAgo(2) })), h.deps);
    const elapsed = Date.now() - before;
    expect(result.batchItemFailures).toEqual([]);

    const figures = flushedFigures();
    expect(figures.RunnerLaunched).toEqual({ unit: "Count", values: [1] });
    expect(figures.DeliveryToStartBuild!.unit).toBe("Milliseconds");
    expect(figures.DeliveryToStartBuild!.values).toHaveLength(1);
    expect(figures.DeliveryToStartBuild!.values[0]).toBeGreaterThanOrEqual(2000);
    expect(figures.DeliveryToStartBuild!.values[0]).toBeLessThanOrEqual(2000 + elapsed + 5);
  });

  it("counts nothing for a redelivery of a job already launched", async () => {
    const message = queuedJob(++nextJob);
    await consumeJobMessages(sqsEvent(message), h.deps);
    metrics.clearMetrics();
    await consumeJobMessages(sqsEvent(message), h.deps);
    expect(flushedFigures()).toEqual({});
  });

  it("counts a build once when the worker that started it failed before recording it", async () => {
    const id = ++nextJob;
    const failing = { ...h.deps, ledger: failingToRecordLaunched(h.deps.ledger), settings: { ...h.deps.settings, leaseMs: 1 } };
    await expect(launch(queuedJob(id), failing)).rejects.toThrow("DynamoDB went away");
    await new Promise((r) => setTimeout(r, 5)); // its lease runs out
    expect(await launch(queuedJob(id), h.deps)).toMatchObject({ outcome: "launched", resumed: true });
    expect(flushedFigures().RunnerLaunched).toEqual({ unit: "Count", values: [1] });
  });

  it("counts a relaunch's build, but not again the wait of a delivery its first build answered", async () => {
    const message = queuedJob(++nextJob, { receivedAt: secondsAgo(600) });
    await launch(message, h.deps);
    const first = (await h.ledger.get(message.job.id, 1))!;
    expect(await h.ledger.reopen(first, "/runway/test/jit", { from: "launched" })).toMatchObject({ relaunches: 1 });
    metrics.clearMetrics();

    expect(await launch(message, h.deps)).toMatchObject({ outcome: "launched" });
    expect(flushedFigures()).toEqual({ RunnerLaunched: { unit: "Count", values: [1] } });
  });

  it("counts what the job asks that Runway will not do (a label override not allowed) as refused", async () => {
    const result = await launch(queuedJob(++nextJob, { labels: ["self-hosted", "runway", "image:arm-3.0"] }), h.deps);
    expect(result).toMatchObject({ outcome: "failed" });
    expect(flushedFigures()).toEqual({ LaunchRefused: { unit: "Count", values: [1] } });
  });

  it("counts a launch that failed for a cause of the setup (no such project) as parked: an operator's to fix", async () => {
    const message = queuedJob(++nextJob, { codebuild: { project: "no-such-project", region: "eu-west-1", allowOverrides: [] } });
    expect(await launch(message, h.deps)).toMatchObject({ outcome: "failed", reason: expect.stringContaining("ResourceNotFoundException") });
    expect(flushedFigures()).toEqual({ LaunchParked: { unit: "Count", values: [1] } });
  });

  it("counts a launch that kept failing, once its attempts ran out, as parked", async () => {
    const message = queuedJob(++nextJob);
    const oneTry = { ...h.deps, settings: { ...h.deps.settings, leaseMs: 1, maxAttempts: 1 } };
    h.aws.faults.add({ service: "codebuild", operation: "StartBuild", times: 4, error: { code: "ServiceUnavailableException", statusCode: 503 } });
    expect((await consumeJobMessages(sqsEvent(message), oneTry)).batchItemFailures).toHaveLength(1);
    expect(flushedFigures()).toEqual({}); // a passing cause: retried, nothing counted yet

    await new Promise((r) => setTimeout(r, 5));
    expect(await launch(message, oneTry)).toMatchObject({ outcome: "failed", reason: expect.stringContaining("gave up after 1 attempts") });
    expect(flushedFigures()).toEqual({ LaunchParked: { unit: "Count", values: [1] } });
  });

  it("counts a foreign job caught once, and the relaunch it may not make as refused", async () => {
    const meant = queuedJob(++nextJob);
    await launch(meant, h.deps);
    const record = (await h.ledger.get(meant.job.id, 1))!;
    metrics.clearMetrics();
    const other = queuedJob(++nextJob); // another run's job, taken by this launch's runner
    const taken: JobMessage = { ...other, action: "in_progress", job: { ...other.job, runnerName: record.runnerName } };
    await consumeJobMessages(sqsEvent(taken), h.deps);
    await consumeJobMessages(sqsEvent(taken), h.deps); // the same event again: caught already
    // maxRelaunches 0: the job it was meant for is left to GitHub.
    expect(flushedFigures()).toEqual({ ForeignJobCaught: { unit: "Count", values: [1] }, LaunchRefused: { unit: "Count", values: [1] } });
  });

  it("measures how long GitHub says the job waited for a runner, from created_at to started_at", async () => {
    const message = queuedJob(++nextJob);
    await launch(message, h.deps);
    const record = (await h.ledger.get(message.job.id, 1))!;
    metrics.clearMetrics();
    const started: JobMessage = {
      ...message,
      action: "in_progress",
      job: { ...message.job, runnerName: record.runnerName, createdAt: "2026-12-01T10:00:00Z", startedAt: "2026-12-01T10:01:12Z" },
    };
    expect((await consumeJobMessages(sqsEvent(started), h.deps)).batchItemFailures).toEqual([]);
    expect(flushedFigures()).toEqual({ QueuedToJobTaken: { unit: "Milliseconds", values: [72_000] } });
  });

  it("records no wait when GitHub's times are missing or out of order", async () => {
    const message = queuedJob(++nextJob);
    const inProgress = (job: Partial<JobMessage["job"]>): JobMessage => ({ ...message, action: "in_progress", job: { ...message.job, runnerName: "someone-else", ...job } });
    await consumeJobMessages(sqsEvent(inProgress({ startedAt: "2026-12-01T10:01:12Z" })), h.deps);
    await consumeJobMessages(sqsEvent(inProgress({ createdAt: "2026-12-01T10:01:12Z", startedAt: "2026-12-01T10:00:00Z" })), h.deps);
    expect(flushedFigures()).toEqual({});
  });
});
