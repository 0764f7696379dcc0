/**
 * What `in_progress` and `completed` mean for the ledger. A JIT runner takes any queued job of its
 * run whose labels it covers, so the job a runner really ran is the event's `runner_name`, which
 * may belong to another job's launch: both the job's launch and the runner's launch are updated.
 *
 * `completed` also writes the conclusion marker the runner's build reads to pass or fail, gives
 * the runner's concurrency slot back (its job is over), and — for a failed job — keeps the end of
 * its log, where the failing step stopped, as an artifact beside the build's other files.
 */
import { failureExcerpt } from "../artifacts/log-excerpt.ts";
import type { ConclusionMarker } from "../artifacts/marker.ts";
import type { NotificationInput } from "../notify/event-keys.ts";
import type { JobMessage } from "../jobs/job-message.ts";
import { launchKey, type LaunchRecord, type Ledger } from "./ledger.ts";
import { catchForeignJob, foreignReason, type ForeignJobDeps, type ForeignOutcome } from "./foreign-job.ts";
import { jobCompletedEvent, jobStartedEvent } from "./notifications.ts";
import { recordMetric } from "../observability/metrics.ts";

/** Where a failed job's log excerpt is kept, and how it is linked. */
export interface ExcerptStore {
  fetchLog(message: JobMessage): Promise<string | undefined>;
  /** Store the excerpt for a build; returns a link to it. */
  save(buildId: string, excerpt: string): Promise<{ name: string; url: string }>;
}

export interface LifecycleDeps {
  ledger: Ledger;
  /** Writes the conclusion marker; absent when no artifacts bucket is configured. */
  writeMarker?: (runnerName: string, marker: ConclusionMarker) => Promise<void>;
  excerpts?: ExcerptStore;
  /** Queue a Slack notification (never waits on Slack). */
  notify?: (event: NotificationInput, environment: string) => void;
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** What stopping a runner caught with a foreign job takes; without it such a runner is only logged. */
  foreign?: Omit<ForeignJobDeps, "ledger" | "notify" | "log"> | undefined;
}

export type LifecycleOutcome = { outcome: "recorded"; runner?: string | undefined; ours: boolean } | ForeignOutcome;

const FAILED = new Set(["failure", "timed_out", "startup_failure"]);
/** Lines of the failing step kept for Slack and the artifact. */
export const EXCERPT_LINES = 200;

/** Record which runner took the job. */
export async function jobStarted(message: JobMessage, deps: LifecycleDeps): Promise<LifecycleOutcome> {
  const { ledger } = deps;
  const now = ledger.now();
  const runner = message.job.runnerName;
  const launch = runner ? await ledger.launchForRunner(runner) : undefined;
  const foreign = launch && foreignReason(message, launch);
  if (launch && foreign) return onForeignJob(message, launch, foreign, deps);
  if (message.unrouted !== undefined) return { outcome: "recorded", runner, ours: false };

  await ledger.annotate(launchKey(message.job.id, message.job.runAttempt), { ranOn: runner ?? null });
  if (launch) await ledger.annotate(launch.pk, { tookJobId: message.job.id, tookAt: now });
  if (runner) deps.notify?.(jobStartedEvent(message, runner, launch?.buildId), message.environment);
  // Recorded once the ledger has it: a write that fails is retried, and would count the wait twice.
  recordMetric("QueuedToJobTaken", gitHubWaitMs(message.job.createdAt, message.job.startedAt));
  return { outcome: "recorded", runner, ours: launch !== undefined };
}

/**
 * How long the job waited for a runner, by GitHub's own clock (`created_at` → `started_at`); NaN,
 * which is not recorded, when either is missing or they are out of order.
 */
export function gitHubWaitMs(createdAt: string | undefined, startedAt: string | undefined): number {
  const wait = Date.parse(startedAt ?? "") - Date.parse(createdAt ?? "");
  return wait >= 0 ? wait : Number.NaN;
}

/**
 * A runner of this launch took a job it must not run. Caught on `in_progress`, or on `completed`
 * when the `in_progress` was lost (a launch already marked foreign is left as it is).
 */
