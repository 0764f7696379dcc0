/**
 * What a thread's parent message summarises, and how each event changes it. Pure: the store
 * persists it, the renderer draws it.
 *
 * Events arrive in any order (webhooks are unordered, a build can finish before its job's
 * `completed` delivery, the queue redelivers). So nothing here goes backwards: a job's status only
 * moves forward within an attempt, a later attempt (a re-run) replaces an earlier one, and a field
 * learnt late (the build of a job already running) fills a gap without undoing anything.
 */
import type { BuildInfo, Conclusion, DeploymentInfo, EventOf, NotificationEvent, RunInfo } from "./events.ts";

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";
export type DeployStatus = "started" | "validating" | "succeeded" | "failed" | "rolled_back" | "stopped";
export type JobStatus = "queued" | "launched" | "running" | "succeeded" | "failed" | "cancelled" | "skipped";

export interface JobState {
  id: number;
  name: string;
  attempt: number;
  status: JobStatus;
  url?: string;
  build?: BuildInfo;
  runner?: string;
  failedStep?: string;
  /** What went wrong around the job rather than in it (its runner build broke). */
  note?: string;
}

export interface RunSubject {
  kind: "run";
  /** The run as its latest attempt describes it. */
  run: RunInfo;
  /** Jobs by name: a re-run's job has a new id but the same name. */
  jobs: Record<string, JobState>;
  conclusion?: { attempt: number; value: Conclusion };
}

export interface DeploySubject {
  kind: "deployment";
  deployment: DeploymentInfo;
  /** Verdicts by hook name. */
  hooks: Record<string, "Succeeded" | "Failed">;
  outcome?: "succeeded" | "failed" | "rolled_back" | "stopped";
  reason?: string;
}

export type ThreadSubject = RunSubject | DeploySubject;
export type ThreadStatus = RunStatus | DeployStatus;

const OUTCOME_RANK: Record<NonNullable<DeploySubject["outcome"]>, number> = { succeeded: 1, stopped: 2, failed: 2, rolled_back: 3 };

const JOB_RANK: Record<JobStatus, number> = { queued: 0, launched: 1, running: 2, succeeded: 3, failed: 3, cancelled: 3, skipped: 3 };

/** The job-level reading of GitHub's conclusion. */
export function jobStatusOf(conclusion: Conclusion): JobStatus {
  if (conclusion === "success" || conclusion === "neutral") return "succeeded";
  if (conclusion === "skipped") return "skipped";
  if (conclusion === "cancelled") return "cancelled";
  return "failed";
}

/** The subject an event's thread starts from, before the event itself is applied. */
export function newSubject(event: NotificationEvent): ThreadSubject {
  return "run" in event ? { kind: "run", run: event.run, jobs: {} } : { kind: "deployment", deployment: event.deployment, hooks: {} };
}

/** The subject after `event`; never mutates its input. */
export function applyEvent(subject: ThreadSubject, event: NotificationEvent): ThreadSubject {
  const next = structuredClone(subject);
  if (next.kind === "run" && "run" in event) applyRunEvent(next, event);
  if (next.kind === "deployment" && "deployment" in event) applyDeployEvent(next, event);
  return next;
}

function applyRunEvent(subject: RunSubject, event: Extract<NotificationEvent, { run: unknown }>): void {
  if (event.run.runAttempt >= subject.run.runAttempt) {
    // Keep facts an earlier event knew that a later one left out (workflow name, branch).
    subject.run = { ...subject.run, ...definedOnly(event.run) };
  }
  switch (event.type) {
    case "run.queued":
      return;
    case "run.completed":
      if (!subject.conclusion || event.run.runAttempt >= subject.conclusion.attempt) {
        subject.conclusion = { attempt: event.run.runAttempt, value: event.conclusion };
      }
      return;
    case "job.queued":
      return advanceJob(subject, event, "queued", {});
    case "job.launched":
      return advanceJob(subject, event, "launched", { build: event.build });
    case "job.started":
      return advanceJob(subject, event, "running", { runner: event.runnerName, build: event.build });
    case "job.completed":
      return advanceJob(subject, event, jobStatusOf(event.conclusion), { failedStep: event.failedSteps[0], build: event.build });
    case "build.finished":
      if (!event.job) return;
      if (event.cause.kind === "build-broke") {
        return advanceJob(subject, { ...event, job: event.job }, null, { build: event.build, note: `runner build broke in phase ${event.cause.phase}` });
      }
      return advanceJob(subject, { ...event, job: event.job }, null, { build: event.build });
  }
}

