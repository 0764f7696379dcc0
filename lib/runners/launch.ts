/**
 * One launch: a queued job that routing gave to an environment becomes exactly one CodeBuild
 * build hosting a just-in-time runner for it. Each step is recorded in the ledger before the next
 * begins, so a crash between any two steps is resumed, not repeated:
 *
 *   claim (conditional put) → concurrency slot → runner registration (JIT config, stored as a
 *   short-lived SecureString) → StartBuild (idempotency token = the claim's token) → launched.
 *
 * The collaborators are ports (GitHub, the secret store, CodeBuild, the dead-letter queue), so the
 * logic is tested without AWS and wired to the real clients in `launcher-deps.ts`.
 */
import type { AwsTarget } from "../aws/shared.ts";
import { RunnerNameConflictError } from "../github/errors.ts";
import { LaunchError, RetryLaterError } from "./errors.ts";
import type { JobMessage } from "../jobs/job-message.ts";
import type { RunnerPlacement } from "../routing/decision.ts";
import type { GitHubJob } from "../github/jobs.ts";
import { LeaseLostError, type Ledger, type LaunchRecord } from "./ledger.ts";
import { buildOverrides, type BuildOverrides } from "./runner-labels.ts";
import type { NotificationInput } from "../notify/event-keys.ts";
import { jobLaunched, jobQueued, jobRefused } from "./notifications.ts";
import { recordMetric } from "../observability/metrics.ts";

export interface RunnerRegistration {
  runnerId: number;
  encodedJitConfig: string;
}

/** GitHub: registers and removes just-in-time runners. */
export interface RunnerRegistry {
  /** Throws RunnerNameConflictError when a runner with that name already exists. */
  register(request: { owner: string; repo: string; installationId?: number | undefined; name: string; runners: RunnerPlacement; labels: string[] }): Promise<RunnerRegistration>;
  /** Remove a registration (by id, else by name); one that is already gone is fine. */
  unregister(request: { owner: string; repo: string; scope?: RunnerPlacement["scope"]; installationId?: number | undefined; runnerId?: number | undefined; name: string }): Promise<void>;
}

/** GitHub's truth about a job (the webhook is only news of it). */
export interface GitHubJobs {
  job(request: { owner: string; repo: string; installationId?: number | undefined; jobId: number }): Promise<GitHubJob>;
}

/** Where the JIT config waits for the build: referenced by name, never passed in plain text. */
export interface JitSecrets {
  put(target: AwsTarget, name: string, value: string): Promise<void>;
  remove(target: AwsTarget, name: string): Promise<void>;
}

export interface StartRequest {
  target: AwsTarget;
  /** The environment the runner serves: the build reads its marker under this environment's prefix. */
  environment: string;
  project: string;
  idempotencyToken: string;
  runnerName: string;
  jitParameter: string;
  jobId: number;
  runAttempt: number;
  overrides: BuildOverrides;
}

/** CodeBuild: starts the runner's build, finds one a crashed worker may have started, stops one. */
export interface BuildStarter {
  start(request: StartRequest): Promise<{ buildId: string }>;
  /** The build started for this runner, looking back as far as `since` (epoch ms). */
  findByRunner(target: AwsTarget, project: string, runnerName: string, since?: number): Promise<string | undefined>;
  /** Stop a build; one that has already ended is fine. */
  stop(target: AwsTarget, buildId: string): Promise<void>;
}

/** The dead-letter queue: where a launch that cannot succeed waits to be replayed. */
export interface ParkingLot {
  park(message: JobMessage, reason: string): Promise<void>;
}

export interface LaunchSettings {
  /**
   * How long a claim is exclusive: longer than the longest call it covers (one invocation, since
   * GitHub's rate-limit waits are capped by the invocation's deadline), shorter than the queue's
   * visibility timeout.
   */
  leaseMs: number;
  /** Claims (the first and each takeover) before a launch that keeps failing is parked. */
  maxAttempts?: number | undefined;
  /** SSM path under which JIT configs are stored, e.g. /runway/dev/jit. */
  jitPrefix: string;
}

