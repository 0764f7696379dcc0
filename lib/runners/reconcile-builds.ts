/**
 * What the reconciler does with launched builds. Webhooks are only news of GitHub's state, and a
 * delivery can be lost for good, so before it stops a build or gives up on a job it asks GitHub:
 * the runner (`busy`, `online`) and the job (`status`). Whatever GitHub cannot be asked about is
 * left as it is until the next pass.
 *
 * | CodeBuild                      | runner / job on GitHub                                  | action                               |
 * | ------------------------------ | ------------------------------------------------------- | ------------------------------------ |
 * | ended, runner took its job     | (not asked)                                             | finish                               |
 * | ended, otherwise               | job taken or over                                       | finish with GitHub's word            |
 * | ended, otherwise               | job still queued, relaunches < max                      | relaunch: new token, request re-sent |
 * | ended, otherwise               | job still queued, relaunches = max                      | park, tell Slack (`job.refused`)     |
 * | ended, otherwise               | GitHub will not say (the App cannot see the job)        | finish, not relaunched               |
 * | running, runner took a job     | (not asked)                                             | keep, whatever its age               |
 * | running, SUBMITTED / QUEUED    | (not asked)                                             | keep: CodeBuild's queued timeout     |
 * | running                        | runner busy, or job ran on this runner                  | keep, record `tookAt`                |
 * | running                        | runner online (first seen)                              | record `readyAt`: the idle clock     |
 * | running, idle > idleMs         | job taken elsewhere or over                             | stop, finish                         |
 * | running, idle > onlineWithinMs | job still queued (its labels may not cover the job's)   | stop, then as "ended"                |
 * | running, never online          | > onlineWithinMs after leaving CodeBuild's queue        | stop, then as "ended"                |
 * | unknown to CodeBuild           | > onlineWithinMs after StartBuild                       | as "ended"                           |
 * | any                            | GitHub unreachable, rate limited                        | nothing: asked again next pass       |
 */
import type { AwsTarget } from "../aws/shared.ts";
import type { GitHubJob } from "../github/jobs.ts";
import type { GitHubRunner } from "../github/runner-status.ts";
import { LaunchError } from "./errors.ts";
import type { LaunchRecord } from "./ledger.ts";
import { jobRefused } from "./notifications.ts";
import type { BuildState, ReconcileDeps, ReconcileReport } from "./reconcile.ts";

export const RECONCILE_DEFAULTS = {
  /** A runner never seen online this long after its build left CodeBuild's queue is given up on. */
  onlineWithinMs: 30 * 60_000,
  /** New launches for a job whose build ended without taking it; then it is parked. */
  maxRelaunches: 2,
} as const;

/** GitHub statuses of a job no runner has taken yet. */
const UNTAKEN = new Set(["queued", "waiting", "pending", "requested"]);
/** CodeBuild phases before a build leaves its queue: no runner can be online yet. */
const IN_CODEBUILD_QUEUE = new Set(["SUBMITTED", "QUEUED"]);

/** Whether GitHub says no runner has taken the job yet. */
export const stillUntaken = (job: GitHubJob): boolean => UNTAKEN.has(job.status);

export const targetOf = (l: LaunchRecord): AwsTarget => ({ region: l.request.codebuild.region, roleArn: l.request.codebuild.roleArn });
const minutes = (ms: number) => Math.round(ms / 60_000);
const onGitHub = (l: LaunchRecord, job: GitHubJob) => `job ${l.jobId} is ${job.status}${job.conclusion ? ` (${job.conclusion})` : ""} on GitHub`;
/** Writes only to the launch as this pass read it: a reopened or finished launch is left alone. */
const asRead = (l: LaunchRecord, extra = "") => ({
  expression: `#state = :launched AND #token = :token${extra}`,
  values: { ":launched": "launched", ":token": l.token },
});
const TOKEN = { "#token": "token" };

/** The job of a launch, as GitHub has it now. */
export function askJob(deps: ReconcileDeps, l: LaunchRecord): Promise<GitHubJob> {
  const { owner, repo, installationId, id } = l.request.job;
  return deps.jobs.job({ owner, repo, installationId, jobId: id });
}

