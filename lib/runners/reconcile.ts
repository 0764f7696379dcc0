/**
 * The reconciler, run every minute: it repairs what crashes, lost events and cancelled jobs leave
 * behind, and it never stops a build whose runner is running a job. GitHub's state is the truth:
 * before it stops a build, relaunches or drops a job, it asks GitHub (reconcile-builds.ts has the
 * decision table), and what GitHub cannot be asked about waits for the next pass.
 *
 * - a launch stuck in `launching` past its deadline is sent to the queue again (the launcher
 *   resumes it with its token);
 * - a launch `waiting` at its environment's cap is sent again once a slot is free, unless GitHub
 *   says its job is over (then it is dropped);
 * - a launched build that has ended frees its slot, and is launched again (bounded, then parked)
 *   when its runner never took the job and GitHub says the job still waits; one whose runner has
 *   been online and idle past the idle window, while its job is taken elsewhere or over, is stopped;
 * - JIT configs are deleted once used or old; slots held by launches that are over are given back.
 *
 * A pass reads only what the attention index lists (the launches not yet settled and the slot
 * records, attention.ts), each strongly consistently, so its cost follows the launches in flight
 * rather than the table; the launches it finds settled leave the index at the end of the pass.
 */
import type { AwsTarget } from "../aws/shared.ts";
import type { GitHubRunner } from "../github/runner-status.ts";
import type { NotificationInput } from "../notify/event-keys.ts";
import type { RunnerPlacement } from "../routing/decision.ts";
import type { JobSink } from "../jobs/job-queue.ts";
import { needsAttention } from "./attention.ts";
import type { GitHubJobs, JitSecrets, ParkingLot, RunnerRegistry } from "./launch.ts";
import type { LaunchRecord, Ledger } from "./ledger.ts";
import { askJob, stillUntaken, targetOf, watchBuilds } from "./reconcile-builds.ts";

/** A build as CodeBuild reports it. */
export interface BuildState {
  /** `IN_PROGRESS`, `SUCCEEDED`, `FAILED`, `FAULT`, `TIMED_OUT` or `STOPPED`. */
  status: string;
  /** CodeBuild's `currentPhase`: `SUBMITTED`, `QUEUED`, `PROVISIONING`, … `BUILD`, … */
  phase?: string;
  /** When the build left CodeBuild's queue (its PROVISIONING phase began), epoch ms. */
  leftQueueAt?: number;
}

/** CodeBuild as the reconciler needs it. */
export interface BuildWatcher {
  /** State per build id; ids CodeBuild does not know are absent. */
  statuses(target: AwsTarget, buildIds: string[]): Promise<Map<string, BuildState>>;
  stop(target: AwsTarget, buildId: string): Promise<void>;
}

/** GitHub's truth about a runner (the webhook is only news of it). */
export interface GitHubRunners {
  /** The runner, or undefined when GitHub has no such runner any more. */
  runner(request: { owner: string; repo: string; scope?: RunnerPlacement["scope"]; installationId?: number | undefined; runnerId: number }): Promise<GitHubRunner | undefined>;
}

export interface ReconcileSettings {
  /** A launch still `launching` this long after its lease ran out is sent again. */
  stuckAfterMs: number;
  /** A runner online this long without taking a job, whose job is taken elsewhere or over, is stopped. */
  idleMs: number;
  /** A JIT config is deleted this long after it was stored, used or not. */
  jitMaxAgeMs: number;
  /**
   * A runner GitHub never reported online this long after its build left CodeBuild's queue (or
   * online and idle this long while its job waits) is stopped. Default 30 min.
   */
  onlineWithinMs?: number | undefined;
  /** New launches for a job whose build ended without taking it, before it is parked. Default 2. */
  maxRelaunches?: number | undefined;
  /** SSM path under which relaunched launches store their JIT configs, e.g. /runway/dev/jit. */
  jitPrefix: string;
}

export interface ReconcileDeps {
  ledger: Ledger;
  builds: BuildWatcher;
  secrets: JitSecrets;
  registry: RunnerRegistry;
  /** GitHub's word on jobs and runners, asked before a build is stopped or a job given up on. */
  jobs: GitHubJobs;
  runners: GitHubRunners;
  queue: JobSink;
  /** The dead-letter queue, for a job that no relaunch got a runner for. */
  parking: ParkingLot;
  settings: ReconcileSettings;
  /** Queue a Slack notification (never waits on Slack). */
  notify?: (event: NotificationInput, environment: string) => void;
  /** Send the notifications queued during the pass (before Lambda freezes). */
  flushNotifications?: () => Promise<unknown>;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface ReconcileReport {
  /** Stuck `launching` launches sent to the queue again. */
  relaunched: string[];
  /** Waiting launches sent again for a free slot. */
  requeued: string[];
  /** Waiting launches dropped: GitHub says their job is over. */
  dropped: string[];
  finished: string[];
  stoppedIdle: string[];
  /** Launches begun again: their build ended without taking the job GitHub says still waits. */
  relaunchedBuilds: string[];
  /** Launches parked after their last relaunch (Slack told). */
  parked: string[];
  /** Builds kept because GitHub says their runner took a job (the lost `in_progress` repaired). */
  keptBusy: string[];
  /** Launches left for the next pass: CodeBuild or GitHub could not be asked. */
  deferred: string[];
  secretsDeleted: string[];
  slotsFreed: string[];
}

/**
 * One pass.
 *
 * @example
 * const report = await reconcile(deps);
 * report.stoppedIdle; // launches whose idle runners were stopped
 */
export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  try {
    return await pass(deps);
  } finally {
    await deps.flushNotifications?.();
  }
}

