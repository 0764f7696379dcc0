/**
 * The two ways of reaching Slack. Both scrub every payload before it leaves (the one place
 * messages leave, so the one place the scrubber cannot be forgotten) and turn Slack's answers into
 * Runway's errors: `SlackRateLimitedError`, `SlackUnavailableError`, `SlackRejectedError`.
 */
import type { SlackMessage } from "../render/blocks.ts";

export interface PostOptions {
  /** Reply in this thread. */
  threadTs?: string;
  /** Also show the reply in the channel. */
  broadcast?: boolean;
}

/** Bot-token transport: threads, updates in place. */
export interface SlackThreads {
  /** Post a message; `channel` in the answer is the channel's ID, which updates need. */
  post(channel: string, msg: SlackMessage, options?: PostOptions): Promise<{ channel: string; ts: string }>;
  /** Rewrite a message; `gone` when it was deleted in Slack meanwhile. */
  update(channel: string, ts: string, msg: SlackMessage): Promise<"updated" | "gone">;
  /** Delete a message the bot posted. */
  remove(channel: string, ts: string): Promise<void>;
}

/** Incoming-webhook transport: one standalone message per call, into the webhook's own channel. */
export interface SlackWebhook {
  send(msg: SlackMessage): Promise<void>;
}

/** Slack error codes that say "try again later" rather than "this will never work". */
export const TRANSIENT_CODES = new Set(["internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org"]);

/** Error codes that mean the blocks, not the message, were refused: the text alone is sent instead. */
export const BLOCK_CODES = new Set(["invalid_blocks", "invalid_blocks_format", "msg_too_long", "invalid_arguments"]);