export interface LaunchDeps {
  ledger: Ledger;
  /** Queue a Slack notification (never waits on Slack). */
  notify?: (event: NotificationInput, environment: string) => void;
  registry: RunnerRegistry;
  secrets: JitSecrets;
  builds: BuildStarter;
  parking: ParkingLot;
  settings: LaunchSettings;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export type LaunchOutcome =
  | { outcome: "launched"; buildId: string; runnerName: string; resumed: boolean }
  | { outcome: "duplicate"; state: LaunchRecord["state"]; buildId?: string | undefined }
  | { outcome: "waiting"; reason: string }
  | { outcome: "failed"; reason: string };

/**
 * Launch the runner for a `queued` job message.
 *
 * @throws RetryLaterError for passing causes: the queue delivers the message again later.
 * @example
 * const result = await launch(message, deps);
 * if (result.outcome === "launched") console.log(result.buildId);
 */
export async function launch(message: JobMessage, deps: LaunchDeps): Promise<LaunchOutcome> {
  const { ledger, settings } = deps;
  const claim = await ledger.claim(message, settings);
  if (claim.outcome === "duplicate") return { outcome: "duplicate", state: claim.record.state, buildId: claim.record.buildId };
  if (claim.outcome === "exhausted") {
    const reason = `gave up after ${claim.record.attempts} attempts${claim.record.reason ? ` (last: ${claim.record.reason})` : ""}`;
    return park(deps, claim.record, message, reason, "LaunchParked");
  }
  if (claim.outcome === "busy") {
    // Nothing to do until the holder finishes or its lease runs out (then this can take over).
    const retryAfterSeconds = Math.max(1, Math.ceil((claim.record.leaseUntil - ledger.now()) / 1000));
    throw new RetryLaterError(`launch of job ${message.job.id} attempt ${message.job.runAttempt} is in progress elsewhere`, { retryAfterSeconds });
  }

  let record = claim.record;
  if (claim.outcome === "claimed") deps.notify?.(jobQueued(message), message.environment);
  const target: AwsTarget = { region: message.codebuild.region, roleArn: message.codebuild.roleArn };
  // A permanent error before the job's request is read is a refusal of what the job asks for (a
  // label override not allowed); after it, a fault of the setup (no such project, access denied).
  let requestAllowed = false;
  try {
    const overrides = buildOverrides(message.job.labels, message.codebuild.allowOverrides);
    requestAllowed = true;
    if (!(await ledger.acquireSlot(message.environment, message.concurrency, record.pk))) {
      const reason = `${message.environment} is at its concurrency cap (${message.concurrency} runner builds); the launch waits for a slot`;
      await ledger.update(record, { state: "waiting", reason });
      return { outcome: "waiting", reason };
    }

    if (claim.outcome === "taken-over") {
      // A crashed worker may have started the build after CodeBuild's idempotency window closed.
      const buildId = await deps.builds.findByRunner(target, message.codebuild.project, record.runnerName, record.createdAt);
      if (buildId) return await launched(deps, record, buildId, true);
    }

    if (record.runnerId === undefined) {
      const registration = await registerRunner(deps, message, record.runnerName);
      await deps.secrets.put(target, record.jitParameter!, registration.encodedJitConfig);
      record = await ledger.update(record, { runnerId: registration.runnerId, jitStoredAt: ledger.now() }, { leaseMs: settings.leaseMs });
    }

    const { buildId } = await deps.builds.start({
      target,
      project: message.codebuild.project,
      environment: message.environment,
      idempotencyToken: record.token,
      runnerName: record.runnerName,
      jitParameter: record.jitParameter!,
      jobId: message.job.id,
      runAttempt: message.job.runAttempt,
      overrides,
    });
    // Counted where StartBuild accepts the build, once: a takeover that finds the build a crashed
    // worker started above does not count it again. The delivery's wait is its first build's: a
    // relaunch (the reconciler's, a foreign job's) carries the same delivery, long answered.
    recordMetric("RunnerLaunched", 1);
    if (!record.relaunches) recordMetric("DeliveryToStartBuild", ledger.now() - Date.parse(message.receivedAt));
    return await launched(deps, record, buildId, claim.outcome === "taken-over");
  } catch (error) {
    if (error instanceof LeaseLostError) throw new RetryLaterError(error.message, { cause: error });
    const launchError = error instanceof LaunchError ? error : new RetryLaterError(`launch failed: ${(error as Error).message}`, { cause: error });
    if (launchError.retryable) throw await giveUpLease(ledger, record, launchError);
    try {
      return await park(deps, record, message, launchError.message, requestAllowed ? "LaunchParked" : "LaunchRefused");
    } catch (parkError) {
      // Nowhere to park it right now (the queue is down): try the whole launch again soon.
      const retry = new RetryLaterError(`could not park the refused launch (${launchError.message}): ${(parkError as Error).message}`, { cause: parkError });
      throw await giveUpLease(ledger, record, retry);
    }
  }
}

/**
 * Keep the reason (for the day the attempts run out: the parked launch then says what kept
 * failing) and give the lease up, so the message's retry, seconds later after its backoff, takes
 * the launch over instead of finding it busy until the lease would have run out.
 */
async function giveUpLease(ledger: Ledger, record: LaunchRecord, error: RetryLaterError | LaunchError): Promise<LaunchError> {
  await ledger
    .annotate(record.pk, { reason: error.message.slice(0, 1000), leaseUntil: ledger.now() }, { expression: "#fence = :fence", values: { ":fence": record.fence } }, { "#fence": "fence" })
    .catch(() => undefined);
  return error;
}

async function registerRunner(deps: LaunchDeps, message: JobMessage, name: string): Promise<RunnerRegistration> {
  const request = {
    owner: message.job.owner,
    repo: message.job.repo,
    installationId: message.job.installationId,
    name,
    runners: message.runners,
    labels: message.job.labels,
  };
  try {
    return await deps.registry.register(request);
  } catch (error) {
    if (!(error instanceof RunnerNameConflictError)) throw error;
    // A crash after GitHub registered the runner but before the ledger recorded it: that
    // registration's config was never stored, so remove it and register again.
    await deps.registry.unregister({ owner: request.owner, repo: request.repo, scope: request.runners.scope, installationId: request.installationId, name });
    return deps.registry.register(request);
  }
}

async function launched(deps: LaunchDeps, record: LaunchRecord, buildId: string, resumed: boolean): Promise<LaunchOutcome> {
  await deps.ledger.update(record, { state: "launched", buildId, launchedAt: deps.ledger.now() });
  deps.notify?.(jobLaunched(record.request, buildId), record.environment);
  deps.log?.("launched", { jobId: record.jobId, runAttempt: record.runAttempt, environment: record.environment, buildId, runnerName: record.runnerName, resumed });
  return { outcome: "launched", buildId, runnerName: record.runnerName, resumed };
}

/**
 * Park the request, then record the failure and undo what the launch had set up. Parked first: if
 * parking fails the launch is still `launching`, so the retry meets the same failure and parks
 * again, where recording first would leave a `failed` launch that nothing parked (a retry would
 * see a duplicate, and `runway replay` would not find it). Counted as `metric` once it is parked:
 * LaunchRefused for what the job asked that Runway will not do, LaunchParked for a launch that
 * kept failing or failed for a cause of the setup (an operator's to fix: alarmed).
 */
async function park(deps: LaunchDeps, record: LaunchRecord, message: JobMessage, reason: string, metric: "LaunchParked" | "LaunchRefused"): Promise<LaunchOutcome> {
  const target: AwsTarget = { region: message.codebuild.region, roleArn: message.codebuild.roleArn };
  await deps.parking.park(message, reason);
  recordMetric(metric, 1);
  await deps.ledger.annotate(record.pk, { state: "failed", reason }, { expression: "#fence = :fence", values: { ":fence": record.fence } }, { "#fence": "fence" });
  await deps.ledger.releaseSlot(message.environment, record.pk);
  const latest = (await deps.ledger.getByKey(record.pk)) ?? record;
  if (latest.runnerId !== undefined) {
    await deps.registry
      .unregister({ owner: message.job.owner, repo: message.job.repo, scope: message.runners.scope, installationId: message.job.installationId, runnerId: latest.runnerId, name: latest.runnerName })
      .catch(() => undefined); // the reconciler's sweep and GitHub's own expiry catch what this misses
  }
  if (latest.jitParameter !== undefined) await deps.secrets.remove(target, latest.jitParameter).catch(() => undefined);
  deps.notify?.(jobRefused(message, reason), message.environment);
  deps.log?.("launch failed", { jobId: record.jobId, runAttempt: record.runAttempt, environment: record.environment, reason });
  return { outcome: "failed", reason };
}