/**
 * Move a job to `status` when that is forward for its attempt (or it is a newer attempt), and fill
 * in the details either way; `status: null` only fills details.
 */
function advanceJob(
  subject: RunSubject,
  event: { run: RunInfo; job: EventOf<"job.queued">["job"] },
  status: JobStatus | null,
  details: Partial<JobState>,
): void {
  const attempt = event.run.runAttempt;
  const current = subject.jobs[event.job.name];
  const facts = definedOnly(details);
  if (facts.note && status === null && current && JOB_RANK[current.status] >= JOB_RANK.running) delete facts.note;
  if (!current || attempt > current.attempt) {
    // A job first heard of through a detail-only event is known to exist, not to be running.
    subject.jobs[event.job.name] = { id: event.job.id, name: event.job.name, attempt, status: status ?? "queued", ...facts, ...urlOf(event.job) };
    return;
  }
  if (attempt < current.attempt) return;
  const merged: JobState = { ...facts, ...current, ...urlOf(event.job) };
  if (status !== null && JOB_RANK[status] > JOB_RANK[current.status]) {
    Object.assign(merged, facts, { status });
    // The job ran after all: what was said about its runner build no longer matters.
    if (JOB_RANK[status] >= JOB_RANK.running) delete merged.note;
  }
  subject.jobs[event.job.name] = merged;
}

function applyDeployEvent(subject: DeploySubject, event: Extract<NotificationEvent, { deployment: unknown }>): void {
  subject.deployment = { ...subject.deployment, ...definedOnly(event.deployment) };
  if (event.type === "deploy.verdict") {
    // A failed verdict is final for that hook; a success never overwrites it.
    if (subject.hooks[event.hook] !== "Failed") subject.hooks[event.hook] = event.verdict;
  }
  // A rollback is told after the failure that caused it; a success never hides a failure.
  if (event.type === "deploy.finished" && OUTCOME_RANK[event.outcome] > (subject.outcome ? OUTCOME_RANK[subject.outcome] : 0)) {
    subject.outcome = event.outcome;
    if (event.reason) subject.reason = event.reason;
  }
}

/** The status the parent shows. */
export function statusOf(subject: ThreadSubject): ThreadStatus {
  if (subject.kind === "deployment") {
    if (subject.outcome) return subject.outcome;
    const verdicts = Object.values(subject.hooks);
    if (verdicts.includes("Failed")) return "failed";
    return verdicts.length > 0 ? "validating" : "started";
  }
  const { conclusion } = subject;
  if (conclusion && conclusion.attempt >= subject.run.runAttempt) {
    const status = jobStatusOf(conclusion.value);
    return status === "skipped" ? "succeeded" : (status as RunStatus);
  }
  const jobs = Object.values(subject.jobs).map((job) => job.status);
  if (jobs.length === 0) return "queued";
  if (jobs.includes("failed")) return "failed";
  const done = jobs.filter((status) => JOB_RANK[status] === 3);
  if (done.length === jobs.length) return jobs.includes("cancelled") ? "cancelled" : "succeeded";
  return jobs.some((status) => status !== "queued") ? "running" : "queued";
}

/** Whether a status is the kind that should wake someone. */
export function isFailure(status: ThreadStatus): boolean {
  return status === "failed" || status === "rolled_back";
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

function urlOf(job: { url?: string | undefined }): { url?: string } {
  return job.url ? { url: job.url } : {};
}
