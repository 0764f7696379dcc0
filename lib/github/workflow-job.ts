/**
 * The `workflow_job` delivery as GitHub's own schema types it (via @octokit/webhooks), plus the
 * few reads Runway needs, written so that a real payload's missing or null fields (older GitHub
 * Enterprise Server has no `workflow_name`; `run_attempt`, `runner_name`, `conclusion` may be
 * absent) never throw.
 */
import type { EmitterWebhookEvent } from "@octokit/webhooks";

export type WorkflowJobEvent = EmitterWebhookEvent<"workflow_job">["payload"];
export type WorkflowJobAction = WorkflowJobEvent["action"];

/** The identity of one attempt at one job: at most one runner build exists per key. */
export interface JobKey {
  jobId: number;
  runId: number;
  runAttempt: number;
}

/** A string field of an unknown-shaped object, or undefined when it is missing, null or not a string. */
export function stringAt(value: unknown, ...path: string[]): string | undefined {
  let current: unknown = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === "string" ? current : undefined;
}

/** A finite number field of an unknown-shaped object, or undefined. */
export function numberAt(value: unknown, ...path: string[]): number | undefined {
  let current: unknown = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === "number" && Number.isFinite(current) ? current : undefined;
}

/** The job's `runs-on` labels; an absent or malformed list reads as none. */
export function jobLabels(payload: unknown): string[] {
  const labels = (payload as { workflow_job?: { labels?: unknown } } | null)?.workflow_job?.labels;
  return Array.isArray(labels) ? labels.filter((l): l is string => typeof l === "string") : [];
}

/**
 * The job's key, or undefined when the payload lacks a job or run id. A missing `run_attempt`
 * means the first attempt, which is what GitHub omitted it for.
 */
export function jobKey(payload: unknown): JobKey | undefined {
  const jobId = numberAt(payload, "workflow_job", "id");
  const runId = numberAt(payload, "workflow_job", "run_id");
  if (jobId === undefined || runId === undefined) return undefined;
  return { jobId, runId, runAttempt: numberAt(payload, "workflow_job", "run_attempt") ?? 1 };
}
