/**
 * A local Slack: enough of the Web API (`auth.test`, `chat.postMessage`, `chat.update`,
 * `chat.delete`, `conversations.info`) and of incoming webhooks for Runway's notifier to run
 * unchanged against it, plus a page showing the threads as Slack would.
 *
 * Mounted on the local server's port by whoever owns it:
 *   POST /slack/api/<method>   the Web API (SLACK_API_URL=http://127.0.0.1:PORT/slack/api/)
 *   POST /slack/webhook        an incoming webhook (SLACK_WEBHOOK_URL=http://127.0.0.1:PORT/slack/webhook)
 *   GET  /slack                the page; GET /slack/threads.json the same as JSON
 *
 * Tests inject faults through `failures`: 429 with Retry-After for the next calls, or Slack down.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { renderPage } from "./page.ts";
import { formatEvent } from "./print.ts";
import { blockProblems } from "./validate.ts";
import { callMethod, type MessageEvent } from "./web-api.ts";
import { Workspace, type FakeMessage, type FakeThread, type ReceivedRequest } from "./workspace.ts";

export type { FakeMessage, FakeThread, ReceivedRequest } from "./workspace.ts";

const MAX_BODY = 1_000_000;

export interface SlackFakeOptions {
  /** Print each message for a terminal: `true` for stdout, or a function taking each line. */
  print?: boolean | ((line: string) => void);
  /** Bot tokens accepted; by default any `xoxb-…` token. */
  tokens?: string[];
  /** Where incoming-webhook messages appear. */
  webhookChannel?: string;
  /** Mount point; `/slack` by default. */
  basePath?: string;
}

export interface SlackFailures {
  /** Answer the next `count` calls with 429 and `Retry-After: retryAfterSeconds`. */
  rateLimit(count: number, retryAfterSeconds: number): void;
  /** Answer the next `count` calls (all of them by default) with `status` (503): Slack is down. */
  down(count?: number, status?: number): void;
  /** Back to normal. */
  clear(): void;
}

export interface SlackFake {
  /** Handle a request under the mount point; false when it is not the fake's. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  threads(): FakeThread[];
  /** What a channel (name or ID) shows: its messages and the thread replies also sent to it. */
  channel(channel: string): FakeMessage[];
  /** Messages as they stand now (updated parents show their latest content). */
  messages(): FakeMessage[];
  /** Every call received, answered or refused, with its decoded arguments and raw body. */
  requests(): ReceivedRequest[];
  failures: SlackFailures;
  /** Forget every message, request and fault. */
  reset(): void;
}

type Fault = { remaining: number; status: number; retryAfter?: number };

/**
 * Create the fake.
 *
 * @example
 * const slack = createSlackFake({ print: true });
 * createServer((req, res) => { if (!slack.handle(req, res)) { res.statusCode = 404; res.end(); } }).listen(3000);
 */
