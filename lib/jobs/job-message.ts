/**
 * The message the webhook function puts on the job queue for every `workflow_job` delivery that
 * routing gave to an environment. `queued` asks for a launch; `in_progress` and `completed` record
 * which runner took the job and how it ended. The consumer validates what it reads with
 * `jobMessageSchema` (job-message-schema.ts), which is checked against this type at compile time,
 * so producer and consumer cannot disagree silently; the producer (the webhook) needs no schema
 * library at cold start.
 */
import type { JobFacts } from "../github/job-facts.ts";
import type { JobKey } from "../github/workflow-job.ts";
import type { RoutedDecision, RunnerPlacement } from "../routing/decision.ts";

export const JOB_ACTIONS = ["queued", "in_progress", "completed"] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];

export type { JobStep } from "../github/job-facts.ts";

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
  /** The delivery's facts the launcher needs (lib/github/job-facts.ts), with its key and its routed labels. */
  job: Pick<JobFacts, "name" | "workflowName" | "headBranch" | "headSha" | "htmlUrl" | "runUrl" | "installationId" | "runnerName" | "conclusion" | "createdAt" | "startedAt" | "steps"> & {
    id: number;
    runId: number;
    runAttempt: number;
    labels: string[];
    repository: string;
    owner: string;
    repo: string;
  };
}

/** True for the actions that the queue carries. */
export function isJobAction(action: string | undefined): action is JobAction {
  return (JOB_ACTIONS as readonly string[]).includes(action ?? "");
}

/**
 * Build the queue message for a routed delivery: a compact snapshot of the job, so the consumer
 * never needs the (up to 25 MB) original body. `job` is the delivery's facts, read once where it
 * entered (lib/github/job-facts.ts).
 */
export function jobMessage(deliveryId: string, action: JobAction, job: JobFacts, key: JobKey, decision: RoutedDecision, receivedAt: Date, unrouted?: string): JobMessage {
  const repository = job.repository ?? "";
  return {
    version: 1,
    action,
    deliveryId,
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
      name: job.name,
      workflowName: job.workflowName,
      labels: decision.labels,
      repository,
      owner: job.ownerLogin ?? repository.split("/")[0] ?? "",
      repo: job.repositoryName ?? repository.split("/")[1] ?? "",
      headBranch: job.headBranch,
      headSha: job.headSha,
      htmlUrl: job.htmlUrl,
      runUrl: job.runUrl,
      installationId: job.installationId,
      runnerName: job.runnerName,
      conclusion: job.conclusion,
      createdAt: job.createdAt,
      startedAt: job.startedAt,
      steps: job.steps,
    },
  };
}
