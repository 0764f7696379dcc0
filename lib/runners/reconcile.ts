/**
 * The reconciler, run every minute: it repairs what crashes, lost events and cancelled jobs leave
 * behind, and it never stops a build whose runner is running a job.
 *
 * - a launch stuck in `launching` past its deadline is sent to the queue again (the launcher
 *   resumes it with its token);
 * - a launch `waiting` at its environment's cap is sent again once a slot is free;
 * - a launched build that has ended frees its slot; one whose runner took no job within the idle
 *   window (the job was cancelled, or ran on another runner of its run) is stopped;
 * - JIT configs are deleted once used or old; slots held by launches that are over are given back.
 */
import type { AwsTarget } from "../aws/clients.ts";
import type { JobSink } from "./job-queue.ts";
import type { JitSecrets, RunnerRegistry } from "./launch.ts";
import type { LaunchRecord, Ledger } from "./ledger.ts";

/** CodeBuild as the reconciler needs it. */
export interface BuildWatcher {
  /** Status per build id (`IN_PROGRESS`, `SUCCEEDED`, …); ids CodeBuild does not know are absent. */
  statuses(target: AwsTarget, buildIds: string[]): Promise<Map<string, string>>;
  stop(target: AwsTarget, buildId: string): Promise<void>;
}

export interface ReconcileSettings {
  /** A launch still `launching` this long after its lease ran out is sent again. */
  stuckAfterMs: number;
  /** A runner that took no job this long after its build started is stopped. */
  idleMs: number;
  /** A JIT config is deleted this long after it was stored, used or not. */
  jitMaxAgeMs: number;
}

export interface ReconcileDeps {
  ledger: Ledger;
  builds: BuildWatcher;
  secrets: JitSecrets;
  registry: RunnerRegistry;
  queue: JobSink;
  settings: ReconcileSettings;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface ReconcileReport {
  relaunched: string[];
  requeued: string[];
  finished: string[];
  stoppedIdle: string[];
  secretsDeleted: string[];
  slotsFreed: string[];
}

const targetOf = (l: LaunchRecord): AwsTarget => ({ region: l.request.codebuild.region, roleArn: l.request.codebuild.roleArn });

/**
 * One pass.
 *
 * @example
 * const report = await reconcile(deps);
 * report.stoppedIdle; // launches whose idle runners were stopped
 */
export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  const { ledger, settings } = deps;
  const now = ledger.now();
  const report: ReconcileReport = { relaunched: [], requeued: [], finished: [], stoppedIdle: [], secretsDeleted: [], slotsFreed: [] };
  const launches = await ledger.activeLaunches();
  const resend = (l: LaunchRecord, why: string) => deps.queue.send(l.request, `${l.jobId}-${l.runAttempt}-queued-${why}-${now}`);

  for (const l of launches.filter((x) => x.state === "launching" && x.leaseUntil + settings.stuckAfterMs < now)) {
    await resend(l, "relaunch");
    report.relaunched.push(l.pk);
  }

  await requeueWaiting(deps, launches, report, resend);
  await watchBuilds(deps, launches, report, now);

  for (const l of await ledger.activeLaunches()) {
    if (!l.jitParameter || l.jitDeletedAt) continue;
    const over = l.state === "finished" || l.state === "failed";
    // Aged from when it was stored: a launch waiting for a slot has stored nothing yet, and marking
    // its parameter deleted then would leave the real one, written later, behind for ever.
    const stale = l.jitStoredAt !== undefined && now - l.jitStoredAt > settings.jitMaxAgeMs;
    if (over || l.tookAt !== undefined || stale) {
      await deps.secrets.remove(targetOf(l), l.jitParameter);
      await ledger.annotate(l.pk, { jitDeletedAt: now });
      report.secretsDeleted.push(l.pk);
    }
  }

  for (const { environment, holders } of await ledger.allSlots()) {
    for (const holder of holders) {
      const launch = await ledger.getByKey(holder);
      if (!launch || launch.state === "finished" || launch.state === "failed") {
        await ledger.releaseSlot(environment, holder);
        report.slotsFreed.push(holder);
      }
    }
  }
  deps.log?.("reconciled", { ...Object.fromEntries(Object.entries(report).map(([k, v]) => [k, v.length])) });
  return report;
}

async function requeueWaiting(deps: ReconcileDeps, launches: LaunchRecord[], report: ReconcileReport, resend: (l: LaunchRecord, why: string) => Promise<void>) {
  const waiting = launches.filter((l) => l.state === "waiting").sort((a, b) => a.createdAt - b.createdAt);
  const byEnvironment = Map.groupBy(waiting, (l) => l.environment);
  for (const [environment, queued] of byEnvironment) {
    const free = queued[0]!.request.concurrency - (await deps.ledger.slotHolders(environment)).length;
    for (const l of queued.slice(0, Math.max(0, free))) {
      await resend(l, "slot");
      report.requeued.push(l.pk);
    }
  }
}

async function watchBuilds(deps: ReconcileDeps, launches: LaunchRecord[], report: ReconcileReport, now: number) {
  const launched = launches.filter((l) => l.state === "launched" && l.buildId);
  const byTarget = Map.groupBy(launched, (l) => `${l.request.codebuild.region ?? ""}|${l.request.codebuild.roleArn ?? ""}`);
  for (const group of byTarget.values()) {
    const target = targetOf(group[0]!);
    const statuses = await deps.builds.statuses(target, group.map((l) => l.buildId!));
    for (const l of group) {
      const status = statuses.get(l.buildId!);
      if (status !== undefined && status !== "IN_PROGRESS") {
        await deps.ledger.finishLaunch(l, `build ${status}`);
        report.finished.push(l.pk);
      } else if (l.tookAt === undefined && now - (l.launchedAt ?? l.createdAt) > deps.settings.idleMs) {
        // Its runner never took a job: the job was cancelled or ran on another runner of its run.
        await deps.builds.stop(target, l.buildId!);
        await deps.ledger.finishLaunch(l, `runner took no job within ${Math.round(deps.settings.idleMs / 60_000)} min; build stopped`);
        await deps.registry
          .unregister({ owner: l.request.job.owner, repo: l.request.job.repo, scope: l.request.runners.scope, installationId: l.request.job.installationId, runnerId: l.runnerId, name: l.runnerName })
          .catch(() => undefined);
        report.stoppedIdle.push(l.pk);
      }
    }
  }
}
