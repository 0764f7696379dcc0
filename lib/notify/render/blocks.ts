/**
 * The subset of Slack's Block Kit that Runway's messages use, with builders that keep inside
 * Slack's limits (a message over a limit is refused whole with `invalid_blocks`, so a long log
 * excerpt or a job with forty artifacts must be cut here, not discovered in production).
 */
import { isIntactUrl } from "../redact.ts";

export interface TextObject {
  type: "mrkdwn" | "plain_text";
  text: string;
  emoji?: boolean;
}
export interface ButtonElement {
  type: "button";
  text: TextObject & { type: "plain_text" };
  url: string;
  action_id: string;
  style?: "primary" | "danger";
}
export type Block =
  | { type: "header"; text: TextObject & { type: "plain_text" } }
  | { type: "section"; text: TextObject; fields?: TextObject[] }
  | { type: "context"; elements: TextObject[] }
  | { type: "actions"; elements: ButtonElement[] }
  | { type: "divider" };

/** What is posted: blocks for people, `text` for notifications, screen readers and old clients. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Slack's limits (https://docs.slack.dev/reference/block-kit/blocks). */
export const LIMITS = { sectionText: 3000, field: 2000, context: 10, actions: 25, buttonText: 75, blocks: 50, text: 3900 } as const;

/** Escape text for mrkdwn: Slack reads `&`, `<` and `>` as control characters. */
export function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Cut to `max` characters, ending in an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** A mrkdwn link, or the bare label when the URL is not a usable http(s) URL. */
export function link(url: string | undefined, label: string): string {
  if (!url || !isIntactUrl(url)) return esc(label);
  const safe = url.replace(/\|/g, "%7C").replace(/>/g, "%3E").replace(/</g, "%3C");
  return `<${safe}|${esc(label).replace(/\|/g, "¦")}>`;
}

/** `*text*`, escaped. */
export function bold(text: string): string {
  return `*${esc(text)}*`;
}

/** `` `text` ``, escaped; a backtick inside would end the span, so it becomes a quote. */
export function code(text: string): string {
  return "`" + esc(text.replace(/`/g, "'").replace(/\s*\n\s*/g, " ")) + "`";
}

/**
 * A log excerpt as a code block: its last lines (the end of a log is where the failure is), cut
 * to fit a section.
 */
export function codeBlock(text: string, max = 2500): string {
  const body = text.replace(/```/g, "'''").replace(/\s+$/, "");
  const tail = body.length > max ? `…${body.slice(body.length - max)}` : body;
  return "```" + esc(tail) + "```";
}

export function section(text: string): Block {
  return { type: "section", text: { type: "mrkdwn", text: truncate(text, LIMITS.sectionText) } };
}

export function context(...parts: string[]): Block {
  const elements = parts.filter(Boolean).slice(0, LIMITS.context);
  return { type: "context", elements: elements.map((text) => ({ type: "mrkdwn", text: truncate(text, LIMITS.field) })) };
}

/** Link buttons for the URLs that are usable; no block at all when none is. */
export function buttons(links: Array<{ label: string; url: string | undefined; style?: "primary" | "danger" }>): Block[] {
  const elements: ButtonElement[] = links
    .filter((l): l is { label: string; url: string; style?: "primary" | "danger" } => !!l.url && isIntactUrl(l.url))
    .slice(0, LIMITS.actions)
    .map((l, index) => ({
      type: "button",
      text: { type: "plain_text", text: truncate(l.label, LIMITS.buttonText), emoji: true },
      url: l.url,
      // Unique per message; link buttons need no handler, the id only has to exist.
      action_id: `runway-link-${index}`,
      ...(l.style ? { style: l.style } : {}),
    }));
  return elements.length > 0 ? [{ type: "actions", elements }] : [];
}

/**
 * Assemble a message, keeping the fallback text and the block count inside Slack's limits.
 * `plain` is escaped (Slack reads `text` as mrkdwn too, so a job named `<!channel>` would ping
 * everyone); `prefix` is mrkdwn put before it as is (a mention).
 */
export function message(plain: string, blocks: Block[], prefix = ""): SlackMessage {
  return { text: `${prefix}${esc(truncate(plain, LIMITS.text))}`, blocks: blocks.slice(0, LIMITS.blocks) };
}

/**
 * After scrubbing, drop what the scrubber broke: a button whose URL held a secret would make
 * Slack refuse the whole message, so the button goes and the rest is delivered.
 */
export function dropBrokenLinks(msg: SlackMessage): SlackMessage {
  const blocks = msg.blocks.flatMap((block): Block[] => {
    if (block.type !== "actions") return [block];
    const elements = block.elements.filter((element) => isIntactUrl(element.url));
    return elements.length > 0 ? [{ ...block, elements }] : [];
  });
  return { ...msg, blocks };
}
