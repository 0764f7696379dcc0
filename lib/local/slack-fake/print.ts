/**
 * The fake's terminal output: each message in a line or two, so someone running `npm start` sees
 * what Slack would show without opening the page.
 *
 *   slack #deploys-dev ● new thread 1700000000.000001  acme/api · deploy-dev: queued (dev)
 *   slack #deploys-dev ↳ 1700000000.000001  build: runner build runway-runner-dev:1f2e started in eu-west-1
 *   slack #deploys-dev ✎ 1700000000.000001  acme/api · deploy-dev: succeeded (dev)
 */
import type { MessageEvent } from "./web-api.ts";

const MAX = 160;

/** mrkdwn as a terminal shows it: links as their label, entities decoded, emphasis dropped. */
export function plainText(mrkdwn: string): string {
  return mrkdwn
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, "$2")
    .replace(/<(https?:[^>]+)>/g, "$1")
    .replace(/<!(here|channel|everyone)>/g, "@$1")
    .replace(/<@([A-Z0-9]+)>/g, "@$1")
    .replace(/<!subteam\^([A-Z0-9]+)>/g, "@group:$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/[*_~]/g, "");
}

function firstLine(text: string): string {
  const line = plainText(text).split("\n").find((l) => l.trim()) ?? "";
  return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
}

function buttonLabels(blocks: unknown[]): string[] {
  return blocks.flatMap((block: any) =>
    block?.type === "actions" && Array.isArray(block.elements) ? block.elements.filter((e: any) => e?.url).map((e: any) => String(e.text?.text ?? "link")) : [],
  );
}

/** The lines printed for one message event. */
export function formatEvent(event: MessageEvent): string[] {
  const { kind, message } = event;
  const where = message.via === "webhook" ? "slack (webhook)" : `slack ${message.channelName}`;
  const text = firstLine(message.text);
  const head = {
    post: `${where} ● new thread ${message.ts}  ${text}`,
    reply: `${where} ↳ ${message.threadTs}  ${text}${message.broadcast ? "  (also sent to the channel)" : ""}`,
    update: `${where} ✎ ${message.ts}  ${text}`,
    delete: `${where} ✗ deleted ${message.ts}`,
    webhook: `${where} ● ${text}`,
  }[kind];
  const links = kind === "delete" ? [] : buttonLabels(message.blocks);
  return links.length > 0 ? [head, `    links: ${links.join(" · ")}`] : [head];
}
