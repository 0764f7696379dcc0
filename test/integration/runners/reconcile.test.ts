/**
 * The reconciler against dynalite and the CodeBuild emulator, with GitHub's answers (job status,
 * runner busy and online) from a fake port: stuck and waiting launches are sent again, idle runners
 * stopped only once GitHub says they are idle and their job is elsewhere, builds that ended without
 * taking their job relaunched (bounded, then parked and told), finished builds free their slots,
 * used JIT configs deleted, and a build whose runner is running a job is never stopped.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { codeBuildWatcher } from "../../../lib/runners/aws-ports.ts";
import { consumeJobMessages } from "../../../lib/runners/consume.ts";
import { jobCompleted, jobStarted } from "../../../lib/runners/job-lifecycle.ts";
import type { JobMessage } from "../../../lib/jobs/job-message.ts";
import { launch } from "../../../lib/runners/launch.ts";
import { Ledger, launchKey } from "../../../lib/runners/ledger.ts";
import { reconcile, type ReconcileDeps } from "../../../lib/runners/reconcile.ts";
import type { NotificationInput } from "../../../lib/notify/event-keys.ts";
import { documentClient } from "../../../lib/aws/dynamodb.ts";
import { DLQ, gitHubTruth, queuedJob, sqsEvent, startHarness, type Harness } from "./harness.ts";

let h: Harness;
let clock = Date.now();
let ledger: Ledger;
const sent: { message: JobMessage; dedup?: string | undefined }[] = [];
const notices: { event: NotificationInput; environment: string }[] = [];
const github = gitHubTruth();
let deps: ReconcileDeps;
let nextJob = 5000;
const used: number[] = [];
const job = () => {
  used.push(++nextJob);
  return nextJob;
};
const MIN = 60_000;

beforeAll(async () => {
  h = await startHarness({ table: "runway-reconcile" });
  // The same table, read through a ledger whose clock the test moves.
  ledger = new Ledger({ client: documentClient(), table: "runway-reconcile", now: () => clock });
  deps = {
    ledger,
    builds: codeBuildWatcher(),
    secrets: h.deps.secrets,
    registry: h.registry,
    jobs: github.jobs,
    runners: github.runners,
    queue: { send: async (message, dedup) => void sent.push({ message, dedup }) },
    parking: h.deps.parking,
    notify: (event, environment) => void notices.push({ event, environment }),
    settings: { stuckAfterMs: 2 * MIN, idleMs: 10 * MIN, jitMaxAgeMs: 15 * MIN, onlineWithinMs: 30 * MIN, maxRelaunches: 2, jitPrefix: "/runway/test/jit" },
  };
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => {
  sent.length = 0;
});
afterEach(() => {
  // What a test leaves running is over on GitHub, so later passes (the clock only moves on) just finish it.
  github.unreachable = false;
  for (const id of used) github.job.set(id, { status: "completed", conclusion: "success" });
});

const launchDeps = () => ({ ...h.deps, ledger });
const sentFor = (id: number) => sent.filter((s) => s.message.job.id === id);
const buildStatus = (id: string) => h.codebuild.build(id)!.buildStatus;
/** Launch a runner for a fresh job; returns the job's id and its launch record. */
async function launched(overrides: Parameters<typeof queuedJob>[1] = {}) {
  const id = job();
  expect(await launch(queuedJob(id, overrides), launchDeps())).toMatchObject({ outcome: "launched" });
  return { id, record: (await ledger.get(id, 1))! };
}

