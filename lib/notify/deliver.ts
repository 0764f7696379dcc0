/**
 * Delivering one event: into its thread (bot mode) or as a message of its own (webhook mode).
 *
 * In a thread, the order of the steps is what makes concurrent, repeated and rate-limited
 * deliveries safe:
 * 1. find the thread, or open it (post the parent, then a conditional create; the loser deletes
 *    its own parent and uses the winner's);
 * 2. drop an event the thread has already applied (a redelivery);
 * 3. update the parent if its rendering changes (idempotent: safe to repeat after a 429);
 * 4. post the reply (the one step that is not idempotent, so the last one before saving);
 * 5. save the state conditionally on the version read. On a conflict, re-read and redo 3 and 5;
 *    a writer that updated the parent and then lost the race updates it again from the winner's
 *    state, since its own update may have landed after the winner's. So whoever saves last has
 *    drawn the parent last, and the parent ends showing the newest state.
 * A crash between 4 and 5 redelivers the event and posts its reply twice: a duplicate, not a loss.
 */
import { createHash } from "node:crypto";
import type { NotifyConfig } from "../config/notify-schema.ts";
import { logger } from "../observability/logger.ts";
import { NotifyError, SlackRejectedError } from "./errors.ts";
import type { NotificationEvent } from "./events.ts";
import type { SlackMessage } from "./render/blocks.ts";
import { renderParent } from "./render/parent.ts";
import { renderReply } from "./render/replies.ts";
import { renderStandalone } from "./render/standalone.ts";
import { applyEvent, isFailure, newSubject, statusOf } from "./thread-state.ts";
import type { ThreadRecord, ThreadStore } from "./thread-store.ts";
import type { SlackThreads, SlackWebhook } from "./transport/types.ts";

/** Event ids remembered per thread for deduplication (a run's events stay well under this). */
const SEEN_LIMIT = 300;
/** Conflicting writers retried before the record is given back to the queue. */
const MAX_CONFLICTS = 8;
/** Replies always shown in the channel too (Slack's `reply_broadcast`). */
const ALERTS: ReadonlySet<NotificationEvent["type"]> = new Set(["job.foreign"]);

export type DeliveryOutcome = "posted" | "duplicate" | "skipped";

export interface ThreadDeps {
  store: ThreadStore;
  slack: SlackThreads;
  settings: NotifyConfig;
  now?: () => Date;
}

/** A short digest of a rendered message. */
export function digest(msg: SlackMessage): string {
  return createHash("sha256").update(JSON.stringify(msg)).digest("base64url").slice(0, 22);
}

/**
 * Deliver an event into its run's or deployment's thread.
 *
 * @example
 * await deliverToThread(event, { store: dynamoThreadStore(), slack: botTransport({ token, redactor }), settings });
 */
export async function deliverToThread(event: NotificationEvent, deps: ThreadDeps): Promise<DeliveryOutcome> {
  const { store, slack, settings } = deps;
  let base = (await store.get(event.thread)) ?? (await openThread(event, deps));
  if (base.seen.includes(event.id)) return "duplicate";

  let replied = false;
  let mayBeStale = false;
  for (let attempt = 0; ; attempt++) {
    // After a lost race the event may be in the winner's state already: then only the parent is redrawn.
    const applied = base.seen.includes(event.id);
    if (applied && !mayBeStale) return replied ? "posted" : "duplicate";
    const next = applied ? { ...base, version: base.version + 1 } : advance(base, event, deps);
    const parent = renderParent(next.subject);
    next.shown = digest(parent);
    const updating: boolean = mayBeStale || next.shown !== base.shown;
    if (updating && (await slack.update(next.channel, next.ts, parent)) === "gone") await reopen(next, parent, deps);
    if (!applied && !replied && settings.replyEvents.includes(event.type)) {
      const failsNow = isFailure(next.status) && !base.failureAnnounced;
      const reply = renderReply(event, failsNow && settings.mentionOnFailure ? { mention: settings.mentionOnFailure } : {});
      // An alert is also shown in the channel, whatever broadcastFailures says: it must not be missed.
      const options = { threadTs: next.ts, broadcast: ALERTS.has(event.type) || (failsNow && settings.broadcastFailures) };
      try {
        await slack.post(next.channel, reply, options);
      } catch (error) {
        if (!(error instanceof SlackRejectedError && error.code === "thread_not_found")) throw error;
        await reopen(next, parent, deps);
        await slack.post(next.channel, reply, { ...options, threadTs: next.ts });
      }
      replied = true;
    }
    if (await store.save(next, base.version)) return applied && !replied ? "duplicate" : "posted";
    if (attempt >= MAX_CONFLICTS) throw new NotifyError(`thread ${event.thread} kept changing while saving; the event is retried from the queue`);
    mayBeStale ||= updating;
    const fresh = await store.get(event.thread);
    if (!fresh) throw new NotifyError(`thread ${event.thread} disappeared while saving; the event is retried from the queue`);
    base = fresh;
  }
}

