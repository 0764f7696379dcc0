/**
 * Foreign jobs: a runner Runway launched for one run and environment that GitHub handed a job of
 * another run, of another environment, or one Runway never routed. GitHub gives a queued job to
 * any idle runner whose labels cover it, so with run labels this cannot happen, and without them
 * (a legacy configuration, a workflow that forgot its run label) it can. When it does, the job
 * runs with the wrong environment's role: Runway stops that build at once, removes the runner,
 * tells the environment's Slack channel which job ran where, and launches again for the job the
 * runner was meant for if GitHub says it is still queued.
 */
import type { AwsTarget } from "../aws/shared.ts";
import type { NotificationInput } from "../notify/event-keys.ts";
import type { JobMessage } from "../jobs/job-message.ts";
import type { BuildStarter, GitHubJobs, JitSecrets, RunnerRegistry } from "./launch.ts";
import type { LaunchRecord, Ledger } from "./ledger.ts";
import { jobForeignEvent } from "./notifications.ts";
import { recordMetric } from "../observability/metrics.ts";

export interface ForeignJobDeps {
  ledger: Ledger;
  builds: BuildStarter;
  registry: RunnerRegistry;
  secrets: JitSecrets;
  jobs: GitHubJobs;
  /** Send a launch request to the job queue again (the launcher takes the reopened launch over). */
  requeue: (message: JobMessage, deduplicationId: string) => Promise<void>;
  /** Where reopened launches store their JIT configs. */
  jitPrefix: string;
  /** At most this many relaunches per job attempt; then the job is left to GitHub (and Slack says so). */
  maxRelaunches: number;
  notify?: (event: NotificationInput, environment: string) => void;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** GitHub statuses of a job nobody has taken yet. */
const WAITING = new Set(["queued", "waiting", "pending", "requested"]);

/**
 * Why the job of `message` is foreign to the launch whose runner took it, or undefined when the
 * runner may run it (a job of the same run attempt and environment: any runner of the run may take
 * any of its jobs, and the job's own launch's runner takes another of them).
 *
 * @example
 * foreignReason(message, launch); // "job 77 is run 9001 attempt 1's; the runner was launched for run 9000 attempt 1"
 */
export function foreignReason(message: JobMessage, launch: LaunchRecord): string | undefined {
  const job = message.job;
  if (message.unrouted !== undefined) return `job ${job.id} is one Runway did not route (${message.unrouted}); the runner was launched for ${launch.environment}`;
  if (job.runId !== launch.runId || job.runAttempt !== launch.runAttempt) {
    return `job ${job.id} is run ${job.runId} attempt ${job.runAttempt}'s; the runner was launched for run ${launch.runId} attempt ${launch.runAttempt}`;
  }
  if (message.environment !== launch.environment) return `job ${job.id} was routed to ${message.environment}; the runner was launched for ${launch.environment}`;
  return undefined;
}

export type ForeignOutcome = { outcome: "foreign"; stopped?: string | undefined; relaunched: boolean; duplicate: boolean };

/**
 * Stop the runner's build, remove the runner, relaunch for the job it was meant for, tell Slack.
 * Safe to run again for the same event: the build is stopped again (a no-op), and the ledger lets
 * only the first caller alert and relaunch.
 *
 * @throws whatever CodeBuild or GitHub throw for a passing cause: the event is retried.
 */
export async function catchForeignJob(message: JobMessage, launch: LaunchRecord, reason: string, deps: ForeignJobDeps): Promise<ForeignOutcome> {
  const meant = launch.request;
  const target: AwsTarget = { region: meant.codebuild.region, roleArn: meant.codebuild.roleArn };
  const buildId = launch.buildId ?? (await deps.builds.findByRunner(target, meant.codebuild.project, launch.runnerName));
  // First what stops the damage: the build, and with it the runner running the foreign job.
  if (buildId) await deps.builds.stop(target, buildId);
  // GitHub's truth decides the relaunch; asked before the ledger is marked, so a failure here retries all of this.
  const intended = await deps.jobs.job({ owner: meant.job.owner, repo: meant.job.repo, installationId: meant.job.installationId, jobId: meant.job.id });

  const marked = await deps.ledger.markForeign(launch, message.job.id, `stopped: its runner took a foreign job (${reason})`);
  if (!marked) return { outcome: "foreign", stopped: buildId, relaunched: false, duplicate: true };
  // Counted once per caught runner: only the caller that marked the launch gets here.
  recordMetric("ForeignJobCaught", 1);

  const actions: string[] = [buildId ? `stopped build ${buildId}` : "found no build to stop"];
  await deps.registry
    .unregister({ owner: meant.job.owner, repo: meant.job.repo, scope: meant.runners.scope, installationId: meant.job.installationId, runnerId: launch.runnerId, name: launch.runnerName })
    .then(() => actions.push(`removed runner ${launch.runnerName}`))
    // A runner still winding down answers 422; GitHub removes a JIT runner once its job ends anyway.
    .catch((error: unknown) => actions.push(`could not remove runner ${launch.runnerName} yet (${(error as Error).message}); GitHub removes it when its job ends`));
  if (launch.jitParameter) await deps.secrets.remove(target, launch.jitParameter).catch(() => undefined);

  const relaunches = launch.relaunches ?? 0;
  let relaunched = false;
  if (!WAITING.has(intended.status)) {
    actions.push(`job ${meant.job.id} is ${intended.status} on GitHub${intended.runnerName ? ` (runner ${intended.runnerName})` : ""}: no relaunch needed`);
  } else if (relaunches >= deps.maxRelaunches) {
    actions.push(`job ${meant.job.id} is still queued, but it was relaunched ${relaunches} times already: left to GitHub (re-run the job)`);
    recordMetric("LaunchRefused", 1);
  } else {
    const reopened = await deps.ledger.reopen(marked, deps.jitPrefix);
    if (reopened) {
      await deps.requeue(meant, `${meant.job.id}-${meant.job.runAttempt}-queued-relaunch-${relaunches + 1}`);
      actions.push(`relaunched job ${meant.job.id} (relaunch ${relaunches + 1} of at most ${deps.maxRelaunches})`);
      relaunched = true;
    }
  }

  deps.notify?.(jobForeignEvent({ launch, foreign: message, reason, buildId, actions }), launch.environment);
  deps.log?.("foreign job caught", {
    runnerName: launch.runnerName,
    environment: launch.environment,
    launchJobId: launch.jobId,
    foreignJobId: message.job.id,
    foreignRepository: message.job.repository,
    reason,
    buildId,
    relaunched,
  });
  return { outcome: "foreign", stopped: buildId, relaunched, duplicate: false };
}
