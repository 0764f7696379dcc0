/**
 * Slack through an incoming webhook: a plain JSON POST, no token, no threads, the channel fixed
 * when the webhook was created. The URL itself is the credential, so it is never logged and never
 * put in an error message.
 */
import { SlackRateLimitedError, SlackRejectedError, SlackUnavailableError } from "../errors.ts";
import { dropBrokenLinks, type SlackMessage } from "../render/blocks.ts";
import type { Redactor } from "../redact.ts";
import { BLOCK_CODES, type SlackWebhook } from "./types.ts";

export interface WebhookTransportOptions {
  url: string;
  redactor: Redactor;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

/**
 * A Slack transport posting to an incoming webhook.
 *
 * @example
 * const slack = webhookTransport({ url, redactor: createRedactor([url]) });
 * await slack.send(renderStandalone(event));
 */
export function webhookTransport(options: WebhookTransportOptions): SlackWebhook {
  const doFetch = options.fetch ?? globalThis.fetch;
  const postJson = async (payload: Record<string, unknown>): Promise<void> => {
    let response: Response;
    try {
      response = await doFetch(options.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
        redirect: "error",
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
    } catch {
      // No cause: a fetch error can carry the URL, which is the secret.
      throw new SlackUnavailableError("the Slack incoming webhook could not be reached; the notification is retried from the queue");
    }
    const body = (await response.text().catch(() => "")).trim();
    if (response.status === 429) {
      const seconds = Number.parseInt(response.headers.get("retry-after") ?? "", 10);
      throw new SlackRateLimitedError(Number.isFinite(seconds) && seconds > 0 ? seconds : 1);
    }
    if (response.status >= 500) {
      throw new SlackUnavailableError(`the Slack incoming webhook answered HTTP ${response.status}; the notification is retried from the queue`);
    }
    if (!response.ok) {
      // Slack answers a short code such as invalid_payload, channel_not_found or no_service.
      throw new SlackRejectedError(/^[a-z_]{1,64}$/.test(body) ? body : `http_${response.status}`, "the incoming webhook");
    }
  };
  return {
    async send(msg: SlackMessage) {
      const clean = dropBrokenLinks(options.redactor.payload(msg));
      try {
        await postJson({ text: clean.text, blocks: clean.blocks, unfurl_links: false, unfurl_media: false });
      } catch (error) {
        if (!(error instanceof SlackRejectedError) || !(BLOCK_CODES.has(error.code) || error.code === "invalid_payload")) throw error;
        await postJson({ text: clean.text });
      }
    },
  };
}
