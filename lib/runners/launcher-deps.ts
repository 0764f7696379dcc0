/**
 * The launcher's collaborators, built from its environment. Apart from the reconciler's and the
 * redeliverer's (deps.ts) so that their bundles do not carry what only the launcher loads: the
 * artifacts bucket's code, loaded when a job first completes.
 */
import { fetchJobLog } from "../artifacts/job-log.ts";
import { codeBuildStarter, deadLetterParking, ssmJitSecrets } from "./aws-ports.ts";
import type { ConsumeDeps } from "./consume.ts";
import { jitPrefix, ledgerFromEnv, linkExpirySeconds, queuedNotifications, seconds, type Log } from "./deps.ts";
import { githubJobs, githubRegistry } from "./github-registry.ts";
import type { ExcerptStore } from "./job-lifecycle.ts";
import { sqsJobSink } from "../jobs/job-queue.ts";

/**
 * The artifacts bucket's code (the S3 client, the presigner), loaded when a job first completes:
 * a launch never needs it, and the launcher's first launch is part of a job's wait.
 */
const artifacts = () => Promise.all([import("../artifacts/marker.ts"), import("../artifacts/store.ts")]);

/** Failed jobs' log excerpts, kept under their build's prefix and linked for Slack. */
export function s3ExcerptStore(bucket: string): ExcerptStore {
  return {
    fetchLog: (message) => fetchJobLog({ owner: message.job.owner, repo: message.job.repo, jobId: message.job.id, installationId: message.job.installationId }),
    async save(buildId, excerpt) {
      const [, { logExcerptKey, presign, putText }] = await artifacts();
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
    writeMarker: bucket ? async (runnerName, marker) => (await artifacts())[0].writeMarker(bucket, runnerName, marker) : undefined,
    log,
  };
}

