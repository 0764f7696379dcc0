/**
 * Which failed deliveries the redeliverer asks GitHub to send again, against a delivery log and a
 * ledger held in memory: failed vs made good (by guid, by the ledger, by a later delivery of the
 * same job and action), its bounds, its watermark, idempotence under overlapping runs, and GitHub
 * failing mid-run.
 */
import { describe, expect, it } from "vitest";
import type { DeliveryLog, HookDeliveryDetail } from "../../../lib/github/deliveries.ts";
import { GitHubApiError, GitHubRateLimitError } from "../../../lib/github/errors.ts";
import type { LaunchRecord } from "../../../lib/runners/ledger.ts";
import { REDELIVER_DEFAULTS, redeliverFailed, type LaunchLookup, type RedeliverDeps, type RedeliverSettings, type RedeliveryBook } from "../../../lib/runners/redeliver.ts";
import type { RedeliveryState, RedeliveryWatermark } from "../../../lib/runners/redelivery-records.ts";

const T0 = Date.parse("2026-12-01T12:00:00Z");
const MINUTE = 60_000;

interface Spec {
  action?: string;
  status?: number;
  guid?: string;
  job?: number;
  attempt?: number;
  runner?: string;
  event?: string;
  /** Seconds after T0. */
  at?: number;
  repositoryId?: number;
  redelivery?: boolean;
}

/** The App's delivery log: newest first, `perPage` to a page, with each call counted and faults to inject. */
class FakeLog implements DeliveryLog {
  readonly entries: HookDeliveryDetail[] = [];
  /** `redeliver`: the redeliveries GitHub accepted; `attempts`: every ask, accepted or not. */
  readonly calls = { list: 0, get: [] as number[], redeliver: [] as number[], attempts: 0 };
  /** The next calls of a kind throw these, in turn (undefined: that call goes through). */
  readonly faults: { list: (Error | undefined)[]; get: (Error | undefined)[]; redeliver: (Error | undefined)[] } = { list: [], get: [], redeliver: [] };
  readonly perPage: number;
  #nextId = 1000;
  constructor(perPage = 100) {
    this.perPage = perPage;
  }

  add(spec: Spec = {}): HookDeliveryDetail {
    const id = this.#nextId++;
    const event = spec.event ?? "workflow_job";
    const job = spec.job ?? id;
    const entry: HookDeliveryDetail = {
      id,
      guid: spec.guid ?? `guid-${id}`,
      deliveredAt: T0 + (spec.at ?? id - 1000) * 1000,
      redelivery: spec.redelivery ?? false,
      statusCode: spec.status ?? 202,
      status: (spec.status ?? 202) === 202 ? "OK" : `Invalid HTTP Response: ${spec.status}`,
      event,
      action: spec.action ?? "queued",
      installationId: 42,
      repositoryId: spec.repositoryId ?? 1,
      job: event === "workflow_job" ? { jobId: job, runId: job, runAttempt: spec.attempt ?? 1, runnerName: spec.runner } : undefined,
    };
    this.entries.push(entry);
    return entry;
  }

  async list(cursor?: string) {
    this.calls.list += 1;
    const fault = this.faults.list.shift();
    if (fault) throw fault;
    const newest = [...this.entries].sort((a, b) => b.id - a.id);
    const start = cursor === undefined ? 0 : Number(cursor);
    const page = newest.slice(start, start + this.perPage).map(({ job: _job, ...item }) => ({ ...item }));
    return { deliveries: page, nextCursor: start + this.perPage < newest.length ? String(start + this.perPage) : undefined };
  }

  async get(id: number) {
    this.calls.get.push(id);
    const fault = this.faults.get.shift();
    if (fault) throw fault;
    const entry = this.entries.find((e) => e.id === id);
    if (!entry) throw new GitHubApiError(`delivery ${id} is gone`, { status: 404, retryable: false });
    return structuredClone(entry);
  }

  async redeliver(id: number) {
    this.calls.attempts += 1;
    const fault = this.faults.redeliver.shift();
    if (fault) throw fault;
    await Promise.resolve();
    this.calls.redeliver.push(id);
  }
}

/** The ledger's launches and the redeliverer's records, in memory, with the same conditions. */
class MemoryLedger implements LaunchLookup, RedeliveryBook {
  clock = T0 + 10 * MINUTE;
  readonly launches = new Map<string, Partial<LaunchRecord>>();
  readonly records = new Map<number, { state: RedeliveryState; token: string; leaseUntil: number }>();
  mark: RedeliveryWatermark | undefined;
  #tokens = 0;

