/**
 * The reconciler against dynalite and the CodeBuild emulator: stuck and waiting launches are sent
 * again, idle runners stopped, finished builds free their slots, used JIT configs deleted, and a
 * build whose runner is running a job is never stopped.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { codeBuildWatcher } from "../../../lib/runners/aws-ports.ts";
import { jobStarted } from "../../../lib/runners/job-lifecycle.ts";
import type { JobMessage } from "../../../lib/runners/job-message.ts";
import { launch } from "../../../lib/runners/launch.ts";
import { Ledger, launchKey } from "../../../lib/runners/ledger.ts";
import { reconcile, type ReconcileDeps } from "../../../lib/runners/reconcile.ts";
import { documentClient } from "../../../lib/aws/clients.ts";
import { queuedJob, startHarness, type Harness } from "./harness.ts";

let h: Harness;
let clock = Date.now();
let ledger: Ledger;
const sent: { message: JobMessage; dedup?: string | undefined }[] = [];
let deps: ReconcileDeps;
let nextJob = 5000;
const job = () => ++nextJob;
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
    queue: { send: async (message, dedup) => void sent.push({ message, dedup }) },
    settings: { stuckAfterMs: 2 * MIN, idleMs: 10 * MIN, jitMaxAgeMs: 15 * MIN },
  };
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => {
  sent.length = 0;
});

const launchDeps = () => ({ ...h.deps, ledger });

describe("the reconciler", () => {
  it("stops a build whose runner took no job within the idle window, frees its slot and unregisters the runner", async () => {
    const id = job();
    const result = await launch(queuedJob(id), launchDeps());
    expect(result.outcome).toBe("launched");
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
    h.codebuild.complete(record.buildId!, "FAILED");
    const report = await reconcile(deps);
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
    expect(sent).toEqual([expect.objectContaining({ message: expect.objectContaining({ job: expect.objectContaining({ id }) }), dedup: expect.stringContaining(`${id}-1-queued-relaunch-`) })]);
  });

  it("sends a waiting launch again once its environment has a free slot, oldest first, no more than free slots", async () => {
    const env = "tight";
    const ids = [job(), job(), job()];
    for (const id of ids) await launch(queuedJob(id, { environment: env, concurrency: 1 }), launchDeps());
    expect((await ledger.get(ids[1]!, 1))!.state).toBe("waiting");
    await reconcile(deps);
    expect(sent.filter((s) => s.message.environment === env)).toHaveLength(0); // still full

    const first = (await ledger.get(ids[0]!, 1))!;
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