/** Every launched build: read CodeBuild per account and region, then decide launch by launch. */
export async function watchBuilds(deps: ReconcileDeps, launches: LaunchRecord[], report: ReconcileReport, now: number): Promise<void> {
  const launched = launches.filter((l) => l.state === "launched" && l.buildId);
  const byTarget = Map.groupBy(launched, (l) => `${l.request.codebuild.region ?? ""}|${l.request.codebuild.roleArn ?? ""}`);
  for (const group of byTarget.values()) {
    let builds: Map<string, BuildState>;
    try {
      builds = await deps.builds.statuses(targetOf(group[0]!), group.map((l) => l.buildId!));
    } catch (error) {
      for (const l of group) putOff(deps, l, report, error);
      continue;
    }
    for (const l of group) {
      try {
        await watchLaunch(deps, l, builds.get(l.buildId!), report, now);
      } catch (error) {
        putOff(deps, l, report, error);
      }
    }
  }
}

function putOff(deps: ReconcileDeps, l: LaunchRecord, report: ReconcileReport, error: unknown) {
  report.deferred.push(l.pk);
  deps.log?.("launch left for the next pass", { jobId: l.jobId, runAttempt: l.runAttempt, environment: l.environment, error: (error as Error).name, reason: (error as Error).message });
}

async function watchLaunch(deps: ReconcileDeps, l: LaunchRecord, build: BuildState | undefined, report: ReconcileReport, now: number): Promise<void> {
  const { idleMs } = deps.settings;
  const onlineWithinMs = deps.settings.onlineWithinMs ?? RECONCILE_DEFAULTS.onlineWithinMs;
  if (build === undefined) {
    // Not (yet) known where the launch says it is: wait, but not for ever.
    if (now - (l.launchedAt ?? l.createdAt) > onlineWithinMs) await settleEnded(deps, l, `CodeBuild does not know build ${l.buildId}`, report, now);
    return;
  }
  if (build.status !== "IN_PROGRESS") return settleEnded(deps, l, `build ${build.status}`, report, now);
  if (l.tookAt !== undefined) return; // its runner took a job: never stopped
  if (IN_CODEBUILD_QUEUE.has(build.phase ?? "")) return; // no runner yet; CodeBuild's queued timeout bounds this
  if (l.readyAt !== undefined && now - l.readyAt <= idleMs) return; // online, inside its idle window

  const runner = await askRunner(deps, l);
  if (runner?.busy) {
    await repairTook(deps, l, now, false);
    report.keptBusy.push(l.pk);
    return;
  }
  let readyAt = l.readyAt;
  if (readyAt === undefined && runner?.status === "online") {
    readyAt = now;
    await deps.ledger.annotate(l.pk, { readyAt }, asRead(l, " AND attribute_not_exists(readyAt)"), TOKEN);
  }
  const since = readyAt ?? Math.max(l.launchedAt ?? l.createdAt, build.leftQueueAt ?? 0);
  if (now - since <= (readyAt === undefined ? onlineWithinMs : idleMs)) return;

  const job = await askJob(deps, l);
  if (job.runnerName === l.runnerName || (l.runnerId !== undefined && job.runnerId === l.runnerId)) {
    // It ran (or runs) its own job and the in_progress never arrived.
    await repairTook(deps, l, now, true);
    report.keptBusy.push(l.pk);
    return;
  }
  let why: string;
  if (readyAt === undefined) why = `its runner did not come online within ${minutes(onlineWithinMs)} min`;
  else if (!stillUntaken(job)) why = `its runner took no job within ${minutes(idleMs)} min of coming online`;
  else if (now - readyAt > onlineWithinMs) why = `its runner was online and idle for ${minutes(now - readyAt)} min while its job waited (do its labels cover the job's runs-on?)`;
  else return; // idle, but its job still waits: GitHub may yet hand it over
  await deps.builds.stop(targetOf(l), l.buildId!);
  report.stoppedIdle.push(l.pk);
  deps.log?.("stopped an idle runner's build", { jobId: l.jobId, runAttempt: l.runAttempt, environment: l.environment, buildId: l.buildId, why, jobStatus: job.status });
  await settleEnded(deps, l, `build stopped: ${why}`, report, now, job);
}

