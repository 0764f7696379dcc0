/**
 * Thread keys and event ids: what producers need besides the event types, kept apart from the
 * zod schemas (events.ts) so that a producer's bundle (the webhook's, under its cold-start budget)
 * does not carry the schema library. Only types are imported from events.ts.
 */
import { createHash } from "node:crypto";
import type { z } from "zod";
import type { NotificationEvent, notificationSchema } from "./events.ts";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Input = z.input<typeof notificationSchema>;

/**
 * What a producer passes to `publish()`: an event without its bookkeeping. `id`, `at` and `thread`
 * are filled in (the id deterministically, so publishing the same fact twice posts it once).
 */
export type NotificationInput = DistributiveOmit<Input, "id" | "at" | "thread"> & { id?: string; at?: string };

/**
 * The input of one event type, for producers' builders.
 *
 * @example
 * const alert: NotificationInputOf<"job.foreign"> = { type: "job.foreign", run, runnerName, foreign, actions };
 */
export type NotificationInputOf<T extends NotificationInput["type"]> = Extract<NotificationInput, { type: T }>;

/** The thread of a workflow run: every attempt of the run shares it. */
export function runThreadKey(repository: string, runId: number): string {
  return `run:${repository}/${runId}`;
}

/** The thread of a CodeDeploy deployment. */
export function deploymentThreadKey(deploymentId: string): string {
  return `deployment:${deploymentId}`;
}

/** The thread an event belongs to, from the run or deployment it carries. */
export function threadKeyOf(event: NotificationInput | NotificationEvent): string {
  return "run" in event ? runThreadKey(event.run.repository, event.run.runId) : deploymentThreadKey(event.deployment.id);
}

/**
 * A stable id for a fact: the same job completing twice (a redelivered webhook) gets the same id,
 * a job's second attempt or a second build gets another.
 */
export function defaultEventId(event: NotificationInput): string {
  const thread = threadKeyOf(event);
  if ("deployment" in event) {
    if (event.type === "deploy.verdict") return `${thread}/${event.hook}/${event.verdict}`;
    if (event.type === "deploy.finished") return `${thread}/finished/${event.outcome}`;
    return `${thread}/started`;
  }
  const attempt = `${thread}@${event.run.runAttempt ?? 1}`;
  switch (event.type) {
    case "run.queued":
    case "run.completed":
      return `${attempt}/${event.type}`;
    case "build.finished":
      return `${thread}/build:${event.build.id}/finished`;
    case "job.launched":
      return `${attempt}/job:${event.job.id}/launched/${event.build.id}`;
    case "job.foreign":
      // One alert per runner and job it was handed, whichever delivery told of it.
      return `${attempt}/runner:${event.runnerName}/foreign:${event.foreign.id}`;
    case "deploy.protection":
      // One answer per waiting job (its deployment) and outcome; an answer GitHub did not take is another fact.
      return `${thread}/protection:${event.environment.toLowerCase()}:${event.deploymentId ?? event.run.sha ?? "run"}/${event.state}${event.delivered === false ? "/undelivered" : ""}`;
    case "job.refused":
      // A job refused for a new reason (parked, then refused again once replayed) is a new fact.
      return `${attempt}/job:${event.job.id}/refused/${shortHash(event.reason)}`;
    default:
      return `${attempt}/job:${event.job.id}/${event.type}`;
  }
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 12);
}