describe("the reconciler", () => {
  // Was: stopped 10 min after StartBuild on the ledger's word alone. Now the idle window starts when
  // GitHub first reports the runner online, and the build is stopped only once GitHub says the
  // runner is not busy and its job is taken elsewhere (or over).
  it("stops a build whose runner took no job within the idle window, frees its slot and unregisters the runner", async () => {
    const { id, record: launchedRecord } = await launched();
    h.codebuild.advance(launchedRecord.buildId!, "BUILD");
    github.runner.set(launchedRecord.runnerId!, { status: "online" });
    clock += 2 * MIN;
    await reconcile(deps);
    expect((await ledger.get(id, 1))!.readyAt).toBe(clock);
    github.job.set(id, { status: "in_progress", runnerName: "runway-dev-another-runner-of-the-run" });
    clock += 11 * MIN;
    const report = await reconcile(deps);
    expect(report.stoppedIdle).toContain(launchKey(id, 1));
    const record = (await ledger.get(id, 1))!;
    expect(record).toMatchObject({ state: "finished", reason: expect.stringContaining("took no job within 10 min") });
    expect(h.codebuild.build(record.buildId!)!.buildStatus).toBe("STOPPED");
    expect(await ledger.slotHolders("dev")).not.toContain(record.pk);
    expect(h.registry.removed).toContain(record.runnerName);
  });

  it("never stops a build whose runner is running a job, however long it runs", async () => {
    const id = job();
    await launch(queuedJob(id), launchDeps());
    const record = (await ledger.get(id, 1))!;
    await jobStarted({ ...queuedJob(id), action: "in_progress", job: { ...queuedJob(id).job, runnerName: record.runnerName } }, { ledger });
    clock += 60 * MIN;
    const report = await reconcile(deps);
    expect(report.stoppedIdle).not.toContain(record.pk);
    expect(h.codebuild.build(record.buildId!)!.buildStatus).toBe("IN_PROGRESS");
    // Its JIT config was used: deleted.
    expect(report.secretsDeleted).toContain(record.pk);
    expect(h.ssm.parameters().has(record.jitParameter!)).toBe(false);
  });

  it("marks a launch finished and frees its slot when its build has ended", async () => {
    const id = job();
    await launch(queuedJob(id), launchDeps());
    const record = (await ledger.get(id, 1))!;
    // Its runner took its job (the `completed` is what was lost): nothing to ask GitHub.
    await jobStarted({ ...queuedJob(id), action: "in_progress", job: { ...queuedJob(id).job, runnerName: record.runnerName } }, { ledger });
    h.codebuild.complete(record.buildId!, "FAILED");
    const asked = github.asked.jobs.length;
    const report = await reconcile(deps);
    expect(github.asked.jobs.slice(asked)).not.toContain(id);
    expect(report.finished).toContain(record.pk);
    expect((await ledger.get(id, 1))!).toMatchObject({ state: "finished", reason: "build FAILED" });
    expect(await ledger.slotHolders("dev")).not.toContain(record.pk);
  });

  it("sends a launch stuck past its deadline to the queue again, with a new deduplication id", async () => {
    const id = job();
    await ledger.claim(queuedJob(id), { leaseMs: 1_000, jitPrefix: "/runway/test/jit" }); // a worker claimed it and died
    clock += 3 * MIN;
    const report = await reconcile(deps);
    expect(report.relaunched).toContain(launchKey(id, 1));
    // (Only this job's: launches other tests left behind may be sent too.)
    expect(sentFor(id)).toEqual([expect.objectContaining({ message: expect.objectContaining({ job: expect.objectContaining({ id }) }), dedup: expect.stringContaining(`${id}-1-queued-relaunch-`) })]);
  });

  it("sends a waiting launch again once its environment has a free slot, oldest first, no more than free slots", async () => {
    const env = "tight";
    const ids = [job(), job(), job()];
    for (const id of ids) {
      clock += 1_000; // "oldest" must not be a tie
      await launch(queuedJob(id, { environment: env, concurrency: 1 }), launchDeps());
    }
    expect((await ledger.get(ids[1]!, 1))!.state).toBe("waiting");
    await reconcile(deps);
    expect(sent.filter((s) => s.message.environment === env)).toHaveLength(0); // still full

    const first = (await ledger.get(ids[0]!, 1))!;
    // Its job ran (GitHub says so; no in_progress came): the build's end frees the slot, no relaunch.
    github.job.set(ids[0]!, { status: "completed", conclusion: "success", runnerName: first.runnerName });
    h.codebuild.complete(first.buildId!, "SUCCEEDED");
    await reconcile(deps); // frees the slot (build over)…
    await reconcile(deps); // …and the next pass hands it to the oldest waiting launch
    const resent = sent.filter((s) => s.message.environment === env).map((s) => s.message.job.id);
    expect(resent).toEqual([ids[1]]);
  });

  it("deletes an unused JIT config once it is older than its maximum age", async () => {
    const id = job();
    await launch(queuedJob(id), launchDeps());
    const record = (await ledger.get(id, 1))!;
    clock += 16 * MIN;
    await reconcile(deps);
    expect(h.ssm.parameters().has(record.jitParameter!)).toBe(false);
    expect((await ledger.get(id, 1))!.jitDeletedAt).toBeDefined();
  });

  it("gives back a slot still held by a launch that is over", async () => {
    const id = job();
    await launch(queuedJob(id), launchDeps());
    const record = (await ledger.get(id, 1))!;
    await ledger.annotate(record.pk, { state: "finished" }); // finished, but its slot was never released
    expect(await ledger.slotHolders("dev")).toContain(record.pk);
    const report = await reconcile(deps);
    expect(report.slotsFreed).toContain(record.pk);
    expect(await ledger.slotHolders("dev")).not.toContain(record.pk);
  });
});

