/**
 * Puts the notifier together from configuration and the environment: the mode (bot or webhook),
 * its credential, the scrubber and the thread store. Kept per container for five minutes, the
 * same as the SSM cache, so a rotated token or a new secret to scrub is picked up without a deploy.
 */
import type { NotifyConfig } from "../config/notify-schema.ts";
import { knownSecretValues, readSecret } from "./credentials.ts";
import { deliverStandalone, deliverToThread, type DeliveryOutcome } from "./deliver.ts";
import { NotifyConfigError } from "./errors.ts";
import type { NotificationEvent } from "./events.ts";
import { createRedactor } from "./redact.ts";
import { dynamoThreadStore, type ThreadStore } from "./thread-store.ts";
import { botTransport } from "./transport/bot.ts";
import { webhookTransport } from "./transport/webhook.ts";

const REFRESH_MS = 300_000;

export interface Notifier {
  deliver(event: NotificationEvent): Promise<DeliveryOutcome>;
}

export interface NotifierOptions {
  settings: NotifyConfig;
  env?: NodeJS.ProcessEnv;
  /** Defaults to the DynamoDB store on `RUNWAY_TABLE` (bot mode only). */
  store?: ThreadStore;
}

/**
 * Build a notifier.
 *
 * @throws NotifyConfigError when the mode's credential is not configured.
 */
export async function createNotifier(options: NotifierOptions): Promise<Notifier> {
  const { settings } = options;
  const env = options.env ?? process.env;
  const redactor = createRedactor(await knownSecretValues(env));
  if (settings.mode === "webhook") {
    const url = await readSecret("SLACK_WEBHOOK_URL", env);
    if (!url) throw new NotifyConfigError("notify.mode is webhook but neither SLACK_WEBHOOK_URL nor SLACK_WEBHOOK_URL_PARAMETER is set");
    const slack = webhookTransport({ url, redactor });
    return { deliver: (event) => deliverStandalone(redactor.payload(event), { slack, settings }) };
  }
  const token = await readSecret("SLACK_BOT_TOKEN", env);
  if (!token) throw new NotifyConfigError("notify.mode is bot but neither SLACK_BOT_TOKEN nor SLACK_BOT_TOKEN_PARAMETER is set");
  const slack = botTransport({ token, redactor, apiUrl: env.SLACK_API_URL });
  const store = options.store ?? dynamoThreadStore();
  // Scrubbed on the way in as well as on the way out: the thread's state in DynamoDB holds no secret either.
  return { deliver: (event) => deliverToThread(redactor.payload(event), { store, slack, settings }) };
}

let cached: { notifier: Notifier; at: number } | undefined;

/** The container's notifier, rebuilt every five minutes. */
export async function getNotifier(options: NotifierOptions): Promise<Notifier> {
  if (!cached || Date.now() - cached.at > REFRESH_MS) {
    cached = { notifier: await createNotifier(options), at: Date.now() };
  }
  return cached.notifier;
}

/** Forget the cached notifier (tests that change the environment). */
export function resetNotifier(): void {
  cached = undefined;
}
