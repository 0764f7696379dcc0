/**
 * `GET /slack`: the fake workspace as a person would see it in Slack, one section per channel,
 * each thread as its parent (with its status and whether it was edited) and its replies.
 * Server-rendered, no script, no external asset (the local stack runs without internet); the page
 * reloads itself every few seconds.
 */
import { html, messageToHtml } from "./blocks-html.ts";
import type { FakeMessage, FakeThread } from "./workspace.ts";

const REFRESH_SECONDS = 3;

const STATUSES = ["rolled back", "succeeded", "failed", "cancelled", "stopped", "running", "validating", "started", "queued"];

/** The status a parent announces in its fallback text ("…: running (dev)"), if any. */
export function statusOf(parent: FakeMessage): string | undefined {
  const text = parent.text.toLowerCase();
  let best: { status: string; at: number } | undefined;
  for (const status of STATUSES) {
    const at = text.lastIndexOf(status);
    if (at >= 0 && (!best || at > best.at)) best = { status, at };
  }
  return best?.status;
}

function time(ts: string): string {
  return new Date(Number(ts.split(".")[0]) * 1000).toISOString().slice(11, 19);
}

function messageHtml(message: FakeMessage, role: "parent" | "reply"): string {
  const edited = message.edits > 0 ? ` <span class="edited">(edited ${message.edits}×)</span>` : "";
  const broadcast = message.broadcast ? ` <span class="edited">also sent to the channel</span>` : "";
  return `<div class="message ${role}" data-ts="${html(message.ts)}"><div class="meta"><b>Runway</b> <span class="app">APP</span> <time>${time(message.ts)}</time>${edited}${broadcast}</div>${messageToHtml(message)}</div>`;
}

function threadHtml(thread: FakeThread): string {
  const status = statusOf(thread.parent);
  const badge = status ? `<span class="status ${html(status.replace(" ", "-"))}">${html(status)}</span>` : "";
  const replies = thread.replies.length > 0
    ? `<div class="replies"><div class="count">${thread.replies.length} ${thread.replies.length === 1 ? "reply" : "replies"}</div>${thread.replies.map((r) => messageHtml(r, "reply")).join("")}</div>`
    : "";
  return `<article class="thread" data-channel="${html(thread.channel)}" data-thread-ts="${html(thread.ts)}">${badge}${messageHtml(thread.parent, "parent")}${replies}</article>`;
}

/** A reply also sent to the channel: shown there too, under the thread it belongs to. */
function broadcastHtml(thread: FakeThread, reply: FakeMessage): string {
  const about = html(thread.parent.text.split("\n")[0] ?? "");
  return `<article class="broadcast" data-channel="${html(thread.channel)}" data-thread-ts="${html(thread.ts)}"><div class="meta">replied to a thread: ${about}</div>${messageHtml(reply, "reply")}</article>`;
}

/** A channel as Slack shows it, newest first: its threads and the replies sent to the channel too. */
function channelHtml(threads: FakeThread[]): string {
  const items = threads.flatMap((thread) => [
    { ts: thread.ts, html: threadHtml(thread) },
    ...thread.replies.filter((r) => r.broadcast).map((r) => ({ ts: r.ts, html: broadcastHtml(thread, r) })),
  ]);
  // Slack's ts are fixed-width (seconds.sequence), so they sort as text.
  return items.sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0)).map((item) => item.html).join("");
}

/** The whole page. */
export function renderPage(threads: FakeThread[]): string {
  const channels = new Map<string, FakeThread[]>();
  for (const thread of threads) channels.set(thread.channelName, [...(channels.get(thread.channelName) ?? []), thread]);
  const body = channels.size === 0
    ? `<p class="empty">No messages yet. Runway's notifications appear here as Slack would show them.</p>`
    : [...channels.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, list]) => `<section class="channel"><h2>${html(name)}</h2>${channelHtml(list)}</section>`)
        .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Runway · local Slack</title>
<style>
body{font:15px/1.46 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;background:#f8f8f8;color:#1d1c1d}
header{background:#3f0e40;color:#fff;padding:10px 20px;font-weight:700}header small{font-weight:400;opacity:.8;margin-left:8px}
main{max-width:900px;margin:0 auto;padding:12px 20px}h2{font-size:17px;margin:22px 0 8px}
.thread{background:#fff;border:1px solid #ddd;border-radius:8px;padding:10px 14px;margin:10px 0;position:relative}
.broadcast{background:#fffaf0;border:1px solid #f2c744;border-radius:8px;padding:10px 14px;margin:10px 0}
.status{position:absolute;right:12px;top:10px;font-size:12px;padding:1px 8px;border-radius:10px;background:#eee}
.status.succeeded{background:#d8f3dc}.status.failed,.status.rolled-back{background:#fddede}.status.running,.status.validating{background:#dde9fd}
.meta{font-size:13px;color:#616061}.app{font-size:10px;background:#eee;padding:0 3px;border-radius:2px}.edited{color:#999}
.replies{border-left:3px solid #e5e5e5;margin:8px 0 0 6px;padding-left:12px}.count{font-size:13px;color:#1264a3;font-weight:700}
.message{margin:6px 0}.section{margin:3px 0}.context{font-size:13px;color:#616061;margin:3px 0}
.actions{margin:6px 0}.button{display:inline-block;border:1px solid #ccc;border-radius:4px;padding:2px 10px;margin:0 6px 4px 0;font-size:13px;font-weight:700;color:#1d1c1d;text-decoration:none}
.button.primary{background:#007a5a;color:#fff}.button.danger{color:#e01e5a}
a{color:#1264a3}pre{background:#f6f6f6;border:1px solid #e0e0e0;border-radius:4px;padding:8px;white-space:pre-wrap;font-size:12px;margin:4px 0}
code{background:#f6f6f6;border:1px solid #e0e0e0;border-radius:3px;padding:0 3px;color:#e01e5a;font-size:12px}
.mention{background:#fff3c4;color:#1264a3;border-radius:3px;padding:0 2px}.empty{color:#616061}
</style></head>
<body><header>Runway · local Slack<small>what Runway would post, refreshed every ${REFRESH_SECONDS} s</small></header><main>${body}</main></body></html>`;
}
