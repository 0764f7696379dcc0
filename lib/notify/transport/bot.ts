/**
 * Slack through its Web API with a bot token (`@slack/web-api`). The base URL comes from
 * `SLACK_API_URL`, which is how the local fake is reached: there is no local branch.
 *
 * Rate limits: the client is told to reject a 429 at once (`rejectRateLimitedCalls`) instead of
 * pausing its queue for `Retry-After` and retrying on its own. Inside a Lambda a sleep of unknown
 * length eats the invocation's timeout: if it runs out mid-batch, every record of the batch comes
 * back, including the ones already posted. The consumer decides instead: wait a short
 * `Retry-After` in place, put the record back on the queue for a long one.
 */
import { ErrorCode, LogLevel, WebClient, type Logger as SlackLogger, type WebAPICallResult } from "@slack/web-api";
import { logger } from "../../observability/logger.ts";
import { SlackRateLimitedError, SlackRejectedError, SlackUnavailableError } from "../errors.ts";
import { dropBrokenLinks, type SlackMessage } from "../render/blocks.ts";
import type { Redactor } from "../redact.ts";
import { BLOCK_CODES, TRANSIENT_CODES, type PostOptions, type SlackThreads } from "./types.ts";

export const DEFAULT_SLACK_API_URL = "https://slack.com/api/";

export interface BotTransportOptions {
  token: string;
  redactor: Redactor;
  /** Defaults to `SLACK_API_URL`, else Slack's own. */
  apiUrl?: string;
  /** Per request; a hung connection must not eat the invocation. */
  timeoutMs?: number;
}

/** The client's own log lines go through Runway's logger (it never logs tokens or bodies above debug). */
const slackLogger: SlackLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (...msg: unknown[]) => logger.warn("Slack client", { detail: msg.map(String).join(" ") }),
  error: (...msg: unknown[]) => logger.error("Slack client", { detail: msg.map(String).join(" ") }),
  setLevel: () => undefined,
  getLevel: () => LogLevel.WARN,
  setName: () => undefined,
};

/**
 * A Slack transport posting with a bot token.
 *
 * @example
 * const slack = botTransport({ token, redactor: createRedactor([token]) });
 * const { channel, ts } = await slack.post("#deploys", renderParent(subject));
 * await slack.post(channel, renderReply(event), { threadTs: ts });
 */
export function botTransport(options: BotTransportOptions): SlackThreads {
  const client = new WebClient(options.token, {
    slackApiUrl: options.apiUrl ?? process.env.SLACK_API_URL ?? DEFAULT_SLACK_API_URL,
    rejectRateLimitedCalls: true,
    // Two quick retries for a dropped connection or a 5xx; anything longer is the queue's job.
    retryConfig: { retries: 2, factor: 2, minTimeout: 100, maxTimeout: 500, randomize: true },
    timeout: options.timeoutMs ?? 5_000,
    logger: slackLogger,
    allowAbsoluteUrls: false,
  });
  const call = async (method: string, args: Record<string, unknown>): Promise<WebAPICallResult & Record<string, unknown>> => {
    try {
      return (await client.apiCall(method, args)) as WebAPICallResult & Record<string, unknown>;
    } catch (error) {
      throw toNotifyError(error, method);
    }
  };
  /** Send a message; when Slack refuses its blocks, send the text alone rather than nothing. */
  const send = async (method: string, args: Record<string, unknown>, msg: SlackMessage) => {
    const clean = dropBrokenLinks(options.redactor.payload(msg));
    try {
      return await call(method, { ...args, text: clean.text, blocks: clean.blocks });
    } catch (error) {
      if (!(error instanceof SlackRejectedError) || !BLOCK_CODES.has(error.code)) throw error;
      logger.warn("Slack refused the blocks; sending the text alone", { method, code: error.code });
      return call(method, { ...args, text: clean.text });
    }
  };

  return {
    async post(channel: string, msg: SlackMessage, postOptions: PostOptions = {}) {
      const args: Record<string, unknown> = { channel, unfurl_links: false, unfurl_media: false };
      if (postOptions.threadTs) args.thread_ts = postOptions.threadTs;
      if (postOptions.threadTs && postOptions.broadcast) args.reply_broadcast = true;
      const result = await send("chat.postMessage", args, msg);
      return { channel: String(result.channel ?? channel), ts: String(result.ts) };
    },
    async update(channel: string, ts: string, msg: SlackMessage) {
      try {
        await send("chat.update", { channel, ts }, msg);
        return "updated";
      } catch (error) {
        if (error instanceof SlackRejectedError && (error.code === "message_not_found" || error.code === "cant_update_message")) return "gone";
        throw error;
      }
    },
    async remove(channel: string, ts: string) {
      await call("chat.delete", { channel, ts });
    },
  };
}

/** Slack's errors as Runway's, keeping only what is safe to log. */
export function toNotifyError(error: unknown, method: string): Error {
  const coded = error as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string; response_metadata?: { retryAfter?: number } } };
  switch (coded.code) {
    case ErrorCode.RateLimitedError:
      return new SlackRateLimitedError(coded.retryAfter ?? 1, { cause: error });
    case ErrorCode.HTTPError:
      return new SlackUnavailableError(`Slack answered HTTP ${coded.statusCode} to ${method}; the notification is retried from the queue`);
    case ErrorCode.RequestError:
      return new SlackUnavailableError(`Slack could not be reached for ${method}; the notification is retried from the queue`, { cause: error });
    case ErrorCode.PlatformError: {
      const code = coded.data?.error ?? "unknown_error";
      if (code === "ratelimited") return new SlackRateLimitedError(coded.data?.response_metadata?.retryAfter ?? 1);
      if (TRANSIENT_CODES.has(code)) return new SlackUnavailableError(`Slack answered ${code} to ${method}; the notification is retried from the queue`);
      return new SlackRejectedError(code, method);
    }
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}
