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
/** `refused`: Runway would not launch it (or parked it); a replay can still launch it. */
export type JobStatus = "queued" | "refused" | "launched" | "running" | "succeeded" | "failed" | "cancelled" | "skipped";

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
  /** Why Runway did not launch it; forgotten once it is launched after all. */
  refusal?: string;
}

/** A runner of this run that GitHub handed another job (a `job.foreign` alert). */
export interface ForeignAlert {
  runner: string;
  /** The name of the job the runner was launched for. */
  launchedFor?: string;
  /** The runner's build, which Runway stopped. */
  buildId?: string;
  foreign: { id: number; name: string; url?: string; repository: string; runId: number; environment?: string | null };
}

export interface RunSubject {
  kind: "run";
  /** The run as its latest attempt describes it. */
  run: RunInfo;
  /** Jobs by name: a re-run's job has a new id but the same name. */
  jobs: Record<string, JobState>;
  conclusion?: { attempt: number; value: Conclusion };
  /** Runners of this run that were handed another job: the parent says the run needs attention. */
  foreign?: ForeignAlert[];
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

/** Alerts kept per thread: enough to say what happened, small enough for the thread's record. */
const MAX_ALERTS = 20;

const DONE = 4;
const JOB_RANK: Record<JobStatus, number> = { queued: 0, refused: 1, launched: 2, running: 3, succeeded: DONE, failed: DONE, cancelled: DONE, skipped: DONE };

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
  applyJobEvent(subject, event);
  forgetStoppedBuilds(subject);
}

function applyJobEvent(subject: RunSubject, event: Extract<NotificationEvent, { run: unknown }>): void {
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
    case "job.refused":
      return advanceJob(subject, event, "refused", { refusal: event.reason });
    case "job.foreign":
      addAlert(subject, event);
      if (!event.job) return;
      return advanceJob(subject, { ...event, job: event.job }, null, { note: "its runner was handed another job and stopped" });
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

/** Remember an alert once, in an order that does not depend on the order events arrived in. */
function addAlert(subject: RunSubject, event: EventOf<"job.foreign">): void {
  const { foreign } = event;
  const alerts = (subject.foreign ?? []).filter((a) => a.runner !== event.runnerName || a.foreign.id !== foreign.id);
  alerts.push({
    runner: event.runnerName,
    ...(event.job ? { launchedFor: event.job.name } : {}),
    ...(event.build ? { buildId: event.build.id } : {}),
    foreign: {
      id: foreign.id,
      name: foreign.name,
      ...urlOf(foreign),
      repository: foreign.repository,
      runId: foreign.runId,
      environment: foreign.environment ?? null,
    },
  });
  alerts.sort((a, b) => a.foreign.id - b.foreign.id || a.runner.localeCompare(b.runner));
  subject.foreign = alerts.slice(0, MAX_ALERTS);
}

/**
 * A job whose runner build Runway stopped (its runner took another job) is waiting for its
 * relaunch: the stopped build is no longer its build, whichever of the two events came first.
 */
function forgetStoppedBuilds(subject: RunSubject): void {
  const stopped = new Set((subject.foreign ?? []).flatMap((a) => (a.buildId ? [a.buildId] : [])));
  if (stopped.size === 0) return;
  for (const job of Object.values(subject.jobs)) {
    if (job.build && stopped.has(job.build.id) && JOB_RANK[job.status] < JOB_RANK.running) delete job.build;
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
  // A refusal late to arrive (the replay's launch came first) is history already.
  if (facts.refusal && current && attempt === current.attempt && JOB_RANK[current.status] > JOB_RANK.refused) delete facts.refusal;
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
    // It was launched after all (a replay): the refusal is history.
    if (JOB_RANK[status] > JOB_RANK.refused) delete merged.refusal;
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
  const done = jobs.filter((status) => JOB_RANK[status] === DONE);
  if (done.length === jobs.length) return jobs.includes("cancelled") ? "cancelled" : "succeeded";
  // A refused job is still waiting, on a person now: the parent says so on the job's line.
  return jobs.some((status) => JOB_RANK[status] > JOB_RANK.refused) ? "running" : "queued";
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
