/**
 * Slack's message formats as HTML, close enough that a person reading the local page reads what
 * Slack would show: mrkdwn (links, bold, italics, code, mentions, emoji shortcodes) and the Block
 * Kit blocks Runway uses. Everything is escaped; only http(s) links become links.
 */

const EMOJI: Record<string, string> = {
  white_check_mark: "✅",
  x: "❌",
  hourglass_flowing_sand: "⏳",
  rocket: "🚀",
  large_blue_circle: "🔵",
  large_yellow_circle: "🟡",
  mag: "🔍",
  no_entry_sign: "🚫",
  fast_forward: "⏩",
  leftwards_arrow_with_hook: "↩️",
  octagonal_sign: "🛑",
  paperclip: "📎",
  warning: "⚠️",
  arrows_counterclockwise: "🔄",
};

/** Escape for HTML text and attribute values. */
export function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Slack's three entities back to characters. */
function decode(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

export function safeHref(url: string): string | undefined {
  return /^https?:\/\/[^\s"'<>]+$/.test(url) ? url : undefined;
}

function anchor(url: string, label: string): string {
  const href = safeHref(url);
  return href ? `<a href="${html(href)}" target="_blank" rel="noopener noreferrer">${html(label)}</a>` : html(label);
}

/** One `<…>` token of mrkdwn as HTML. */
function token(inner: string): string {
  const [target = "", label] = inner.split(/\|(.*)/s, 2);
  if (target.startsWith("!")) {
    const name = target.slice(1);
    if (name.startsWith("subteam^")) return `<span class="mention">@${html(label ?? name.slice(8))}</span>`;
    return `<span class="mention">@${html(name)}</span>`;
  }
  if (target.startsWith("@")) return `<span class="mention">@${html(label ?? target.slice(1))}</span>`;
  if (target.startsWith("#")) return `<span class="mention">#${html(label ?? target.slice(1))}</span>`;
  return anchor(decode(target), decode(label ?? target));
}

/** mrkdwn as HTML. */
export function mrkdwnToHtml(text: string): string {
  const held: string[] = [];
  const hold = (markup: string) => `\u0000${held.push(markup) - 1}\u0000`;
  let out = text
    .replace(/```([\s\S]*?)```/g, (_m, code: string) => hold(`<pre>${html(decode(code.replace(/^\n/, "")))}</pre>`))
    .replace(/`([^`\n]+)`/g, (_m, code: string) => hold(`<code>${html(decode(code))}</code>`))
    .replace(/<([^<>\n]+)>/g, (_m, inner: string) => hold(token(inner)));
  out = html(decode(out))
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=[\s).,:;!?]|$)/g, "$1<b>$2</b>")
    .replace(/(^|[\s(])_([^_\n]+)_(?=[\s).,:;!?]|$)/g, "$1<i>$2</i>")
    .replace(/(^|[\s(])~([^~\n]+)~(?=[\s).,:;!?]|$)/g, "$1<s>$2</s>")
    .replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m)
    .replace(/\n/g, "<br>");
  // Held markup may itself hold markup (a link inside bold): restore until none is left.
  while (/\u0000\d+\u0000/.test(out)) out = out.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => held[Number(i)] ?? "");
  return out;
}

function textObject(value: any): string {
  if (!value || typeof value.text !== "string") return "";
  return value.type === "mrkdwn" ? mrkdwnToHtml(value.text) : html(value.text).replace(/:([a-z0-9_+-]+):/g, (m, n: string) => EMOJI[n] ?? m);
}

/** One Block Kit block as HTML. */
export function blockToHtml(block: any): string {
  switch (block?.type) {
    case "header":
      return `<h3 class="header">${textObject(block.text)}</h3>`;
    case "section": {
      const fields = Array.isArray(block.fields) ? `<div class="fields">${block.fields.map((f: unknown) => `<div>${textObject(f)}</div>`).join("")}</div>` : "";
      return `<div class="section">${textObject(block.text)}${fields}</div>`;
    }
    case "context":
      return `<div class="context">${(block.elements ?? []).map((e: any) => (e?.type === "image" ? html(`[${e.alt_text ?? "image"}]`) : textObject(e))).join(" ")}</div>`;
    case "actions":
      return `<div class="actions">${(block.elements ?? [])
        .map((e: any) => (e?.url && safeHref(e.url) ? `<a class="button${e.style ? ` ${html(e.style)}` : ""}" href="${html(e.url)}" target="_blank" rel="noopener noreferrer">${textObject(e.text)}</a>` : `<span class="button">${textObject(e?.text)}</span>`))
        .join("")}</div>`;
    case "divider":
      return "<hr>";
    case "image":
      return `<div class="context">${html(`[image: ${block.alt_text ?? ""}]`)}</div>`;
    default:
      return `<pre class="unknown">${html(JSON.stringify(block, null, 2))}</pre>`;
  }
}

/** A message's body: its blocks, or its text when it has none. */
export function messageToHtml(message: { text: string; blocks: unknown[] }): string {
  if (message.blocks.length === 0) return `<div class="section">${mrkdwnToHtml(message.text)}</div>`;
  return message.blocks.map(blockToHtml).join("");
}
