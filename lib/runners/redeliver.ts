/**
 * The redeliverer, run on a schedule: GitHub never sends a failed webhook delivery again by
 * itself, so a Runway outage (the endpoint unreachable, or answering 5xx) would lose every job
 * queued during it. Each run reads the App's delivery log from the newest delivery back to its
 * watermark and asks GitHub to redeliver every failed `workflow_job` delivery that nothing since
 * made good:
 *
 * 1. by its guid (free): another attempt at the same event that succeeded made it good; a newer
 *    attempt that failed too is the one to redeliver (in its turn);
 * 2. by the ledger (one delivery read, to learn the job): the fact the delivery carried is already
 *    recorded — a launch for `queued`; `ranOn`, or a runner's launch that took (or was caught with)
 *    the job, for `in_progress`; a `conclusion` for `completed`;
 * 3. by a later successful delivery of the same action on the same repository that turns out to be
 *    about the same job (a few delivery reads, nearest first, bounded per run: when the bound is
 *    reached the delivery is simply redelivered, which is harmless — the webhook and the ledger
 *    deduplicate, and a job Runway never routed is ignored again).
 *
 * Bounded per run (redeliveries, delivery reads, pages, the invocation's time): the rest waits for
 * the next run. Idempotent: each delivery is claimed in the ledger before GitHub is asked, so
 * overlapping runs and retries ask once. The watermark only moves past deliveries fully handled,
 * never onto one too recent to be sure GitHub has listed everything before it, and never further
 * back than GitHub keeps deliveries. A GitHub outage or rate limit ends the run early; what it
 * handled so far is kept.
 */
import { succeeded, type DeliveryLog, type HookDelivery, type HookDeliveryDetail } from "../github/deliveries.ts";
import { GitHubApiError } from "../github/errors.ts";
import { isJobAction } from "../jobs/job-message.ts";
import type { Ledger } from "./ledger.ts";
import type { RedeliveryRecords } from "./redelivery-records.ts";

/** The launches, read to learn whether a delivery's fact is known already. */
export type LaunchLookup = Pick<Ledger, "now" | "get" | "launchForRunner">;
/** The redeliverer's own records: its watermark and what it asked GitHub to resend. */
export type RedeliveryBook = Pick<RedeliveryRecords, "redeliveryWatermark" | "advanceRedeliveryWatermark" | "redeliveryState" | "claimRedelivery" | "settleRedelivery" | "releaseRedelivery">;

export interface RedeliverSettings {
  /** Redeliveries asked for in one run. */
  maxRedeliveries: number;
  /** Single-delivery reads in one run (to learn a failed delivery's job, and for rule 3). */
  maxDetails: number;
  /** Of those, reads of later successful deliveries (rule 3). */
  maxPeeks: number;
  /** Pages of the delivery log read in one run. */
  maxPages: number;
  /** Deliveries older than this are not looked at: GitHub keeps (and redelivers) them about three days. */
  maxAgeMs: number;
  /** The watermark never moves onto a delivery younger than this: an earlier one may not be listed yet. */
  settleMs: number;
  /** How long a run's claim on a delivery holds before another run may take it (a crash). */
  claimLeaseMs: number;
}

export const REDELIVER_DEFAULTS: RedeliverSettings = {
  maxRedeliveries: 50,
  maxDetails: 100,
  maxPeeks: 20,
  maxPages: 30,
  maxAgeMs: 71 * 60 * 60_000,
  settleMs: 60_000,
  claimLeaseMs: 5 * 60_000,
};