  now = () => this.clock;
  launch(jobId: number, fields: Partial<LaunchRecord> = {}, runAttempt = 1) {
    this.launches.set(`${jobId}#${runAttempt}`, { jobId, runAttempt, ...fields });
  }
  async get(jobId: number, runAttempt: number) {
    return this.launches.get(`${jobId}#${runAttempt}`) as LaunchRecord | undefined;
  }
  async launchForRunner(runnerName: string) {
    return [...this.launches.values()].find((l) => l.runnerName === runnerName) as LaunchRecord | undefined;
  }
  async redeliveryWatermark() {
    return this.mark;
  }
  async advanceRedeliveryWatermark(mark: { deliveryId: number; deliveredAt: number }) {
    if (this.mark && this.mark.deliveryId >= mark.deliveryId) return false;
    this.mark = { ...mark, updatedAt: this.clock };
    return true;
  }
  async redeliveryState(id: number) {
    const r = this.records.get(id);
    if (!r || (r.state === "claimed" && r.leaseUntil < this.clock)) return undefined;
    return r.state;
  }
  async claimRedelivery(id: number, options: { leaseMs: number; keepUntil: number }) {
    const r = this.records.get(id);
    if (r && !(r.state === "claimed" && r.leaseUntil < this.clock)) return undefined;
    const token = `t${++this.#tokens}`;
    this.records.set(id, { state: "claimed", token, leaseUntil: this.clock + options.leaseMs });
    return token;
  }
  async settleRedelivery(id: number, token: string, state: "redelivered" | "refused") {
    const r = this.records.get(id);
    if (r?.token === token) r.state = state;
  }
  async releaseRedelivery(id: number, token: string) {
    const r = this.records.get(id);
    if (r?.state === "claimed" && r.token === token) this.records.delete(id);
  }
}

function setup(settings: Partial<RedeliverSettings> = {}, perPage?: number) {
  const log = new FakeLog(perPage);
  const ledger = new MemoryLedger();
  const lines: Record<string, unknown>[] = [];
  const deps: RedeliverDeps = { ledger, records: ledger, deliveries: log, settings: { ...REDELIVER_DEFAULTS, ...settings }, log: (_m, fields) => lines.push(fields) };
  return { log, ledger, deps, lines, run: () => redeliverFailed(deps) };
}

const outage = () => new GitHubApiError("could not list: GitHub answered 503; retry later", { status: 503, retryable: true });

describe("redeliverFailed(): what is failed, and what was made good", () => {
  it("redelivers failed workflow_job deliveries (5xx, and 0 for no answer), and nothing else", async () => {
    const { log, run, lines } = setup();
    log.add({ status: 202 });
    const down = log.add({ status: 503 });
    const unreachable = log.add({ status: 0 });
    log.add({ status: 500, event: "ping", action: null as unknown as string });
    log.add({ status: 503, action: "waiting" });
    const report = await run();
    expect(log.calls.redeliver).toEqual([down.id, unreachable.id]);
    expect(report).toMatchObject({ listed: 5, failed: 3, skipped: 1, redelivered: [down.id, unreachable.id] });
    expect(lines).toEqual([expect.objectContaining({ listed: 5, failed: 3, redelivered: 2 })]);
  });

  it("takes a later successful attempt with the same guid as made good, without reading anything", async () => {
    const { log, run } = setup();
    const failed = log.add({ status: 503, guid: "g1" });
    log.add({ status: 202, guid: "g1", redelivery: true });
    const report = await run();
    expect(report.madeGood.guid).toBe(1);
    expect(log.calls.get).toEqual([]);
    expect(log.calls.redeliver).toEqual([]);
    expect(report.redelivered).not.toContain(failed.id);
  });

  it("redelivers only the newest attempt of an event whose every attempt failed", async () => {
    const { log, run } = setup();
    log.add({ status: 503, guid: "g2", job: 7 });
    const again = log.add({ status: 0, guid: "g2", job: 7, redelivery: true });
    const report = await run();
    expect(log.calls.redeliver).toEqual([again.id]);
    expect(report.superseded).toBe(1);
  });

  it("takes the ledger's facts as made good: a launch for queued, the runner for in_progress, the conclusion for completed", async () => {
    const { log, ledger, run } = setup();
    ledger.launch(1);
    ledger.launch(2, { ranOn: "runway-dev-2" });
    ledger.launch(30, { runnerName: "runner-30", tookJobId: 3 });
    ledger.launch(40, { runnerName: "runner-40", foreignJobId: 4 });
    ledger.launch(5, { conclusion: "success" });
    ledger.launch(6, { ranOn: "runner-6" }); // started, but its completed never recorded
    log.add({ status: 503, job: 1, action: "queued" });
    log.add({ status: 503, job: 2, action: "in_progress" });
    log.add({ status: 503, job: 3, action: "in_progress", runner: "runner-30" });
    log.add({ status: 503, job: 4, action: "in_progress", runner: "runner-40" });
    log.add({ status: 503, job: 5, action: "completed" });
    const completed6 = log.add({ status: 503, job: 6, action: "completed", runner: "runner-6" });
    const unknown = log.add({ status: 503, job: 9, action: "queued" });
    const report = await run();
    expect(report.madeGood.ledger).toBe(5);
    expect(log.calls.redeliver).toEqual([completed6.id, unknown.id]);
  });

  it("takes a later successful delivery of the same job and action, under another guid, as made good", async () => {
    const { log, run } = setup();
    const lost = log.add({ status: 503, job: 70, action: "queued" });
    const other = log.add({ status: 503, job: 71, action: "queued" });
    log.add({ status: 202, job: 72, action: "queued" });
    log.add({ status: 202, job: 70, action: "queued" }); // GitHub described job 70 again
    log.add({ status: 202, job: 71, action: "in_progress" }); // another action: not the same fact
    const report = await run();
    expect(report.madeGood.later).toBe(1);
    expect(log.calls.redeliver).toEqual([other.id]);
    expect(report.redelivered).not.toContain(lost.id);
    // The later deliveries were read once each, however many failed deliveries looked at them.
    expect(new Set(log.calls.get).size).toBe(log.calls.get.length);
  });

  it("stops looking at later deliveries at its own bound, and then simply redelivers", async () => {
    const { log, run } = setup({ maxPeeks: 1 });
    const lost = log.add({ status: 503, job: 80 });
    log.add({ status: 202, job: 81 });
    log.add({ status: 202, job: 80 });
    const report = await run();
    expect(report.redelivered).toEqual([lost.id]);
    expect(log.calls.get).toHaveLength(2);
  });
});

