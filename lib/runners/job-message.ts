/**
 * The message the webhook function puts on the job queue for every `workflow_job` delivery that
 * routing gave to an environment. `queued` asks for a launch; `in_progress` and `completed` record
 * which runner took the job and how it ended. The consumer validates what it reads with
 * `jobMessageSchema` (job-message-schema.ts), which is checked against this type at compile time,
 * so producer and consumer cannot disagree silently; the producer (the webhook) needs no schema
 * library at cold start.
 */
import type { Delivery } from "../github/read-delivery.ts";
import { numberAt, stringAt, type JobKey } from "../github/workflow-job.ts";
import type { RoutedDecision, RunnerPlacement } from "../routing/decision.ts";

export const JOB_ACTIONS = ["queued", "in_progress", "completed"] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];

const MAX_STEPS = 100;

export interface JobStep {
  name: string;
  number: number;
  conclusion: string | null;
}

export interface JobMessage {
  version: 1;
  action: JobAction;
  deliveryId: string;
  receivedAt: string;
  environment: string;
  codebuild: { project: string; region?: string | undefined; roleArn?: string | undefined; allowOverrides: string[] };
  runners: RunnerPlacement;
  concurrency: number;
  /**
   * Present when routing gave the job to no environment, yet a Runway runner took it (its
   * `in_progress` / `completed`): why routing ignored it. `environment` is then the runner's.
   */
  unrouted?: string | undefined;
  job: {
    id: number;
    runId: number;
    runAttempt: number;
    name?: string | undefined;
    workflowName?: string | undefined;
    labels: string[];
    repository: string;
    owner: string;
    repo: string;
    headBranch?: string | undefined;
    headSha?: string | undefined;
    htmlUrl?: string | undefined;
    runUrl?: string | undefined;
    installationId?: number | undefined;
    runnerName?: string | undefined;
    conclusion?: string | undefined;
    steps: JobStep[];
  };
}

/** True for the actions that the queue carries. */
export function isJobAction(action: string | undefined): action is JobAction {
  return (JOB_ACTIONS as readonly string[]).includes(action ?? "");
}

/**
 * Build the queue message for a routed delivery: a compact snapshot of the job, so the consumer
 * never needs the (up to 25 MB) original body.
 */
export function jobMessage(delivery: Delivery, action: JobAction, key: JobKey, decision: RoutedDecision, receivedAt: Date, unrouted?: string): JobMessage {
  const p = delivery.payload;
  const repository = stringAt(p, "repository", "full_name") ?? "";
  const steps = (p as { workflow_job?: { steps?: unknown } }).workflow_job?.steps;
  return {
    version: 1,
    action,
    deliveryId: delivery.id,
    receivedAt: receivedAt.toISOString(),
    environment: decision.environment,
    codebuild: decision.codebuild,
    runners: decision.runners,
    concurrency: decision.concurrency,
    ...(unrouted === undefined ? {} : { unrouted: unrouted.slice(0, 1000) }),
    job: {
      id: key.jobId,
      runId: key.runId,
      runAttempt: key.runAttempt,
      name: stringAt(p, "workflow_job", "name"),
      workflowName: stringAt(p, "workflow_job", "workflow_name"),
      labels: decision.labels,
      repository,
      owner: stringAt(p, "repository", "owner", "login") ?? repository.split("/")[0] ?? "",
      repo: stringAt(p, "repository", "name") ?? repository.split("/")[1] ?? "",
      headBranch: stringAt(p, "workflow_job", "head_branch"),
      headSha: stringAt(p, "workflow_job", "head_sha"),
      htmlUrl: stringAt(p, "workflow_job", "html_url"),
      runUrl: stringAt(p, "workflow_job", "run_url"),
      installationId: numberAt(p, "installation", "id"),
      runnerName: stringAt(p, "workflow_job", "runner_name"),
      conclusion: stringAt(p, "workflow_job", "conclusion"),
      steps: Array.isArray(steps) ? steps.slice(0, MAX_STEPS).flatMap(toStep) : [],
    },
  };
}

function toStep(step: unknown): JobStep[] {
  const name = stringAt(step, "name");
  const number = numberAt(step, "number");
  if (name === undefined || number === undefined) return [];
  return [{ name: name.slice(0, 200), number, conclusion: stringAt(step, "conclusion") ?? null }];
}