export interface RedeliverDeps {
  ledger: LaunchLookup;
  records: RedeliveryBook;
  deliveries: DeliveryLog;
  settings: RedeliverSettings;
  /** Epoch ms the run must end by (the invocation's deadline); no GitHub call is begun after it. */
  deadline?: number | undefined;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface RedeliveryReport {
  /** Deliveries listed since the watermark. */
  listed: number;
  /** Of those, failed `workflow_job` deliveries. */
  failed: number;
  /** Delivery ids GitHub was asked to send again. */
  redelivered: number[];
  /** Failed deliveries made good since: by another attempt (guid), by the ledger, by a later delivery of the same job. */
  madeGood: { guid: number; ledger: number; later: number };
  /** Failed deliveries whose event was attempted again since, and failed again: that attempt is redelivered instead. */
  superseded: number;
  /** Failed deliveries an earlier or concurrent run already redelivered (or is redelivering). */
  alreadyRedelivered: number;
  /** Failed deliveries with nothing to redeliver: an action Runway does not act on, no job in the payload, or GitHub no longer keeps or resends it. */
  skipped: number;
  /** Single-delivery reads made. */
  detailsRead: number;
  /** The watermark after the run (a delivery id). */
  watermark: number | undefined;
  /** The page limit was reached before the watermark: older deliveries were not looked at. */
  truncated: boolean;
  /** Why the run ended before handling every failed delivery; the next run goes on from there. */
  stopped?: string | undefined;
}

const DAY_MS = 24 * 60 * 60_000;
/** Time kept back before the deadline, to record the run's progress. */
const DEADLINE_MARGIN_MS = 3_000;

/** Why a run ends before handling every delivery (a budget, the deadline, GitHub unavailable). */
class Stop extends Error {
  override name = "Stop";
  get reason(): string {
    return this.message;
  }
}

/**
 * What became of one delivery, each counted in the report. All are handled but `claimed`: another
 * run is asking GitHub for it right now (or crashed doing so), and may yet give it back.
 */
type Verdict = "not-failed" | "guid" | "superseded" | "skipped" | "already" | "claimed" | "ledger" | "later" | "redelivered";

/**
 * One run.
 *
 * @example
 * const report = await redeliverFailed({ ledger, deliveries: appDeliveryLog(), settings: REDELIVER_DEFAULTS });
 * report.redelivered; // ids of the failed deliveries GitHub was asked to send again
 */
export async function redeliverFailed(deps: RedeliverDeps): Promise<RedeliveryReport> {
  const { ledger, records, settings } = deps;
  const now = ledger.now();
  const mark = await records.redeliveryWatermark();
  const report: RedeliveryReport = {
    listed: 0,
    failed: 0,
    redelivered: [],
    madeGood: { guid: 0, ledger: 0, later: 0 },
    superseded: 0,
    alreadyRedelivered: 0,
    skipped: 0,
    detailsRead: 0,
    watermark: mark?.deliveryId,
    truncated: false,
  };
  let failure: unknown;
  try {
    const listing = await listSince(deps, mark?.deliveryId ?? 0, now - settings.maxAgeMs);
    report.truncated = listing.truncated;
    const window = listing.deliveries.sort((a, b) => a.id - b.id);
    report.listed = window.length;
    const pass = new Pass(deps, window, report);
    let advanceTo: HookDelivery | undefined;
    let contiguous = true;
    for (const delivery of window) {
      let outcome: Verdict | Stop;
      try {
        outcome = await pass.handle(delivery);
      } catch (error) {
        failure = error;
        break;
      }
      if (outcome instanceof Stop) {
        report.stopped = outcome.reason;
        break;
      }
      tally(report, outcome, delivery);
      if (contiguous && outcome !== "claimed" && delivery.deliveredAt <= now - settings.settleMs) advanceTo = delivery;
      else contiguous = false;
    }
    if (advanceTo && (await records.advanceRedeliveryWatermark({ deliveryId: advanceTo.id, deliveredAt: advanceTo.deliveredAt }))) report.watermark = advanceTo.id;
  } catch (error) {
    const stop = asStop(error);
    if (stop) report.stopped = stop.reason;
    else failure = error;
  }
  deps.log?.("redelivery pass", {
    listed: report.listed,
    failed: report.failed,
    redelivered: report.redelivered.length,
    madeGoodByGuid: report.madeGood.guid,
    madeGoodByLedger: report.madeGood.ledger,
    madeGoodByLaterDelivery: report.madeGood.later,
    superseded: report.superseded,
    alreadyRedelivered: report.alreadyRedelivered,
    skipped: report.skipped,
    detailsRead: report.detailsRead,
    watermark: report.watermark,
    truncated: report.truncated,
    ...(report.stopped ? { stopped: report.stopped } : {}),
    ...(failure === undefined ? {} : { error: (failure as Error).name, reason: (failure as Error).message }),
  });
  if (failure !== undefined) throw failure;
  return report;
}

/** Deliveries newer than `afterId` and not older than `floor`, as GitHub lists them (newest first). */
async function listSince(deps: RedeliverDeps, afterId: number, floor: number): Promise<{ deliveries: HookDelivery[]; truncated: boolean }> {
  const seen: HookDelivery[] = [];
  let cursor: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages >= deps.settings.maxPages) {
      deps.log?.("redelivery: the delivery log has more pages than one run reads; older deliveries are not looked at", { pages, listed: seen.length });
      return { deliveries: seen, truncated: true };
    }
    if (outOfTime(deps)) throw new Stop("out of time while listing deliveries");
    const page = await deps.deliveries.list(cursor);
    for (const delivery of page.deliveries) {
      if (delivery.id <= afterId || delivery.deliveredAt < floor) return { deliveries: seen, truncated: false };
      seen.push(delivery);
    }
    if (!page.nextCursor) return { deliveries: seen, truncated: false };
    cursor = page.nextCursor;
  }
}

