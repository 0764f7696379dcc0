/**
 * What the launcher tells Slack (through the notify queue): the job queued, its runner build
 * launched, the runner taking it, and how it ended. Built from the job message and the ledger, so
 * each event carries its run and needs nothing else to be posted in the right thread.
 */
import type { NotificationInput } from "../notify/event-keys.ts";
import type { JobMessage } from "../jobs/job-message.ts";
import { runPageUrl } from "../github/web-url.ts";
import type { LaunchRecord } from "./ledger.ts";

type RunInfo = Extract<NotificationInput, { run: unknown }>["run"];
type Build = { id: string; project: string; region: string };

/** The run's page on the GitHub that sent the job (lib/github/web-url.ts). */
export function runUrl(message: JobMessage): string {
  return runPageUrl(message.job);
}

export function runInfo(message: JobMessage): RunInfo {
  return {
    repository: message.job.repository,
    runId: message.job.runId,
    runAttempt: message.job.runAttempt,
    workflowName: message.job.workflowName ?? null,
    url: runUrl(message),
    environment: message.environment,
    headBranch: message.job.headBranch ?? null,
    ...(message.job.headSha ? { sha: message.job.headSha } : {}),
  };
}

const job = (message: JobMessage) => ({
  id: message.job.id,
  name: message.job.name ?? `job ${message.job.id}`,
  ...(message.job.htmlUrl?.startsWith("http") ? { url: message.job.htmlUrl } : {}),
});

const channelOf = (channel: string | undefined) => (channel ? { channel } : {});

export function buildInfo(message: JobMessage, buildId: string): Build {
  return { id: buildId, project: message.codebuild.project, region: message.codebuild.region ?? process.env.AWS_REGION ?? "us-east-1" };
}

export function jobQueued(message: JobMessage, channel?: string): NotificationInput {
  return { type: "job.queued", run: runInfo(message), job: job(message), labels: message.job.labels, ...channelOf(channel) };
}

export function jobLaunched(message: JobMessage, buildId: string, channel?: string): NotificationInput {
  return { type: "job.launched", run: runInfo(message), job: job(message), build: buildInfo(message, buildId), ...channelOf(channel) };
}

export function jobStartedEvent(message: JobMessage, runnerName: string, buildId: string | undefined, channel?: string): NotificationInput {
  return {
    type: "job.started",
    run: runInfo(message),
    job: job(message),
    runnerName,
    ...(buildId ? { build: buildInfo(message, buildId) } : {}),
    ...channelOf(channel),
  };
}

const CONCLUSIONS = new Set(["success", "failure", "cancelled", "skipped", "timed_out", "action_required", "neutral", "stale", "startup_failure"]);

export function jobCompletedEvent(
  message: JobMessage,
  details: { failedSteps: string[]; buildId?: string | undefined; logExcerpt?: string | undefined; artifacts?: { name: string; url: string }[] },
  channel?: string,
): NotificationInput {
  const conclusion = CONCLUSIONS.has(message.job.conclusion ?? "") ? message.job.conclusion! : "failure";
  return {
    type: "job.completed",
    run: runInfo(message),
    job: job(message),
    conclusion: conclusion as "failure",
    failedSteps: details.failedSteps,
    ...(details.logExcerpt ? { logExcerpt: details.logExcerpt } : {}),
    artifacts: details.artifacts ?? [],
    ...(details.buildId ? { build: buildInfo(message, details.buildId) } : {}),
    ...channelOf(channel),
  };
}

/**
 * The alert for a runner caught running a foreign job: posted in the thread of the run the runner
 * was launched for, in its environment's channel.
 */
export function jobForeignEvent(details: { launch: LaunchRecord; foreign: JobMessage; reason: string; buildId?: string | undefined; actions: string[] }): NotificationInput {
  const { launch, foreign } = details;
  const meant = launch.request;
  return {
    type: "job.foreign",
    run: runInfo(meant),
    job: job(meant),
    runnerName: launch.runnerName,
    ...(details.buildId ? { build: buildInfo(meant, details.buildId) } : {}),
    foreign: {
      id: foreign.job.id,
      name: foreign.job.name ?? `job ${foreign.job.id}`,
      ...(foreign.job.htmlUrl?.startsWith("http") ? { url: foreign.job.htmlUrl } : {}),
      repository: foreign.job.repository,
      runId: foreign.job.runId,
      runAttempt: foreign.job.runAttempt,
      workflowName: foreign.job.workflowName ?? null,
      environment: foreign.unrouted === undefined ? foreign.environment : null,
      reason: details.reason,
    },
    actions: details.actions,
  };
}

/** A launch Runway refused or parked: the reason, and how to send it again once fixed. */
export function jobRefused(message: JobMessage, reason: string): NotificationInput {
  return {
    type: "job.refused",
    run: runInfo(message),
    job: job(message),
    reason: reason.slice(0, 1000) || "refused",
    replay: `npx runway replay --job ${message.job.id}`,
  };
}