describe("redeliverFailed(): bounds and the watermark", () => {
  it("redelivers at most maxRedeliveries a run and the rest in the next, each once", async () => {
    const { log, run } = setup({ maxRedeliveries: 2 });
    const failed = [1, 2, 3, 4, 5].map(() => log.add({ status: 503 }));
    const first = await run();
    expect(first.redelivered).toEqual([failed[0]!.id, failed[1]!.id]);
    expect(first.stopped).toMatch(/this run's limit/);
    expect(first.watermark).toBe(failed[1]!.id);
    const second = await run();
    expect(second.redelivered).toEqual([failed[2]!.id, failed[3]!.id]);
    const third = await run();
    expect(third.redelivered).toEqual([failed[4]!.id]);
    expect(third.stopped).toBeUndefined();
    expect(log.calls.redeliver).toEqual(failed.map((f) => f.id));
  });

  it("reads at most maxDetails deliveries a run", async () => {
    const { log, run } = setup({ maxDetails: 3 });
    [1, 2, 3, 4, 5].forEach(() => log.add({ status: 503 }));
    const report = await run();
    expect(report.detailsRead).toBe(3);
    expect(report.redelivered).toHaveLength(3);
    expect(report.stopped).toMatch(/read 3 deliveries/);
  });

  it("reads the log back to the watermark only, page by page", async () => {
    const { log, ledger, run } = setup({}, 2);
    for (let i = 0; i < 7; i++) log.add({ status: 202 });
    await run();
    expect(log.calls.list).toBe(4);
    expect(ledger.mark?.deliveryId).toBe(log.entries.at(-1)!.id);
    const failed = log.add({ status: 503 });
    const before = log.calls.list;
    const report = await run();
    expect(log.calls.list - before).toBe(1);
    expect(report).toMatchObject({ listed: 1, redelivered: [failed.id] });
  });

  it("never moves the watermark onto a delivery too recent to be sure every earlier one is listed", async () => {
    const { log, ledger, run } = setup();
    const settled = log.add({ status: 202, at: 0 });
    const fresh = log.add({ status: 503, at: 10 * 60 - 20 }); // 20 s before the run
    const report = await run();
    expect(report.redelivered).toEqual([fresh.id]);
    expect(ledger.mark?.deliveryId).toBe(settled.id);
    // Seen again next run, and not redelivered twice.
    const again = await run();
    expect(again).toMatchObject({ redelivered: [], alreadyRedelivered: 1 });
  });

  it("does not look further back than GitHub keeps deliveries", async () => {
    const { log, ledger, run } = setup();
    log.add({ status: 503, at: 0 });
    ledger.clock = T0 + 3 * 24 * 60 * MINUTE;
    const recent = log.add({ status: 503, at: 3 * 24 * 3600 - 120 });
    const report = await run();
    expect(report).toMatchObject({ listed: 1, redelivered: [recent.id] });
  });

  it("reports a log longer than it reads, and goes on with what it read", async () => {
    const { log, run } = setup({ maxPages: 2 }, 2);
    const old = log.add({ status: 503 });
    for (let i = 0; i < 4; i++) log.add({ status: 202 });
    const report = await run();
    expect(report).toMatchObject({ truncated: true, listed: 4, redelivered: [] });
    expect(log.calls.redeliver).not.toContain(old.id);
  });
});

describe("redeliverFailed(): idempotence and failures", () => {
  it("asks once per delivery when two runs overlap", async () => {
    const { log, deps } = setup();
    const failed = [1, 2, 3, 4].map(() => log.add({ status: 503 }));
    const [a, b] = await Promise.all([redeliverFailed(deps), redeliverFailed(deps)]);
    expect([...a.redelivered, ...b.redelivered].sort()).toEqual(failed.map((f) => f.id));
    expect(log.calls.redeliver.sort()).toEqual(failed.map((f) => f.id));
    expect(a.alreadyRedelivered + b.alreadyRedelivered).toBe(4);
  });

  it("leaves a delivery a crashed run claimed until its claim lapses, then redelivers it", async () => {
    const { log, ledger, run } = setup({ claimLeaseMs: 5 * MINUTE });
    const failed = log.add({ status: 503 });
    await ledger.claimRedelivery(failed.id, { leaseMs: 5 * MINUTE, keepUntil: ledger.clock + 1e9 });
    expect((await run()).redelivered).toEqual([]);
    ledger.clock += 6 * MINUTE;
    expect((await run()).redelivered).toEqual([failed.id]);
  });

  it("ends the run without losing the watermark when GitHub is down", async () => {
    const { log, ledger, run } = setup();
    const first = log.add({ status: 503 });
    await run();
    const mark = ledger.mark;
    const second = log.add({ status: 503 });
    log.faults.list.push(outage());
    const down = await run();
    expect(down).toMatchObject({ redelivered: [], watermark: first.id });
    expect(down.stopped).toMatch(/^GitHub: could not list/);
    expect(ledger.mark).toEqual(mark);
    expect((await run()).redelivered).toEqual([second.id]);
  });

  it("keeps what it did when GitHub fails mid-run, and gives the unasked delivery back", async () => {
    const { log, ledger, run } = setup();
    const failed = [1, 2, 3].map(() => log.add({ status: 503 }));
    // The first redelivery fails: nothing asked, its claim given back, the watermark where it was.
    log.faults.redeliver.push(outage());
    const down = await run();
    expect(down).toMatchObject({ redelivered: [], stopped: expect.stringMatching(/^GitHub: /) });
    expect(ledger.records.size).toBe(0);
    expect(ledger.mark).toBeUndefined();
    // Then the second read is rate limited: the first is redelivered, the watermark moves past it only.
    log.faults.get.push(undefined, new GitHubRateLimitError("GitHub's rate limit stopped the call: retry after 60 s", { status: 429, retryAfterSeconds: 60 }));
    const partial = await run();
    expect(partial.redelivered).toEqual([failed[0]!.id]);
    expect(partial.stopped).toMatch(/rate limit/);
    expect(ledger.mark?.deliveryId).toBe(failed[0]!.id);
    expect((await run()).redelivered).toEqual([failed[1]!.id, failed[2]!.id]);
    expect(log.calls.redeliver).toEqual(failed.map((f) => f.id));
  });

  it("does not ask again for a delivery GitHub refused to resend, and skips one it no longer has", async () => {
    const { log, run } = setup();
    // Both younger than the settle time, so the next run looks at them again.
    const gone = log.add({ status: 503, at: 10 * 60 - 10 });
    const refused = log.add({ status: 503, at: 10 * 60 - 5 });
    const notFound = () => new GitHubApiError("delivery is gone", { status: 404, retryable: false });
    log.faults.get.push(notFound());
    log.faults.redeliver.push(new GitHubApiError("GitHub answered 422 (Validation Failed)", { status: 422, retryable: false }));
    const first = await run();
    expect(first).toMatchObject({ skipped: 2, redelivered: [] });
    log.faults.get.push(notFound());
    const second = await run();
    expect(second).toMatchObject({ skipped: 2, redelivered: [] });
    expect(log.calls.attempts).toBe(1);
    expect(log.calls.get).toEqual([gone.id, refused.id, gone.id]);
  });

  it("throws a failure no retry can fix, after recording what it handled", async () => {
    const { log, ledger, run } = setup();
    const ok = log.add({ status: 503 });
    log.add({ status: 503 });
    const original = log.redeliver.bind(log);
    let calls = 0;
    log.redeliver = async (id: number) => {
      calls += 1;
      if (calls === 2) throw new GitHubApiError("GitHub answered 401 (Bad credentials)", { status: 401, retryable: false });
      return original(id);
    };
    await expect(run()).rejects.toThrow(/401/);
    expect(ledger.mark?.deliveryId).toBe(ok.id);
  });
});