/** One run's walk over the window, oldest first, with what it has read so far. */
class Pass {
  readonly #deps: RedeliverDeps;
  readonly #window: HookDelivery[];
  readonly #report: RedeliveryReport;
  readonly #byGuid: Map<string, HookDelivery[]>;
  readonly #details = new Map<number, HookDeliveryDetail>();
  #peeks = 0;

  constructor(deps: RedeliverDeps, window: HookDelivery[], report: RedeliveryReport) {
    this.#deps = deps;
    this.#window = window;
    this.#report = report;
    this.#byGuid = Map.groupBy(window, (d) => d.guid);
  }

  /** Handle one delivery: what became of it, or a Stop when the run must end before it. */
  async handle(delivery: HookDelivery): Promise<Verdict | Stop> {
    const { records, settings } = this.#deps;
    if (delivery.event !== "workflow_job" || succeeded(delivery)) return "not-failed";
    const attempts = this.#byGuid.get(delivery.guid) ?? [];
    if (attempts.some(succeeded)) return "guid";
    if (attempts.some((a) => a.id > delivery.id)) return "superseded";
    // The webhook acts on these alone (`waiting` needs nothing): another attempt would change nothing.
    if (!isJobAction(delivery.action ?? undefined)) return "skipped";
    const state = await records.redeliveryState(delivery.id);
    if (state === "refused") return "skipped";
    if (state === "redelivered") return "already";
    if (state === "claimed") return "claimed";

    if (this.#report.redelivered.length >= settings.maxRedeliveries) return new Stop(`redelivered ${settings.maxRedeliveries}, this run's limit`);
    const detail = await this.#read(delivery.id);
    if (detail instanceof Stop) return detail;
    if (detail === undefined || detail.job === undefined) return "skipped";
    if (await this.#ledgerHolds(detail)) return "ledger";
    if (await this.#laterDeliveryOf(delivery, detail)) return "later";
    return this.#redeliver(delivery);
  }

  async #redeliver(delivery: HookDelivery): Promise<Verdict | Stop> {
    const { records, settings, deliveries, log } = this.#deps;
    if (outOfTime(this.#deps)) return new Stop("out of time");
    // Kept as long as GitHub keeps the delivery, and a day more.
    const token = await records.claimRedelivery(delivery.id, { leaseMs: settings.claimLeaseMs, keepUntil: delivery.deliveredAt + settings.maxAgeMs + DAY_MS });
    if (token === undefined) return "claimed";
    try {
      await deliveries.redeliver(delivery.id);
    } catch (error) {
      if (error instanceof GitHubApiError && !error.retryable && (error.status === 404 || error.status === 422)) {
        await records.settleRedelivery(delivery.id, token, "refused", error.message);
        log?.("redelivery refused by GitHub", { deliveryId: delivery.id, guid: delivery.guid, action: delivery.action, status: error.status });
        return "skipped";
      }
      await records.releaseRedelivery(delivery.id, token);
      const stop = asStop(error);
      if (stop) return stop;
      throw error;
    }
    await records.settleRedelivery(delivery.id, token, "redelivered");
    return "redelivered";
  }

  /** The delivery with its payload; undefined when GitHub no longer has it; a Stop at the limits. */
  async #read(deliveryId: number): Promise<HookDeliveryDetail | Stop | undefined> {
    const known = this.#details.get(deliveryId);
    if (known) return known;
    if (this.#report.detailsRead >= this.#deps.settings.maxDetails) return new Stop(`read ${this.#deps.settings.maxDetails} deliveries, this run's limit`);
    if (outOfTime(this.#deps)) return new Stop("out of time");
    this.#report.detailsRead += 1;
    try {
      const detail = await this.#deps.deliveries.get(deliveryId);
      this.#details.set(deliveryId, detail);
      return detail;
    } catch (error) {
      if (error instanceof GitHubApiError && error.status === 404) return undefined;
      const stop = asStop(error);
      if (stop) return stop;
      throw error;
    }
  }

  /** Whether the ledger already holds what this delivery would have told it. */
  async #ledgerHolds(detail: HookDeliveryDetail): Promise<boolean> {
    const { ledger } = this.#deps;
    const { jobId, runAttempt, runnerName } = detail.job!;
    const launch = await ledger.get(jobId, runAttempt);
    if (detail.action === "queued") return launch !== undefined;
    if (detail.action === "in_progress" && launch?.ranOn !== undefined) return true;
    if (detail.action === "completed" && launch?.conclusion !== undefined) return true;
    // The runner's own launch: the job it took (or was caught with, a job foreign to it).
    const runner = runnerName ? await ledger.launchForRunner(runnerName) : undefined;
    if (runner?.foreignJobId === jobId) return true;
    return runner?.tookJobId === jobId && (detail.action === "in_progress" || runner.conclusion !== undefined);
  }

  /** Whether a later successful delivery of the same action on the same repository is about the same job. */
  async #laterDeliveryOf(delivery: HookDelivery, detail: HookDeliveryDetail): Promise<boolean> {
    const { maxPeeks } = this.#deps.settings;
    const job = detail.job!;
    const siblings = this.#window.filter(
      (d) => d.id > delivery.id && succeeded(d) && d.event === delivery.event && d.action === delivery.action && d.repositoryId === delivery.repositoryId,
    );
    for (const sibling of siblings) {
      let other = this.#details.get(sibling.id);
      if (!other) {
        if (this.#peeks >= maxPeeks) return false;
        this.#peeks += 1;
        const read = await this.#read(sibling.id);
        // Out of reads or time, or GitHub unavailable: redelivering is harmless, so do not wait to know.
        if (read instanceof Stop) return false;
        if (read === undefined) continue;
        other = read;
      }
      if (other.job?.jobId === job.jobId && other.job.runAttempt === job.runAttempt) return true;
    }
    return false;
  }
}

function tally(report: RedeliveryReport, verdict: Verdict, delivery: HookDelivery): void {
  if (verdict === "not-failed") return;
  report.failed += 1;
  if (verdict === "guid" || verdict === "ledger" || verdict === "later") report.madeGood[verdict] += 1;
  else if (verdict === "superseded") report.superseded += 1;
  else if (verdict === "already" || verdict === "claimed") report.alreadyRedelivered += 1;
  else if (verdict === "skipped") report.skipped += 1;
  else report.redelivered.push(delivery.id);
}

function outOfTime(deps: RedeliverDeps): boolean {
  return deps.deadline !== undefined && deps.ledger.now() > deps.deadline - DEADLINE_MARGIN_MS;
}

/** A passing GitHub failure (5xx, rate limit, unreachable) ends the run; anything else is thrown. */
function asStop(error: unknown): Stop | undefined {
  if (error instanceof Stop) return error;
  if (error instanceof GitHubApiError && error.retryable) return new Stop(`GitHub: ${error.message}`);
  return undefined;
}
