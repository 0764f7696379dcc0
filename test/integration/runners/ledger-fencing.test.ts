/**
 * The ledger fences and nothing leaks: a stalled worker's late write is refused after a takeover,
 * a failed park is parked again on retry, a job cancelled while waiting is never launched, JIT
 * secrets are aged from when they exist, SSM's parameter limit is a passing cause, attempts are
 * bounded, and the build a crashed worker started is found however busy the project is. Against
 * dynalite and the AWS emulator over real sockets.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { documentClient } from "../../../lib/aws/dynamodb.ts";
import { codeBuildStarter, codeBuildWatcher } from "../../../lib/runners/aws-ports.ts";
import { RetryLaterError } from "../../../lib/runners/errors.ts";
import { jobCompleted } from "../../../lib/runners/job-lifecycle.ts";
import { launch, type LaunchDeps } from "../../../lib/runners/launch.ts";
import { LeaseLostError, Ledger } from "../../../lib/runners/ledger.ts";
import { reconcile } from "../../../lib/runners/reconcile.ts";
import { DLQ, gitHubTruth, PROJECT, queuedJob, startHarness, type Harness } from "./harness.ts";

let h: Harness;
let clock = Date.now();
let ledger: Ledger;
let nextJob = 7000;
const job = () => ++nextJob;
const MIN = 60_000;
/** What GitHub says of the jobs (the reconciler asks before it relaunches or drops one). */
const github = gitHubTruth();