/**
 * Someone deleted the parent in Slack: post it again and carry on in the new thread, rather than
 * failing every later event of the run into the dead-letter queue.
 */
async function reopen(next: ThreadRecord, parent: SlackMessage, deps: ThreadDeps): Promise<void> {
  logger.warn("The thread's parent was deleted in Slack; posting it again", { thread: next.key });
  const posted = await deps.slack.post(next.channel, parent);
  next.channel = posted.channel;
  next.ts = posted.ts;
}

/** The thread's next record: the event applied, remembered, and the failure flag kept. */
function advance(base: ThreadRecord, event: NotificationEvent, deps: ThreadDeps): ThreadRecord {
  const subject = applyEvent(base.subject, event);
  const status = statusOf(subject);
  return {
    ...base,
    subject,
    status,
    version: base.version + 1,
    seen: [...base.seen, event.id].slice(-SEEN_LIMIT),
    failureAnnounced: base.failureAnnounced || isFailure(status),
    expiresAt: expiry(deps),
  };
}

/**
 * Post the parent and record the thread. The parent is drawn with the event already applied, and
 * `shown` says so, so the event's own step 4 needs no update.
 */
async function openThread(event: NotificationEvent, deps: ThreadDeps): Promise<ThreadRecord> {
  const { store, slack, settings } = deps;
  const subject = newSubject(event);
  const parent = renderParent(applyEvent(subject, event));
  const posted = await slack.post(event.channel ?? settings.defaultChannel, parent);
  const record: ThreadRecord = {
    key: event.thread,
    channel: posted.channel,
    ts: posted.ts,
    version: 0,
    status: statusOf(subject),
    subject,
    seen: [],
    failureAnnounced: false,
    shown: digest(parent),
    expiresAt: expiry(deps),
  };
  if (await store.create(record)) return record;
  // Another invocation opened the thread first: ours would be a second parent.
  await slack.remove(posted.channel, posted.ts).catch((error: unknown) => {
    logger.warn("Could not delete a duplicate parent message", { thread: event.thread, error: (error as Error).name });
  });
  const winner = await store.get(event.thread);
  if (!winner) throw new NotifyError(`thread ${event.thread} was created and is gone; the event is retried from the queue`);
  return winner;
}

function expiry(deps: ThreadDeps): number {
  const now = (deps.now?.() ?? new Date()).getTime();
  return Math.floor(now / 1000) + deps.settings.threadRetentionDays * 86_400;
}

/**
 * Deliver an event as a message of its own (webhook mode), if the configuration lists its type.
 */
export async function deliverStandalone(event: NotificationEvent, deps: { slack: SlackWebhook; settings: NotifyConfig }): Promise<DeliveryOutcome> {
  if (!deps.settings.webhookEvents.includes(event.type)) return "skipped";
  const failed =
    (event.type === "job.completed" && !["success", "skipped", "neutral"].includes(event.conclusion)) ||
    (event.type === "run.completed" && event.conclusion === "failure") ||
    (event.type === "deploy.finished" && event.outcome !== "succeeded");
  await deps.slack.send(renderStandalone(event, failed && deps.settings.mentionOnFailure ? { mention: deps.settings.mentionOnFailure } : {}));
  return "posted";
}
