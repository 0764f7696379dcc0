/**
 * What `in_progress` and `completed` mean for the ledger. A JIT runner takes any queued job of its
 * run whose labels it covers, so the job a runner really ran is the event's `runner_name`, which
 * may belong to another job's launch: both the job's launch and the runner's launch are updated.
 *
 * `completed` also writes the conclusion marker the runner's build reads to pass or fail, and
 * gives the runner's concurrency slot back: its job is over.
 */
import type { ConclusionMarker } from "../artifacts/marker.ts";
import type { JobMessage } from "./job-message.ts";
import { launchKey, type Ledger } from "./ledger.ts";

export interface LifecycleDeps {
  ledger: Ledger;
  /** Writes the conclusion marker; absent when no artifacts bucket is configured. */
  writeMarker?: (runnerName: string, marker: ConclusionMarker) => Promise<void>;
}

export type LifecycleOutcome = { outcome: "recorded"; runner?: string | undefined; ours: boolean };

/** Record which runner took the job. */
export async function jobStarted(message: JobMessage, deps: LifecycleDeps): Promise<LifecycleOutcome> {
  const { ledger } = deps;
  const now = ledger.now();
  const runner = message.job.runnerName;
  await ledger.annotate(launchKey(message.job.id, message.job.runAttempt), { ranOn: runner ?? null });
  const launch = runner ? await ledger.launchForRunner(runner) : undefined;
  if (launch) await ledger.annotate(launch.pk, { tookJobId: message.job.id, tookAt: now });
  return { outcome: "recorded", runner, ours: launch !== undefined };
}

/** Record how the job ended, tell its runner's build, and free the runner's slot. */
export async function jobCompleted(message: JobMessage, deps: LifecycleDeps): Promise<LifecycleOutcome> {
  const { ledger } = deps;
  const now = ledger.now();
  const job = message.job;
  const failedSteps = job.steps.filter((s) => s.conclusion === "failure").map((s) => s.name);
  const conclusion = job.conclusion ?? "unknown";
  await ledger.annotate(launchKey(job.id, job.runAttempt), { conclusion, failedSteps, ranOn: job.runnerName ?? null, completedAt: now });

  const launch = job.runnerName ? await ledger.launchForRunner(job.runnerName) : undefined;
  if (launch && job.runnerName) {
    await deps.writeMarker?.(job.runnerName, { conclusion, failedSteps, jobId: job.id, runAttempt: job.runAttempt, htmlUrl: job.htmlUrl });
    await ledger.annotate(launch.pk, { state: "finished", finishedAt: now, tookJobId: job.id, conclusion }, { expression: "#state = :launched", values: { ":launched": "launched" } });
    await ledger.releaseSlot(launch.environment, launch.pk);
  }
  return { outcome: "recorded", runner: job.runnerName, ours: launch !== undefined };
}