describe("the reconciler asks GitHub before it stops a build", () => {
  it("never stops a build whose in_progress was lost while GitHub says its runner is busy, and records that it took a job", async () => {
    const { id, record } = await launched();
    h.codebuild.advance(record.buildId!, "BUILD");
    github.runner.set(record.runnerId!, { status: "online", busy: true });
    clock += 20 * MIN;
    const first = await reconcile(deps);
    expect(first.keptBusy).toContain(record.pk);
    expect((await ledger.get(id, 1))!.tookAt).toBe(clock);
    for (let hour = 1; hour <= 5; hour++) {
      clock += 60 * MIN;
      const report = await reconcile(deps);
      expect(report.stoppedIdle).not.toContain(record.pk);
    }
    expect(buildStatus(record.buildId!)).toBe("IN_PROGRESS");
    expect((await ledger.get(id, 1))!.state).toBe("launched");
    // Used, so its JIT config is gone.
    expect(h.ssm.parameters().has(record.jitParameter!)).toBe(false);
  });

  it("keeps a build whose runner GitHub no longer lists when GitHub says the job ran on it", async () => {
    const { id, record } = await launched();
    github.runner.set(record.runnerId!, "gone");
    github.job.set(id, { status: "in_progress", runnerName: record.runnerName, runnerId: record.runnerId! });
    clock += 40 * MIN; // past the ceiling for a runner never seen online
    const report = await reconcile(deps);
    expect(report.stoppedIdle).not.toContain(record.pk);
    expect(report.keptBusy).toContain(record.pk);
    expect(buildStatus(record.buildId!)).toBe("IN_PROGRESS");
    expect((await ledger.get(id, 1))!).toMatchObject({ state: "launched", tookJobId: id, tookAt: clock });
  });

  it("measures idleness from when GitHub first reports the runner online, and stops it once its job is no longer queued", async () => {
    const { id, record } = await launched();
    clock += 20 * MIN; // a slow cold start: offline all along
    expect((await reconcile(deps)).stoppedIdle).not.toContain(record.pk);
    h.codebuild.advance(record.buildId!, "BUILD");
    github.runner.set(record.runnerId!, { status: "online" });
    clock += 1 * MIN;
    await reconcile(deps);
    const online = clock;
    expect((await ledger.get(id, 1))!.readyAt).toBe(online);
    clock += 9 * MIN; // 30 min after StartBuild, 9 min online
    expect((await reconcile(deps)).stoppedIdle).not.toContain(record.pk);
    expect(buildStatus(record.buildId!)).toBe("IN_PROGRESS");

    github.job.set(id, { status: "completed", conclusion: "cancelled" });
    clock += 2 * MIN;
    const report = await reconcile(deps);
    expect(report.stoppedIdle).toContain(record.pk);
    expect(buildStatus(record.buildId!)).toBe("STOPPED");
    expect((await ledger.get(id, 1))!).toMatchObject({ state: "finished", reason: expect.stringMatching(/took no job within 10 min of coming online; job \d+ is completed \(cancelled\) on GitHub/) });
    expect(sentFor(id)).toEqual([]); // over on GitHub: nothing to relaunch
    expect(h.registry.removed).toContain(record.runnerName);
  });

  it("keeps an idle runner whose job still waits on GitHub, since GitHub may yet hand it over", async () => {
    const { id, record } = await launched();
    h.codebuild.advance(record.buildId!, "BUILD");
    github.runner.set(record.runnerId!, { status: "online" });
    await reconcile(deps);
    clock += 15 * MIN;
    expect((await reconcile(deps)).stoppedIdle).not.toContain(record.pk);
    expect(buildStatus(record.buildId!)).toBe("IN_PROGRESS");
    expect((await ledger.get(id, 1))!.state).toBe("launched");
  });

  it("does not count a build waiting in CodeBuild's queue as idle, however long after StartBuild", async () => {
    const { record } = await launched();
    const real = codeBuildWatcher();
    // The emulator refuses builds at the account's quota rather than queueing them: report QUEUED here.
    const queued: ReconcileDeps["builds"] = {
      ...real,
      async statuses(target, ids) {
        const states = await real.statuses(target, ids);
        const state = states.get(record.buildId!);
        if (state) states.set(record.buildId!, { status: state.status, phase: "QUEUED" });
        return states;
      },
    };
    const asked = github.asked.runners.length;
    clock += 5 * 60 * MIN;
    const report = await reconcile({ ...deps, builds: queued });
    expect(report.stoppedIdle).not.toContain(record.pk);
    expect(buildStatus(record.buildId!)).toBe("IN_PROGRESS");
    expect(github.asked.runners.slice(asked)).not.toContain(record.runnerId); // no runner can be online yet: nothing to ask
  });

  it("does not count a build still provisioning past the idle window as idle", async () => {
    const { record } = await launched();
    expect(h.codebuild.build(record.buildId!)!.currentPhase).toBe("PROVISIONING");
    clock += 15 * MIN;
    const report = await reconcile(deps);
    expect(report.stoppedIdle).not.toContain(record.pk);
    expect(buildStatus(record.buildId!)).toBe("IN_PROGRESS");
  });

  it("stops nothing and relaunches nothing while GitHub cannot be asked, and acts once it can", async () => {
    const idle = await launched();
    h.codebuild.advance(idle.record.buildId!, "BUILD");
    github.runner.set(idle.record.runnerId!, { status: "online" });
    await reconcile(deps); // online from now
    github.job.set(idle.id, { status: "completed", conclusion: "cancelled" });
    const ended = await launched();
    h.codebuild.complete(ended.record.buildId!, "FAULT");

    github.unreachable = true;
    clock += 30 * MIN;
    const report = await reconcile(deps);
    expect(report.deferred).toEqual(expect.arrayContaining([idle.record.pk, ended.record.pk]));
    expect(buildStatus(idle.record.buildId!)).toBe("IN_PROGRESS");
    expect((await ledger.get(idle.id, 1))!.state).toBe("launched");
    expect((await ledger.get(ended.id, 1))!).toMatchObject({ state: "launched", token: ended.record.token });
    expect(sentFor(ended.id)).toEqual([]);

    github.unreachable = false;
    const after = await reconcile(deps);
    expect(after.stoppedIdle).toContain(idle.record.pk);
    expect(after.relaunchedBuilds).toContain(ended.record.pk);
  });

  it("stops a runner that never came online within the ceiling, and relaunches its still-queued job", async () => {
    const { id, record } = await launched();
    clock += 29 * MIN;
    expect((await reconcile(deps)).stoppedIdle).not.toContain(record.pk);
    clock += 2 * MIN;
    const report = await reconcile(deps);
    expect(report.stoppedIdle).toContain(record.pk);
    expect(report.relaunchedBuilds).toContain(record.pk);
    expect(buildStatus(record.buildId!)).toBe("STOPPED");
    expect(sentFor(id)).toEqual([expect.objectContaining({ dedup: `${id}-1-queued-relaunch-1` })]);
  });
});

