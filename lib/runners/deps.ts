/**
 * The reconciler's and the redeliverer's collaborators (the launcher's: launcher-deps.ts), and
 * what they share with the launcher, built from the function's environment: the
 * one place that turns `RUNWAY_*` variables into a ledger, AWS ports and GitHub, so that the Lambda
 * functions, the local stack and the benchmarks wire them identically.
 */
import { documentClient } from "../aws/dynamodb.ts";
import { NOTIFY_DEFAULTS } from "../config/notify-defaults.ts";
import { getConfig } from "../config/runtime.ts";
import { appDeliveryLog } from "../github/deliveries.ts";
import type { NotificationInput } from "../notify/event-keys.ts";
import { publish } from "../notify/publish.ts";
import { codeBuildWatcher, deadLetterParking, ssmJitSecrets } from "./aws-ports.ts";
import { githubJobs, githubRegistry, githubRunners } from "./github-registry.ts";
import { sqsJobSink } from "../jobs/job-queue.ts";
import { Ledger } from "./ledger.ts";
import { RedeliveryRecords } from "./redelivery-records.ts";
import type { ReconcileDeps } from "./reconcile.ts";
import { REDELIVER_DEFAULTS, type RedeliverDeps } from "./redeliver.ts";

export type Log = (message: string, fields: Record<string, unknown>) => void;

export function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: the function's configuration (serverless.yml) must provide it`);
  return value;
}

export const seconds = (env: NodeJS.ProcessEnv, name: string, fallback: number) => Number(env[name] ?? fallback) * 1000;
export const jitPrefix = (env: NodeJS.ProcessEnv) => env.RUNWAY_JIT_PREFIX ?? `/runway/${env.RUNWAY_STAGE ?? "local"}/jit`;

export function ledgerFromEnv(env: NodeJS.ProcessEnv = process.env): Ledger {
  return new Ledger({ client: documentClient(), table: required(env, "RUNWAY_TABLE") });
}

/**
 * Notifications gathered while a batch is handled and published together when it ends (ten to an
 * SQS call, before the Lambda freezes), so that telling Slack costs a launch nothing. The channel
 * is the environment's `slack.channel`.
 */
export function queuedNotifications(queueUrl?: string): { notify: (event: NotificationInput, environment: string) => void; flush: () => Promise<unknown> } {
  let gathered: { event: NotificationInput; environment: string }[] = [];
  return {
    notify(event, environment) {
      gathered.push({ event, environment });
    },
    async flush() {
      const batch = gathered;
      gathered = [];
      if (batch.length === 0) return;
      const config = await getConfig();
      const events = batch.map(({ event, environment }) => {
        const channel = config.environments[environment]?.slack?.channel;
        return channel && !("channel" in event && event.channel) ? { ...event, channel } : event;
      });
      await publish(events, queueUrl ? { queueUrl } : {});
    },
  };
}

/** How long artifact links work: `notify.artifactLinkExpiry`. */
export async function linkExpirySeconds(): Promise<number> {
  return (await getConfig()).notify?.artifactLinkExpiry ?? NOTIFY_DEFAULTS.artifactLinkExpiry;
}

export function reconcilerDepsFromEnv(log: Log, env: NodeJS.ProcessEnv = process.env): ReconcileDeps {
  const notifications = queuedNotifications(env.RUNWAY_NOTIFY_QUEUE_URL);
  return {
    ledger: ledgerFromEnv(env),
    builds: codeBuildWatcher(),
    secrets: ssmJitSecrets(),
    registry: githubRegistry(),
    jobs: githubJobs(),
    runners: githubRunners(),
    queue: sqsJobSink(env.RUNWAY_JOB_QUEUE_URL),
    parking: deadLetterParking(env.RUNWAY_JOB_DLQ_URL),
    notify: notifications.notify,
    flushNotifications: notifications.flush,
    settings: {
      stuckAfterMs: seconds(env, "RUNWAY_STUCK_AFTER_SECONDS", 120),
      idleMs: seconds(env, "RUNWAY_IDLE_TIMEOUT_SECONDS", 600),
      jitMaxAgeMs: seconds(env, "RUNWAY_JIT_MAX_AGE_SECONDS", 900),
      onlineWithinMs: seconds(env, "RUNWAY_RUNNER_ONLINE_WITHIN_SECONDS", 1800),
      // One bound for both kinds of relaunch (a runner lost to a foreign job, a build that never took its job).
      maxRelaunches: Number(env.RUNWAY_MAX_RELAUNCHES ?? 2),
      jitPrefix: jitPrefix(env),
    },
    log,
  };
}

/**
 * The redeliverer's collaborators: the ledger (launches), its own records in the same table (its
 * watermark and the deliveries it redelivered) and the App's delivery log through the App's JWT (GITHUB_API_URL, GITHUB_APP_ID,
 * GITHUB_APP_PRIVATE_KEY_PARAMETER). Its bounds: RUNWAY_REDELIVER_MAX (redeliveries per run),
 * RUNWAY_REDELIVER_MAX_READS (delivery reads per run), RUNWAY_REDELIVER_MAX_PAGES.
 */
export function redelivererDepsFromEnv(log: Log, env: NodeJS.ProcessEnv = process.env): Omit<RedeliverDeps, "deadline"> {
  const count = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    return Number.isSafeInteger(value) && value > 0 ? value : fallback;
  };
  return {
    ledger: ledgerFromEnv(env),
    records: new RedeliveryRecords({ client: documentClient(), table: required(env, "RUNWAY_TABLE") }),
    deliveries: appDeliveryLog({}, env),
    settings: {
      ...REDELIVER_DEFAULTS,
      maxRedeliveries: count("RUNWAY_REDELIVER_MAX", REDELIVER_DEFAULTS.maxRedeliveries),
      maxDetails: count("RUNWAY_REDELIVER_MAX_READS", REDELIVER_DEFAULTS.maxDetails),
      maxPages: count("RUNWAY_REDELIVER_MAX_PAGES", REDELIVER_DEFAULTS.maxPages),
    },
    log,
  };
}
