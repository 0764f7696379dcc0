/**
 * The launcher's and the reconciler's collaborators, built from the function's environment: the
 * one place that turns `RUNWAY_*` variables into a ledger, AWS ports and GitHub, so that the Lambda
 * functions, the local stack and the benchmarks wire them identically.
 */
import { documentClient } from "../aws/dynamodb.ts";
import { fetchJobLog } from "../artifacts/job-log.ts";
import { writeMarker } from "../artifacts/marker.ts";
import { logExcerptKey, presign, putText } from "../artifacts/store.ts";
import { NOTIFY_DEFAULTS } from "../config/notify-defaults.ts";
import { getConfig } from "../config/runtime.ts";
import { appDeliveryLog } from "../github/deliveries.ts";
import type { NotificationInput } from "../notify/event-keys.ts";
import { publish } from "../notify/publish.ts";
import type { ExcerptStore } from "./job-lifecycle.ts";
import { codeBuildStarter, codeBuildWatcher, deadLetterParking, ssmJitSecrets } from "./aws-ports.ts";
import type { ConsumeDeps } from "./consume.ts";
import { githubJobs, githubRegistry, githubRunners } from "./github-registry.ts";
import { sqsJobSink } from "./job-queue.ts";
import { Ledger } from "./ledger.ts";
import { RedeliveryRecords } from "./redelivery-records.ts";
import type { ReconcileDeps } from "./reconcile.ts";
import { REDELIVER_DEFAULTS, type RedeliverDeps } from "./redeliver.ts";

type Log = (message: string, fields: Record<string, unknown>) => void;

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: the function's configuration (serverless.yml) must provide it`);
  return value;
}

const seconds = (env: NodeJS.ProcessEnv, name: string, fallback: number) => Number(env[name] ?? fallback) * 1000;
const jitPrefix = (env: NodeJS.ProcessEnv) => env.RUNWAY_JIT_PREFIX ?? `/runway/${env.RUNWAY_STAGE ?? "local"}/jit`;

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

/** Failed jobs' log excerpts, kept under their build's prefix and linked for Slack. */
export function s3ExcerptStore(bucket: string): ExcerptStore {
  return {
    fetchLog: (message) => fetchJobLog({ owner: message.job.owner, repo: message.job.repo, jobId: message.job.id, installationId: message.job.installationId }),
    async save(buildId, excerpt) {
      const key = logExcerptKey(buildId);
      await putText(bucket, key, excerpt);
      return { name: "log-excerpt.txt", url: await presign(bucket, key, await linkExpirySeconds()) };
    },
  };
}

export function launcherDepsFromEnv(log: Log, env: NodeJS.ProcessEnv = process.env): ConsumeDeps {
  const bucket = env.RUNWAY_ARTIFACTS_BUCKET;
  const notifications = queuedNotifications(env.RUNWAY_NOTIFY_QUEUE_URL);
  const builds = codeBuildStarter({ artifactsBucket: bucket, idleTimeoutSeconds: seconds(env, "RUNWAY_IDLE_TIMEOUT_SECONDS", 600) / 1000 });
  const registry = githubRegistry();
  const secrets = ssmJitSecrets();
  const queue = sqsJobSink(env.RUNWAY_JOB_QUEUE_URL);
  return {
    notify: notifications.notify,
    flushNotifications: notifications.flush,
    excerpts: bucket ? s3ExcerptStore(bucket) : undefined,
    ledger: ledgerFromEnv(env),
    registry,
    secrets,
    builds,
    parking: deadLetterParking(env.RUNWAY_JOB_DLQ_URL),
    foreign: {
      builds,
      registry,
      secrets,
      jobs: githubJobs(),
      requeue: (message, deduplicationId) => queue.send(message, deduplicationId),
      jitPrefix: jitPrefix(env),
      maxRelaunches: Number(env.RUNWAY_MAX_RELAUNCHES ?? 2),
    },
    // The lease outlasts one invocation (60 s; GitHub's waits are capped by its deadline), with margin.
    settings: { leaseMs: seconds(env, "RUNWAY_LAUNCH_LEASE_SECONDS", 90), jitPrefix: jitPrefix(env), maxAttempts: Number(env.RUNWAY_MAX_LAUNCH_ATTEMPTS ?? 8) },
    writeMarker: bucket ? (runnerName, marker) => writeMarker(bucket, runnerName, marker) : undefined,
    log,
  };
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