export function createSlackFake(options: SlackFakeOptions = {}): SlackFake {
  const base = (options.basePath ?? "/slack").replace(/\/$/, "");
  const print = options.print === true ? (line: string) => console.log(line) : options.print || undefined;
  let workspace = new Workspace();
  let faults: Fault[] = [];
  const acceptsToken = (token: string) => (options.tokens ? options.tokens.includes(token) : /^xoxb-[\w-]+$/.test(token));
  const emit = (event: MessageEvent) => {
    if (print) for (const line of formatEvent(event)) print(line);
  };

  const nextFault = (): Fault | undefined => {
    faults = faults.filter((f) => f.remaining > 0);
    const fault = faults[0];
    if (fault) fault.remaining -= 1;
    return fault;
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const send = (status: number, body: string, type: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers });
      res.end(body);
    };
    if (req.method === "GET" && (path === "" || path === "/")) return send(200, renderPage(workspace.threads()), "text/html; charset=utf-8");
    if (req.method === "GET" && path === "/threads.json") return send(200, JSON.stringify(workspace.threads(), null, 2), "application/json");
    const isApi = path.startsWith("/api/");
    const isWebhook = path === "/webhook" || path.startsWith("/webhook/");
    if (req.method !== "POST" || (!isApi && !isWebhook)) return send(404, "not found", "text/plain");

    const rawBody = await readBody(req);
    const method = isApi ? path.slice(5) : "webhook";
    const { args, malformed } = decode(req.headers["content-type"] ?? "", rawBody);
    const record = (status: number, error?: string) => workspace.requests.push({ method, status, ...(error ? { error } : {}), args, rawBody });

    const fault = nextFault();
    if (fault) {
      record(fault.status, fault.status === 429 ? "ratelimited" : "service_unavailable");
      if (fault.status === 429) {
        const body = isApi ? JSON.stringify({ ok: false, error: "ratelimited" }) : "rate_limited";
        return send(429, body, isApi ? "application/json" : "text/plain", { "retry-after": String(fault.retryAfter ?? 1) });
      }
      return send(fault.status, "<html><body>Slack is unavailable</body></html>", "text/html");
    }

    if (isWebhook) {
      const answer = webhook(args, malformed);
      record(answer.status, answer.status === 200 ? undefined : answer.body);
      return send(answer.status, answer.body, "text/plain");
    }
    if (malformed) {
      record(200, malformed);
      return send(200, JSON.stringify({ ok: false, error: malformed }), "application/json");
    }
    const token = bearer(req.headers.authorization) ?? (typeof args.token === "string" ? args.token : undefined);
    const pageUrl = `http://${req.headers.host ?? "127.0.0.1"}${base}`;
    const answer = callMethod(method, { workspace, args, token, acceptsToken, emit, pageUrl });
    record(200, answer.body.ok ? undefined : String(answer.body.error));
    return send(200, JSON.stringify(answer.body), "application/json; charset=utf-8");
  };

  const webhook = (args: Record<string, unknown>, malformed: string | undefined): { status: number; body: string } => {
    if (malformed) return { status: 400, body: "invalid_payload" };
    const blocks = args.blocks ?? [];
    if (blockProblems(blocks).length > 0) return { status: 400, body: "invalid_blocks" };
    if (typeof args.text !== "string" || args.text === "") {
      if ((blocks as unknown[]).length === 0) return { status: 400, body: "no_text" };
    }
    const channel = workspace.channelFor(options.webhookChannel ?? "#incoming-webhook");
    const message: FakeMessage = {
      channel,
      channelName: workspace.nameOf(channel),
      ts: workspace.nextTs(),
      text: typeof args.text === "string" ? args.text : "",
      blocks: blocks as unknown[],
      via: "webhook",
      edits: 0,
      broadcast: false,
    };
    workspace.messages.push(message);
    emit({ kind: "webhook", message });
    return { status: 200, body: "ok" };
  };

  return {
    handle(req, res) {
      const path = new URL(req.url ?? "/", "http://fake").pathname;
      if (path !== base && !path.startsWith(`${base}/`)) return false;
      serve(req, res, path.slice(base.length)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`slack fake: ${(error as Error).message}`);
      });
      return true;
    },
    threads: () => workspace.threads(),
    channel: (channel) => workspace.channelView(channel),
    messages: () => [...workspace.messages],
    requests: () => [...workspace.requests],
    failures: {
      rateLimit: (count, retryAfterSeconds) => void faults.push({ remaining: count, status: 429, retryAfter: retryAfterSeconds }),
      down: (count = Number.POSITIVE_INFINITY, status = 503) => void faults.push({ remaining: count, status }),
      clear: () => void (faults = []),
    },
    reset() {
      workspace = new Workspace();
      faults = [];
    },
  };
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  return match?.[1];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Slack takes form-encoded or JSON bodies; anything else is `invalid_form_data`. */
function decode(contentType: string, body: string): { args: Record<string, unknown>; malformed?: string } {
  if (contentType.startsWith("application/json")) {
    try {
      const parsed: unknown = JSON.parse(body || "{}");
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return { args: parsed as Record<string, unknown> };
    } catch {
      // fall through
    }
    return { args: {}, malformed: "invalid_json" };
  }
  if (contentType.startsWith("application/x-www-form-urlencoded") || body === "") {
    return { args: Object.fromEntries(new URLSearchParams(body)) };
  }
  return { args: {}, malformed: "invalid_form_data" };
}
