/**
 * A `workflow_job` delivery read once, where it enters: the facts routing and launching need, typed.
 * Every later step (routing's filters, the job message, the log line) reads these fields, never the
 * raw payload, so a field GitHub leaves missing or null is decided about in one place.
 */
import { jobKey, jobLabels, numberAt, stringAt, type JobKey } from "./workflow-job.ts";

/** The most steps a job's facts keep; a job message stays small whatever the job ran. */
const MAX_STEPS = 100;

export interface JobStep {
  name: string;
  number: number;
  conclusion: string | null;
}

/** One `workflow_job` delivery's facts. Absent fields are absent (or null) in the payload too. */
export interface JobFacts {
  /** Job id, run id and attempt; undefined when the payload lacks a job or run id. */
  key: JobKey | undefined;
  /** `workflow_job.run_id` even when the job id is missing (routing's run-label check names it). */
  runId: number | undefined;
  /** `workflow_job.run_attempt`, 1 when GitHub omitted it. */
  runAttempt: number;
  labels: string[];
  name?: string | undefined;
  workflowName?: string | undefined;
  /** `repository.full_name`. */
  repository?: string | undefined;
  /** `repository.name`. */
  repositoryName?: string | undefined;
  /** `repository.owner.login`. */
  ownerLogin?: string | undefined;
  headBranch?: string | undefined;
  headSha?: string | undefined;
  htmlUrl?: string | undefined;
  runUrl?: string | undefined;
  installationId?: number | undefined;
  runnerName?: string | undefined;
  conclusion?: string | undefined;
  /** `workflow_job.created_at`: when GitHub queued the job (ISO 8601). */
  createdAt?: string | undefined;
  /** `workflow_job.started_at`: on `in_progress`, when a runner took the job (on `queued` GitHub repeats `created_at`). */
  startedAt?: string | undefined;
  /** `sender.login`. */
  actor?: string | undefined;
  steps: JobStep[];
}

/**
 * Read a `workflow_job` payload once. Total: anything GitHub (or an attacker) sends gives facts.
 *
 * @example
 * const job = jobFacts(delivery.payload);
 * job.key?.jobId; // 29679449
 * job.workflowName; // "action-payments-dev-deploy"
 */
export function jobFacts(payload: unknown): JobFacts {
  const steps = (payload as { workflow_job?: { steps?: unknown } } | null)?.workflow_job?.steps;
  return {
    key: jobKey(payload),
    runId: numberAt(payload, "workflow_job", "run_id"),
    runAttempt: numberAt(payload, "workflow_job", "run_attempt") ?? 1,
    labels: jobLabels(payload),
    name: stringAt(payload, "workflow_job", "name"),
    workflowName: stringAt(payload, "workflow_job", "workflow_name"),
    repository: stringAt(payload, "repository", "full_name"),
    repositoryName: stringAt(payload, "repository", "name"),
    ownerLogin: stringAt(payload, "repository", "owner", "login"),
    headBranch: stringAt(payload, "workflow_job", "head_branch"),
    headSha: stringAt(payload, "workflow_job", "head_sha"),
    htmlUrl: stringAt(payload, "workflow_job", "html_url"),
    runUrl: stringAt(payload, "workflow_job", "run_url"),
    installationId: numberAt(payload, "installation", "id"),
    runnerName: stringAt(payload, "workflow_job", "runner_name"),
    conclusion: stringAt(payload, "workflow_job", "conclusion"),
    createdAt: stringAt(payload, "workflow_job", "created_at"),
    startedAt: stringAt(payload, "workflow_job", "started_at"),
    actor: stringAt(payload, "sender", "login"),
    steps: Array.isArray(steps) ? steps.slice(0, MAX_STEPS).flatMap(toStep) : [],
  };
}

function toStep(step: unknown): JobStep[] {
  const name = stringAt(step, "name");
  const number = numberAt(step, "number");
  if (name === undefined || number === undefined) return [];
  return [{ name: name.slice(0, 200), number, conclusion: stringAt(step, "conclusion") ?? null }];
}