beforeAll(async () => {
  h = await startHarness({ table: "runway-fencing" });
  ledger = new Ledger({ client: documentClient(), table: "runway-fencing", now: () => clock });
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => {
  h.aws.faults.clear();
});

const deps = (overrides: Partial<LaunchDeps> = {}): LaunchDeps => ({ ...h.deps, ledger, ...overrides, settings: { ...h.deps.settings, leaseMs: 60_000, ...overrides.settings } });
/** A reconciler on the test's ledger; the job ids it sends again go to `sent`. */
const reconcilerDeps = (sent: number[], idleMs = 10 * MIN) => ({
  ledger,
  builds: codeBuildWatcher(),
  secrets: h.deps.secrets,
  registry: h.registry,
  jobs: github.jobs,
  runners: github.runners,
  queue: { send: async (message: { job: { id: number } }) => void sent.push(message.job.id) },
  parking: h.deps.parking,
  settings: { stuckAfterMs: 2 * MIN, idleMs, jitMaxAgeMs: 15 * MIN, jitPrefix: h.deps.settings.jitPrefix },
});
const parked = () => h.sqs.messages(DLQ).map((m) => JSON.parse(m.body) as { job: { id: number } });

describe("a ledger that fences", () => {
  it("refuses a stalled worker's late write once another worker has taken the launch over", async () => {
    const id = job();
    const first = await ledger.claim(queuedJob(id), { leaseMs: 60_000, jitPrefix: "/runway/test/jit" });
    expect(first.outcome).toBe("claimed");
    clock += 2 * MIN; // the first worker stalls past its lease
    const second = await ledger.claim(queuedJob(id), { leaseMs: 60_000, jitPrefix: "/runway/test/jit" });
    expect(second.outcome).toBe("taken-over");
    // Same token (CodeBuild's idempotency window still returns the first worker's build) …
    expect(second.record.token).toBe(first.record.token);
    // … but a new fence: the stalled worker's write is refused, the new holder's accepted.
    expect(second.record.fence).not.toBe(first.record.fence);
    await expect(ledger.update(first.record, { runnerId: 1 })).rejects.toBeInstanceOf(LeaseLostError);
    await expect(ledger.update(second.record, { runnerId: 2 })).resolves.toMatchObject({ runnerId: 2 });
  });

  it("parks again on retry when parking failed, so a refused launch is never lost", async () => {
    const id = job();
    const refused = queuedJob(id, { labels: ["self-hosted", "image:arm-3.0"] }); // dev does not allow image overrides
    let failParking = true;
    const flaky = deps({
      parking: {
        park: async (message, reason) => {
          if (failParking) throw new Error("SQS is down");
          return h.deps.parking.park(message, reason);
        },
      },
    });
    await expect(launch(refused, flaky)).rejects.toThrow("SQS is down");
    expect((await ledger.get(id, 1))!.state).toBe("launching"); // not recorded failed: nothing parked it

    failParking = false;
    clock += 2 * MIN; // the queue brings the message back after the lease
    expect(await launch(refused, flaky)).toMatchObject({ outcome: "failed", reason: expect.stringContaining("does not allow image overrides") });
    expect((await ledger.get(id, 1))!.state).toBe("failed");
    expect(parked().filter((m) => m.job.id === id)).toHaveLength(1);
  });

  it("parks a launch that keeps failing after its attempts, with what kept failing", async () => {
    const id = job();
    h.aws.faults.add({ service: "codebuild", operation: "StartBuild", error: { code: "ServiceUnavailableException", statusCode: 503 } });
    const bounded = deps({ settings: { ...h.deps.settings, leaseMs: 60_000, maxAttempts: 2 } });
    for (let attempt = 1; attempt <= 2; attempt++) {
      await expect(launch(queuedJob(id), bounded)).rejects.toBeInstanceOf(RetryLaterError);
      clock += 2 * MIN;
    }
    const outcome = await launch(queuedJob(id), bounded);
    expect(outcome).toMatchObject({ outcome: "failed", reason: expect.stringMatching(/^gave up after 2 attempts \(last: StartBuild on runway-runner-dev failed: ServiceUnavailableException/) });
    expect(parked().filter((m) => m.job.id === id)).toHaveLength(1);
  });

  it("never launches a job cancelled while its launch waited for a slot", async () => {
    const environment = "cap-one";
    const [running, waiting] = [job(), job()];
    await launch(queuedJob(running, { environment, concurrency: 1 }), deps());
    expect(await launch(queuedJob(waiting, { environment, concurrency: 1 }), deps())).toMatchObject({ outcome: "waiting" });

    const cancelled = queuedJob(waiting, { environment, concurrency: 1 });
    await jobCompleted({ ...cancelled, action: "completed", job: { ...cancelled.job, conclusion: "cancelled", runnerName: undefined } }, { ledger });
    expect((await ledger.get(waiting, 1))!).toMatchObject({ state: "finished", reason: expect.stringContaining("cancelled") });

    // A slot frees: the reconciler hands it to nobody, since nothing is waiting any more.
    github.job.set(running, { status: "completed", conclusion: "success" }); // it ran: no relaunch
    h.codebuild.complete((await ledger.get(running, 1))!.buildId!, "SUCCEEDED");
    const sent: number[] = [];
    const reconcileDeps = reconcilerDeps(sent);
    await reconcile(reconcileDeps);
    await reconcile(reconcileDeps);
    expect(sent).not.toContain(waiting);
  });

  it("ages a JIT secret from when it was stored, not from when its launch began waiting", async () => {
    const environment = "cap-one-b";
    const [first, second] = [job(), job()];
    await launch(queuedJob(first, { environment, concurrency: 1 }), deps());
    await launch(queuedJob(second, { environment, concurrency: 1 }), deps()); // waiting, nothing stored
    const reconcileDeps = reconcilerDeps([], 60 * MIN);
    clock += 20 * MIN; // waited longer than a secret may live
    await reconcile(reconcileDeps);
    expect((await ledger.get(second, 1))!.jitDeletedAt).toBeUndefined();

    // The slot frees; the waiting launch stores its secret now, and that one is the one deleted later.
    github.job.set(first, { status: "completed", conclusion: "success" }); // it ran: no relaunch
    h.codebuild.complete((await ledger.get(first, 1))!.buildId!, "SUCCEEDED");
    await reconcile(reconcileDeps);
    expect(await launch(queuedJob(second, { environment, concurrency: 1 }), deps())).toMatchObject({ outcome: "launched" });
    const record = (await ledger.get(second, 1))!;
    expect(h.ssm.parameters().has(record.jitParameter!)).toBe(true);
    await reconcile(reconcileDeps);
    expect(h.ssm.parameters().has(record.jitParameter!)).toBe(true); // fresh: kept
    clock += 16 * MIN;
    await reconcile(reconcileDeps);
    expect(h.ssm.parameters().has(record.jitParameter!)).toBe(false);
    expect((await ledger.get(second, 1))!.jitDeletedAt).toBeDefined();
  });

  it("treats SSM's parameter limit as a passing cause, not a reason to park", async () => {
    const id = job();
    h.aws.faults.add({ service: "ssm", operation: "PutParameter", times: 1, error: { code: "ParameterLimitExceeded", statusCode: 400 } });
    await expect(launch(queuedJob(id), deps())).rejects.toBeInstanceOf(RetryLaterError);
    expect(parked().filter((m) => m.job.id === id)).toHaveLength(0);
    clock += 2 * MIN;
    expect(await launch(queuedJob(id), deps())).toMatchObject({ outcome: "launched" });
  });

  it("finds the build of a runner however many builds the project started since", async () => {
    const starter = codeBuildStarter();
    const target = { region: "eu-west-1" };
    const since = Date.now() - 1_000;
    const { buildId } = await starter.start({ target, project: PROJECT, environment: "dev", idempotencyToken: crypto.randomUUID(), runnerName: "runway-dev-1-1-aaaaaaaa", jitParameter: "/x", jobId: 1, runAttempt: 1, overrides: {} });
    h.codebuild.complete(buildId, "SUCCEEDED");
    for (let i = 0; i < 230; i++) {
      const other = await starter.start({ target, project: PROJECT, environment: "dev", idempotencyToken: crypto.randomUUID(), runnerName: `other-${i}`, jitParameter: "/x", jobId: 2, runAttempt: 1, overrides: {} });
      h.codebuild.complete(other.buildId, "SUCCEEDED"); // under the project's concurrent-build limit
    }
    expect(await starter.findByRunner(target, PROJECT, "runway-dev-1-1-aaaaaaaa", since)).toBe(buildId);
    expect(await starter.findByRunner(target, PROJECT, "runway-dev-9-9-bbbbbbbb", since)).toBeUndefined();
  });
});