describe("the reconciler relaunches a job no build took", () => {
  it("launches again when the build ended without taking its still-queued job, up to the bound; then parks it and tells Slack", async () => {
    const { id, record } = await launched();
    const builds = [record.buildId!];
    let current = record;
    for (let round = 1; round <= 2; round++) {
      h.codebuild.complete(current.buildId!, "FAILED"); // the runner broke before it took the job
      const report = await reconcile(deps);
      expect(report.relaunchedBuilds).toContain(record.pk);
      const reopened = (await ledger.get(id, 1))!;
      expect(reopened).toMatchObject({ state: "launching", relaunches: round, leaseUntil: 0 });
      expect(reopened.token).not.toBe(current.token);
      expect(reopened.runnerName).not.toBe(current.runnerName);
      expect(h.ssm.parameters().has(current.jitParameter!)).toBe(false);
      expect(h.registry.removed).toContain(current.runnerName);
      const [resent] = sentFor(id);
      expect(resent!.dedup).toBe(`${id}-1-queued-relaunch-${round}`);

      // The launcher consumes the requeued message: a second build, with the new runner.
      sent.length = 0;
      expect((await consumeJobMessages(sqsEvent(resent!.message), launchDeps())).batchItemFailures).toEqual([]);
      current = (await ledger.get(id, 1))!;
      expect(current).toMatchObject({ state: "launched", runnerName: reopened.runnerName });
      expect(builds).not.toContain(current.buildId);
      expect(buildStatus(current.buildId!)).toBe("IN_PROGRESS");
      builds.push(current.buildId!);
    }

    h.codebuild.complete(current.buildId!, "FAILED");
    const report = await reconcile(deps);
    expect(report.parked).toContain(record.pk);
    expect(report.relaunchedBuilds).not.toContain(record.pk);
    expect(sentFor(id)).toEqual([]);
    const parkedRecord = (await ledger.get(id, 1))!;
    expect(parkedRecord).toMatchObject({ state: "failed", reason: expect.stringContaining(`job ${id} is queued on GitHub after 2 relaunches: parked`) });
    expect(await ledger.slotHolders("dev")).not.toContain(record.pk);
    const parked = h.sqs.messages(DLQ).filter((m) => (JSON.parse(m.body) as JobMessage).job.id === id);
    expect(parked).toHaveLength(1);
    expect(parked[0]!.messageAttributes.reason!.StringValue).toBe(parkedRecord.reason);
    const refused = notices.filter((n) => n.event.type === "job.refused" && n.event.job.id === id);
    expect(refused).toEqual([{ environment: "dev", event: expect.objectContaining({ reason: parkedRecord.reason, replay: `npx runway replay --job ${id}` }) }]);
    expect(builds).toHaveLength(3); // one build, two relaunches, nothing more
    expect(new Set(builds).size).toBe(3);

    // Parked once: later passes leave it.
    expect((await reconcile(deps)).parked).not.toContain(record.pk);
  });

  it("launches again for a job whose runner ran a sibling of its run, when the sibling's runner died and GitHub says the job still waits", async () => {
    const { id: a, record: recordA } = await launched();
    const siblingMessage = queuedJob(job(), { job: { ...queuedJob(a).job, id: nextJob } }); // same run, same environment
    const b = siblingMessage.job.id;
    // A's runner takes B (GitHub may hand any job of the run to any of its runners); B ends.
    await jobStarted({ ...siblingMessage, action: "in_progress", job: { ...siblingMessage.job, runnerName: recordA.runnerName } }, { ledger });
    await jobCompleted({ ...siblingMessage, action: "completed", job: { ...siblingMessage.job, runnerName: recordA.runnerName, conclusion: "success" } }, { ledger });
    expect((await ledger.get(a, 1))!).toMatchObject({ state: "launched", tookJobId: b });

    // A's build ends with B's verdict; A's own job still waits on GitHub (B's runner died).
    h.codebuild.complete(recordA.buildId!, "SUCCEEDED");
    github.job.set(a, { status: "queued" });
    const report = await reconcile(deps);
    expect(report.relaunchedBuilds).toContain(recordA.pk);
    expect(sentFor(a)).toEqual([expect.objectContaining({ dedup: `${a}-1-queued-relaunch-1` })]);

    // Had GitHub said A was taken meanwhile, nothing would have been launched.
    const { id: c, record: recordC } = await launched();
    const siblingOfC = queuedJob(job(), { job: { ...queuedJob(c).job, id: nextJob } });
    await jobCompleted({ ...siblingOfC, action: "completed", job: { ...siblingOfC.job, runnerName: recordC.runnerName, conclusion: "success" } }, { ledger });
    h.codebuild.complete(recordC.buildId!, "SUCCEEDED");
    github.job.set(c, { status: "in_progress", runnerName: "runway-dev-1-1-0000aaaa" });
    expect((await reconcile(deps)).finished).toContain(recordC.pk);
    expect(sentFor(c)).toEqual([]);
  });

  it("does not relaunch a job GitHub says is already completed", async () => {
    const { id, record } = await launched();
    github.job.set(id, { status: "completed", conclusion: "cancelled" });
    h.codebuild.complete(record.buildId!, "SUCCEEDED"); // its runner gave up waiting
    const report = await reconcile(deps);
    expect(report.finished).toContain(record.pk);
    expect(report.relaunchedBuilds).not.toContain(record.pk);
    expect(sentFor(id)).toEqual([]);
    expect((await ledger.get(id, 1))!).toMatchObject({ state: "finished", reason: `build SUCCEEDED; job ${id} is completed (cancelled) on GitHub` });
  });

  it("drops a waiting launch whose job GitHub says is over, and gives its slot to the next", async () => {
    const environment = "tight-drop";
    const [running, cancelled, next] = [job(), job(), job()];
    for (const id of [running, cancelled, next]) {
      clock += 1_000; // oldest first: each launch a second after the last
      await launch(queuedJob(id, { environment, concurrency: 1 }), launchDeps());
    }
    expect((await ledger.get(cancelled, 1))!.state).toBe("waiting");
    github.job.set(cancelled, { status: "completed", conclusion: "cancelled" }); // its `completed` was lost
    github.job.set(running, { status: "completed", conclusion: "success" });
    h.codebuild.complete((await ledger.get(running, 1))!.buildId!, "SUCCEEDED");
    await reconcile(deps); // the build's end frees the slot
    const report = await reconcile(deps);
    expect(report.dropped).toContain(launchKey(cancelled, 1));
    expect((await ledger.get(cancelled, 1))!).toMatchObject({ state: "finished", reason: `job ${cancelled} is completed (cancelled) on GitHub: dropped while it waited for a slot` });
    expect(sent.filter((s) => s.message.environment === environment).map((s) => s.message.job.id)).toEqual([next]);
  });
});
