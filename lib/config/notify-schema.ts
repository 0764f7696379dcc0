/**
 * Slack notification settings: the `notify:` key of runway.yml. Each environment picks its own
 * channel (`environments.<env>.slack.channel`); everything here applies to all of them.
 *
 * Where the Slack credentials come from is not configuration but deployment (env vars naming SSM
 * parameters), so this file never holds a secret.
 */
import * as z from "zod";
import { NOTIFICATION_TYPES, NOTIFY_DEFAULTS } from "./notify-defaults.ts";

export { NOTIFICATION_TYPES, notifyDefaults, type NotificationType } from "./notify-defaults.ts";

const UNITS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** SigV4 presigned URLs are valid for at most seven days. */
const MAX_PRESIGN_SECONDS = 7 * 86_400;

/** "90m", "24h", "7d" → seconds; presigned artifact links cannot outlive seven days. */
const duration = z
  .string()
  .regex(/^\d+[smhd]$/, "expected a duration like 30m, 24h or 7d")
  .transform((text, ctx) => {
    const seconds = Number(text.slice(0, -1)) * UNITS[text.slice(-1) as keyof typeof UNITS];
    if (seconds < 60 || seconds > MAX_PRESIGN_SECONDS) {
      ctx.addIssue({ code: "custom", message: "artifact links must last between 1m and 7d (the limit of an S3 presigned URL)" });
      return z.NEVER;
    }
    return seconds;
  });

/**
 * Who to wake when a run or deployment fails: `@here`, `@channel`, a user (`<@U0123>`) or a user
 * group (`<!subteam^S0123>`). Plain `@name` cannot be resolved by Slack and is refused.
 */
const mention = z
  .string()
  .regex(/^(@here|@channel|<@[UW][A-Z0-9]+>|<!subteam\^[A-Z0-9]+>)$/, "expected @here, @channel, <@U0123ABC> or <!subteam^S0123ABC>");

const eventType = z.enum(NOTIFICATION_TYPES);

export const notifySchema = z.strictObject({
  /** Where events of an environment without `slack.channel` go (a name like `#deploys` or an ID). */
  defaultChannel: z.string().min(1).default(NOTIFY_DEFAULTS.defaultChannel),
  /** `bot`: a bot token, one thread per run. `webhook`: an incoming webhook, one message per event. */
  mode: z.enum(["bot", "webhook"]).default(NOTIFY_DEFAULTS.mode),
  /** How long presigned artifact links work, in seconds after parsing ("24h" in the file). */
  artifactLinkExpiry: duration.prefault("24h"),
  /** Mentioned once in the thread, on the reply that turns the run or deployment red. */
  mentionOnFailure: mention.optional(),
  /** Also show the failure reply in the channel ("Also send to #channel"). */
  broadcastFailures: z.boolean().default(NOTIFY_DEFAULTS.broadcastFailures),
  /** Which events get a reply in the thread (the parent is updated by every event regardless). */
  replyEvents: z.array(eventType).default([...NOTIFY_DEFAULTS.replyEvents]),
  /** Which events are posted in webhook mode, where every event is a message of its own. */
  webhookEvents: z.array(eventType).default([...NOTIFY_DEFAULTS.webhookEvents]),
  /** How long a thread's record is kept; a run's events after that open a new thread. */
  threadRetentionDays: z.number().int().min(1).max(365).default(NOTIFY_DEFAULTS.threadRetentionDays),
});

export type NotifyConfig = z.infer<typeof notifySchema>;
