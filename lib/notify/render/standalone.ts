/**
 * Webhook mode has no threads: each event is a message of its own, so each one says which run or
 * deployment it is about before saying what happened.
 */
import type { NotificationEvent } from "../events.ts";
import { context, esc, link, message, section, type SlackMessage } from "./blocks.ts";
import { deploymentConsoleUrl } from "./links.ts";
import { deploymentName, runTitle } from "./parent.ts";
import { mentionSyntax, replyParts, type ReplyOptions } from "./replies.ts";

/** A self-contained message for an event. */
export function renderStandalone(event: NotificationEvent, options: ReplyOptions = {}): SlackMessage {
  const reply = replyParts(event);
  const mention = options.mention ? `${mentionSyntax(options.mention)} ` : "";
  let about: string;
  let plain: string;
  if ("run" in event) {
    const title = runTitle(event);
    about = `${link(event.run.url, title)}${event.run.environment ? ` · env *${esc(event.run.environment)}*` : ""}`;
    plain = title;
  } else {
    const d = event.deployment;
    plain = `Deployment ${deploymentName(d)} ${d.id}`;
    about = `${link(deploymentConsoleUrl(d), plain)}${d.environment ? ` · env *${esc(d.environment)}*` : ""}`;
  }
  return message(`${plain}: ${reply.text}`, [context(about), section(`${mention}${reply.line}`), ...reply.blocks], mention);
}