/** A pass's report before it has done anything. */
export function emptyReconcileReport(): ReconcileReport {
  return { relaunched: [], requeued: [], dropped: [], finished: [], stoppedIdle: [], relaunchedBuilds: [], parked: [], keptBusy: [], deferred: [], secretsDeleted: [], slotsFreed: [] };
}

async function pass(deps: ReconcileDeps): Promise<ReconcileReport> {
  const { ledger, settings } = deps;
  const now = ledger.now();
  const report = emptyReconcileReport();
  const attention = await ledger.attention();
  const launches = attention.launches.filter(needsAttention);
  const resend = (l: LaunchRecord, why: string) => deps.queue.send(l.request, `${l.jobId}-${l.runAttempt}-queued-${why}-${now}`);

  for (const l of launches.filter((x) => x.state === "launching" && x.leaseUntil + settings.stuckAfterMs < now)) {
    await resend(l, "relaunch");
    report.relaunched.push(l.pk);
  }

  await requeueWaiting(deps, launches, report, resend, now);
  await watchBuilds(deps, launches, report, now);

  // Read again: the steps above finished launches and freed slots.
  const current = await deleteUsedJitConfigs(deps, await ledger.launchesAt(attention.launches.map((l) => l.pk)), report, now);

  for (const { environment, holders } of await ledger.slotsAt(attention.slots)) {
    for (const holder of holders) {
      const launch = await ledger.getByKey(holder);
      if (!launch || launch.state === "finished" || launch.state === "failed") {
        await ledger.releaseSlot(environment, holder);
        report.slotsFreed.push(holder);
      }
    }
  }
  const dismissed = await dismissSettled(ledger, current);
  deps.log?.("reconciled", {
    ...Object.fromEntries(Object.entries(report).map(([k, v]) => [k, v.length])),
    // What the pass read and why: the cost of a pass, which follows the launches in flight.
    read: attention.launches.length + attention.slots.length,
    swept: attention.swept,
    dismissed,
  });
  return report;
}

/**
 * Delete JIT configs once their runner took a job, their launch is over, or they are old; returns
 * the launches as they are afterwards.
 */
async function deleteUsedJitConfigs(deps: ReconcileDeps, launches: LaunchRecord[], report: ReconcileReport, now: number): Promise<LaunchRecord[]> {
  const after: LaunchRecord[] = [];
  for (const l of launches) {
    const over = l.state === "finished" || l.state === "failed";
    // Aged from when it was stored: a launch waiting for a slot has stored nothing yet, and marking
    // its parameter deleted then would leave the real one, written later, behind for ever.
    const stale = l.jitStoredAt !== undefined && now - l.jitStoredAt > deps.settings.jitMaxAgeMs;
    if (!l.jitParameter || l.jitDeletedAt || !(over || l.tookAt !== undefined || stale)) {
      after.push(l);
      continue;
    }
    await deps.secrets.remove(targetOf(l), l.jitParameter);
    const marked = await deps.ledger.annotate(l.pk, { jitDeletedAt: now });
    report.secretsDeleted.push(l.pk);
    if (marked) after.push(marked);
  }
  return after;
}

/**
 * Settled launches (over, JIT config deleted) leave the attention index, so the next pass does
 * not read them. Each removal is conditioned on the launch as it is then, so one reopened since
 * this pass read it stays listed.
 */
async function dismissSettled(ledger: Ledger, launches: LaunchRecord[]): Promise<number> {
  let dismissed = 0;
  for (const l of launches) {
    if (l.attention !== undefined && !needsAttention(l) && (await ledger.dismiss(l.pk))) dismissed++;
  }
  return dismissed;
}

/**
 * Waiting launches, oldest first, as many as their environment has free slots. Each one's job is
 * looked up first: one GitHub says is over (its `completed` was lost) is dropped, not launched, and
 * its slot goes to the next. One GitHub cannot be asked about is sent anyway: launching for a job
 * that may be over costs an idle build, not launching for a live one costs the job.
 */
async function requeueWaiting(deps: ReconcileDeps, launches: LaunchRecord[], report: ReconcileReport, resend: (l: LaunchRecord, why: string) => Promise<void>, now: number) {
  const waiting = launches.filter((l) => l.state === "waiting").sort((a, b) => a.createdAt - b.createdAt);
  const byEnvironment = Map.groupBy(waiting, (l) => l.environment);
  for (const [environment, queued] of byEnvironment) {
    let free = queued[0]!.request.concurrency - (await deps.ledger.slotHolders(environment)).length;
    for (const l of queued) {
      if (free <= 0) break;
      const job = await askJob(deps, l).catch((error: unknown) => {
        deps.log?.("could not ask GitHub about a waiting launch's job; sending it anyway", { jobId: l.jobId, runAttempt: l.runAttempt, reason: (error as Error).message });
        return undefined;
      });
      if (job && !stillUntaken(job)) {
        const reason = `job ${l.jobId} is ${job.status}${job.conclusion ? ` (${job.conclusion})` : ""} on GitHub: dropped while it waited for a slot`;
        const dropped = await deps.ledger.annotate(
          l.pk,
          { state: "finished", finishedAt: now, reason },
          { expression: "#state = :waiting AND #token = :token", values: { ":waiting": "waiting", ":token": l.token } },
          { "#token": "token" },
        );
        if (dropped) report.dropped.push(l.pk);
        continue;
      }
      await resend(l, "slot");
      report.requeued.push(l.pk);
      free--;
    }
  }
}