/** The runner as GitHub has it, undefined when GitHub no longer has it (or it was never recorded). */
async function askRunner(deps: ReconcileDeps, l: LaunchRecord): Promise<GitHubRunner | undefined> {
  if (l.runnerId === undefined) return undefined;
  const { owner, repo, installationId } = l.request.job;
  return deps.runners.runner({ owner, repo, installationId, scope: l.request.runners.scope, runnerId: l.runnerId });
}

/** GitHub says the runner took a job: record what the lost `in_progress` would have. */
async function repairTook(deps: ReconcileDeps, l: LaunchRecord, now: number, ownJob: boolean) {
  await deps.ledger.annotate(l.pk, { tookAt: now, ...(ownJob ? { tookJobId: l.jobId, ranOn: l.runnerName } : {}) }, asRead(l, " AND attribute_not_exists(tookAt)"), TOKEN);
  deps.log?.("GitHub says the runner took a job; recorded", { jobId: l.jobId, runAttempt: l.runAttempt, runnerName: l.runnerName, ownJob });
}

/**
 * A build that is over (ended, or just stopped): finish the launch, or — when its runner never
 * took the job and GitHub says the job still waits — launch again, up to the bound, then park.
 */
async function settleEnded(deps: ReconcileDeps, l: LaunchRecord, why: string, report: ReconcileReport, now: number, known?: GitHubJob): Promise<void> {
  const { ledger } = deps;
  if (l.tookJobId === l.jobId) {
    await ledger.finishLaunch(l, why);
    report.finished.push(l.pk);
    return;
  }
  let job: GitHubJob;
  try {
    job = known ?? (await askJob(deps, l));
  } catch (error) {
    if (!(error instanceof LaunchError) || error.retryable) throw error;
    await ledger.finishLaunch(l, `${why}; GitHub will not say whether job ${l.jobId} still waits (${error.message}): not relaunched`);
    report.finished.push(l.pk);
    return;
  }
  if (!stillUntaken(job)) {
    await ledger.finishLaunch(l, `${why}; ${onGitHub(l, job)}`);
    if (l.tookAt === undefined) await unregister(deps, l);
    report.finished.push(l.pk);
    return;
  }

  // The job still waits for a runner, and this build will not give it one.
  await unregister(deps, l);
  const relaunches = l.relaunches ?? 0;
  const maxRelaunches = deps.settings.maxRelaunches ?? RECONCILE_DEFAULTS.maxRelaunches;
  if (relaunches < maxRelaunches) {
    // The new token names a new JIT parameter: the old one would be left behind.
    if (l.jitParameter && l.jitDeletedAt === undefined) await deps.secrets.remove(targetOf(l), l.jitParameter);
    const reopened = await ledger.reopen(l, deps.settings.jitPrefix, { from: "launched" });
    if (!reopened) return; // changed since it was read (an event finished it): next pass sees it as it is
    // A crash here leaves it launching with no lease: the stuck-launch rule sends it.
    await deps.queue.send(l.request, `${l.jobId}-${l.runAttempt}-queued-relaunch-${relaunches + 1}`);
    report.relaunchedBuilds.push(l.pk);
    deps.log?.("relaunched a job its build never took", { jobId: l.jobId, runAttempt: l.runAttempt, environment: l.environment, why, relaunch: relaunches + 1, maxRelaunches });
    return;
  }
  const reason = `${why}; ${onGitHub(l, job)} after ${relaunches} relaunch${relaunches === 1 ? "" : "es"}: parked (re-run the job, or replay it once the cause is fixed)`;
  // Parked first: if parking fails the launch is still launched, and the next pass parks it.
  await deps.parking.park(l.request, reason);
  const failed = await ledger.annotate(l.pk, { state: "failed", finishedAt: now, reason }, asRead(l), TOKEN);
  await ledger.releaseSlot(l.environment, l.pk);
  if (!failed) return;
  deps.notify?.(jobRefused(l.request, reason), l.environment);
  report.parked.push(l.pk);
  deps.log?.("parked a job no build took", { jobId: l.jobId, runAttempt: l.runAttempt, environment: l.environment, reason });
}

/** Best effort: GitHub removes a JIT runner after its job, and an unused one expires. */
async function unregister(deps: ReconcileDeps, l: LaunchRecord) {
  const { owner, repo, installationId } = l.request.job;
  await deps.registry.unregister({ owner, repo, scope: l.request.runners.scope, installationId, runnerId: l.runnerId, name: l.runnerName }).catch(() => undefined);
}
