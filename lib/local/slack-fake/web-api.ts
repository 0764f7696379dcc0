/**
 * The Web API methods Runway calls, answering as Slack does: HTTP 200 with `ok: true` and the
 * documented fields, or HTTP 200 with `ok: false` and Slack's error code (`invalid_auth`,
 * `channel_not_found`, `message_not_found`, `invalid_blocks` …).
 */
import { blockProblems } from "./validate.ts";
import type { FakeMessage, Workspace } from "./workspace.ts";

export type MessageEvent = { kind: "post" | "reply" | "update" | "delete" | "webhook"; message: FakeMessage };

export interface ApiAnswer {
  body: Record<string, unknown>;
}

export interface MethodContext {
  workspace: Workspace;
  args: Record<string, unknown>;
  token: string | undefined;
  acceptsToken(token: string): boolean;
  emit(event: MessageEvent): void;
  pageUrl: string;
}

const fail = (error: string, extra: Record<string, unknown> = {}): ApiAnswer => ({ body: { ok: false, error, ...extra } });

/** Form fields arrive as strings: `blocks` as JSON text, booleans as "true"/"1". */
function parseBlocks(value: unknown): { blocks: unknown[] } | { problems: string[] } {
  if (value === undefined || value === "") return { blocks: [] };
  let blocks = value;
  if (typeof value === "string") {
    try {
      blocks = JSON.parse(value);
    } catch {
      return { problems: ["[ERROR] invalid JSON [json-pointer:/blocks]"] };
    }
  }
  const problems = blockProblems(blocks);
  return problems.length > 0 ? { problems } : { blocks: blocks as unknown[] };
}

const flag = (value: unknown) => value === true || value === "true" || value === "1";
const str = (value: unknown) => (typeof value === "string" ? value : typeof value === "number" ? String(value) : "");

/** Text and blocks of a message, or the error Slack would give. */
function content(args: Record<string, unknown>): { text: string; blocks: unknown[] } | ApiAnswer {
  const parsed = parseBlocks(args.blocks);
  if ("problems" in parsed) return fail("invalid_blocks", { response_metadata: { messages: parsed.problems } });
  const text = str(args.text);
  if (!text && parsed.blocks.length === 0) return fail("no_text");
  if (text.length > 40_000) return fail("msg_too_long");
  return { text, blocks: parsed.blocks };
}

/** Run one Web API method. */
export function callMethod(method: string, ctx: MethodContext): ApiAnswer {
  if (!ctx.token) return fail("not_authed");
  if (!ctx.acceptsToken(ctx.token)) return fail("invalid_auth");
  const { workspace, args } = ctx;
  switch (method) {
    case "auth.test":
      return { body: { ok: true, url: ctx.pageUrl, team: "Runway (local)", user: "runway", team_id: "T0LOCAL01", user_id: "U0RUNWAY1", bot_id: "B0RUNWAY1" } };

    case "conversations.info": {
      const id = workspace.resolve(str(args.channel));
      if (!id) return fail("channel_not_found");
      return { body: { ok: true, channel: { id, name: workspace.nameOf(id).slice(1), is_channel: true, is_member: true } } };
    }

    case "chat.postMessage": {
      const channel = workspace.resolve(str(args.channel));
      if (!channel) return fail("channel_not_found");
      const body = content(args);
      if ("body" in body) return body;
      const threadTs = str(args.thread_ts) || undefined;
      if (threadTs) {
        const parent = workspace.find(channel, threadTs);
        if (!parent) return fail("thread_not_found");
        if (parent.threadTs) return fail("invalid_thread_ts", { detail: "reply to the thread's parent, not to a reply" });
      }
      const message: FakeMessage = {
        channel,
        channelName: workspace.nameOf(channel),
        ts: workspace.nextTs(),
        ...(threadTs ? { threadTs } : {}),
        ...body,
        via: "web-api",
        edits: 0,
        broadcast: !!threadTs && flag(args.reply_broadcast),
      };
      workspace.messages.push(message);
      ctx.emit({ kind: threadTs ? "reply" : "post", message });
      return { body: { ok: true, channel, ts: message.ts, message: { type: "message", text: message.text, ts: message.ts, ...(threadTs ? { thread_ts: threadTs } : {}) } } };
    }

    case "chat.update": {
      // chat.update takes the channel's ID only: a name is not found.
      const channelArg = str(args.channel);
      if (!workspace.isChannelId(channelArg)) return fail("channel_not_found");
      const message = workspace.find(channelArg, str(args.ts));
      if (!message) return fail("message_not_found");
      const body = content(args);
      if ("body" in body) return body;
      message.text = body.text;
      message.blocks = body.blocks;
      message.edits += 1;
      ctx.emit({ kind: "update", message });
      return { body: { ok: true, channel: message.channel, ts: message.ts, text: message.text } };
    }

    case "chat.delete": {
      const channelArg = str(args.channel);
      if (!workspace.isChannelId(channelArg)) return fail("channel_not_found");
      const message = workspace.find(channelArg, str(args.ts));
      if (!message) return fail("message_not_found");
      workspace.remove(message);
      ctx.emit({ kind: "delete", message });
      return { body: { ok: true, channel: message.channel, ts: message.ts } };
    }

    default:
      return fail("unknown_method");
  }
}
