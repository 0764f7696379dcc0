/**
 * The notify settings' names and defaults, without the schema library: the Slack notifier reads
 * them at run time (when runway.yml has no `notify:` key) and must not carry zod for that.
 * lib/config/notify-schema.ts validates the file against the same values.
 */
import type { NotifyConfig } from "./notify-schema.ts";

/** Every notification event type, in the order a run or a deployment produces them. */
export const NOTIFICATION_TYPES = [
  "run.queued",
  "job.queued",
  "job.refused",
  "job.launched",
  "job.started",
  "job.foreign",
  "job.completed",
  "build.finished",
  "run.completed",
  "deploy.started",
  "deploy.verdict",
  "deploy.finished",
  "deploy.protection",
] as const;

export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Events that open a thread: they are the parent message, so they get no reply of their own. */
const PARENT_ONLY: readonly NotificationType[] = ["run.queued", "deploy.started"];

/** The settings in force for every key runway.yml's `notify:` leaves out. */
export const NOTIFY_DEFAULTS = {
  defaultChannel: "#runway",
  mode: "bot",
  /** Seconds (the file says "24h"). */
  artifactLinkExpiry: 86_400,
  broadcastFailures: false,
  replyEvents: NOTIFICATION_TYPES.filter((type) => !PARENT_ONLY.includes(type)),
  /** Webhook mode has no threads: only what a person needs to act on. */
  webhookEvents: ["job.refused", "job.foreign", "job.completed", "build.finished", "run.completed", "deploy.verdict", "deploy.finished", "deploy.protection"] as NotificationType[],
  threadRetentionDays: 30,
} as const satisfies Record<string, unknown>;

/** The settings in force when runway.yml has no `notify:` key. */
export function notifyDefaults(): NotifyConfig {
  return { ...NOTIFY_DEFAULTS, replyEvents: [...NOTIFY_DEFAULTS.replyEvents], webhookEvents: [...NOTIFY_DEFAULTS.webhookEvents] };
}