async function onForeignJob(message: JobMessage, launch: LaunchRecord, reason: string, deps: LifecycleDeps): Promise<LifecycleOutcome> {
  if (launch.foreignJobId !== undefined || !deps.foreign) {
    if (!deps.foreign) deps.log?.("foreign job seen, but nothing is wired to stop it", { runnerName: launch.runnerName, foreignJobId: message.job.id, reason });
    return { outcome: "foreign", stopped: undefined, relaunched: false, duplicate: true };
  }
  return catchForeignJob(message, launch, reason, { ...deps.foreign, ledger: deps.ledger, notify: deps.notify, log: deps.log });
}

/** Record how the job ended, tell its runner's build, and free the runner's slot. */
export async function jobCompleted(message: JobMessage, deps: LifecycleDeps): Promise<LifecycleOutcome> {
  const { ledger } = deps;
  const now = ledger.now();
  const job = message.job;
  const failedSteps = job.steps.filter((s) => s.conclusion === "failure").map((s) => s.name);
  const conclusion = job.conclusion ?? "unknown";
  const launch = job.runnerName ? await ledger.launchForRunner(job.runnerName) : undefined;
  const foreign = launch && foreignReason(message, launch);
  // Its build was stopped for running this job; the verdict and the slot were settled then.
  if (launch && foreign) return onForeignJob(message, launch, foreign, deps);
  if (message.unrouted !== undefined) return { outcome: "recorded", runner: job.runnerName, ours: false };

  await ledger.annotate(launchKey(job.id, job.runAttempt), { conclusion, failedSteps, ranOn: job.runnerName ?? null, completedAt: now });
  // Over before it got a runner (cancelled while waiting for a slot): never launch it now.
  const dropped = await ledger.annotate(
    launchKey(job.id, job.runAttempt),
    { state: "finished", finishedAt: now, reason: `the job ended (${conclusion}) while its launch waited for a slot` },
    { expression: "#state = :waiting", values: { ":waiting": "waiting" } },
  );
  if (dropped) deps.log?.("dropped a waiting launch: its job is over", { jobId: job.id, runAttempt: job.runAttempt, conclusion });

  if (launch && job.runnerName) {
    // First what the build is waiting for: its verdict. Everything after is for people.
    await deps.writeMarker?.(job.runnerName, { conclusion, failedSteps, jobId: job.id, runAttempt: job.runAttempt, htmlUrl: job.htmlUrl });
    if (launch.jobId === job.id) {
      await ledger.annotate(launch.pk, { state: "finished", finishedAt: now, tookJobId: job.id, conclusion }, { expression: "#state = :launched", values: { ":launched": "launched" } });
    } else {
      // Its runner ran a sibling job of the run. The job it was launched for may still wait (its
      // sibling's runner may have died): the launch stays open, and once the build ends the
      // reconciler asks GitHub about that job and launches again if it still waits.
      await ledger.annotate(launch.pk, { tookJobId: job.id }, { expression: "#state = :launched", values: { ":launched": "launched" } });
    }
    await ledger.releaseSlot(launch.environment, launch.pk);
  }
  const excerpt = FAILED.has(conclusion) && launch?.buildId ? await keepExcerpt(message, launch.buildId, deps) : undefined;
  deps.notify?.(
    jobCompletedEvent(message, { failedSteps, buildId: launch?.buildId, logExcerpt: excerpt?.text, artifacts: excerpt?.link ? [excerpt.link] : [] }),
    message.environment,
  );
  return { outcome: "recorded", runner: job.runnerName, ours: launch !== undefined };
}

/** Best effort: a log GitHub cannot give right now must not hold up the job's record. */
async function keepExcerpt(message: JobMessage, buildId: string, deps: LifecycleDeps) {
  if (!deps.excerpts) return undefined;
  try {
    const log = await deps.excerpts.fetchLog(message);
    if (!log) return undefined;
    const text = failureExcerpt(log, EXCERPT_LINES);
    return { text, link: await deps.excerpts.save(buildId, text) };
  } catch (error) {
    deps.log?.("could not keep the failed job's log excerpt", { jobId: message.job.id, error: (error as Error).name, reason: (error as Error).message });
    return undefined;
  }
}
