/**
 * Runway's own metrics: CloudWatch embedded metric format (EMF) through Powertools for AWS Lambda's
 * Metrics, namespace `Runway`. A function's middy stack flushes them once per invocation
 * (`logMetrics(metrics)`), so recording one costs a push onto an array; CloudWatch turns the EMF
 * line in the function's log into the metric, no PutMetricData call and no IAM permission needed.
 *
 * Every metric carries the same two dimensions, `service` ("runway") and `stage`, so one alarm or
 * dashboard widget per metric covers a stage. Which environment, job or App a figure is about goes
 * on the caller's log line, not into a dimension: a dimension per environment would need an alarm
 * per environment, and one invocation's EMF line holds the figures of a whole batch.
 *
 * The names are a contract with the template's alarms and dashboard (lib/build/serverless-alarms.cjs)
 * and the README's runbook: rename one in all three.
 */
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { metricsWarnings } from "./metrics-warnings.ts";

export const METRICS_NAMESPACE = "Runway";

/** What Runway measures, and in which unit. */
export const RUNWAY_METRICS = {
  /** A runner build started for a job (StartBuild accepted). */
  RunnerLaunched: MetricUnit.Count,
  /** From the `queued` delivery reaching the webhook to StartBuild accepting the build. */
  DeliveryToStartBuild: MetricUnit.Milliseconds,
  /** From GitHub queueing the job to a runner taking it (the job's `in_progress`). */
  QueuedToJobTaken: MetricUnit.Milliseconds,
  /** A launch that kept failing, parked in the job dead-letter queue with its reason. */
  LaunchParked: MetricUnit.Count,
  /** A launch Runway will not make (GitHub-hosted image, override not allowed, relaunches used up …). */
  LaunchRefused: MetricUnit.Count,
  /** A Runway runner took a job of another run, environment, or one Runway did not route. */
  ForeignJobCaught: MetricUnit.Count,
  /** Reconciler actions, one metric each. */
  ReconcilerBuildStopped: MetricUnit.Count,
  ReconcilerRelaunched: MetricUnit.Count,
  ReconcilerJitConfigDeleted: MetricUnit.Count,
  /** A reconciler pass that could not finish (GitHub or AWS could not be asked). */
  ReconcilerFailed: MetricUnit.Count,
  /** Failed deliveries the redeliverer asked GitHub to send again. */
  RedeliveryRequested: MetricUnit.Count,
  /** GitHub's `x-ratelimit-remaining` on the App's last answer (alarm on its Minimum). */
  GitHubRateLimitRemaining: MetricUnit.Count,
  /** A GitHub App skipped until its rate limit resets. */
  GitHubAppRateLimited: MetricUnit.Count,
  /** Deployment validation verdicts (CodeDeploy hooks, ECS hooks, protection rules). */
  HookSucceeded: MetricUnit.Count,
  HookFailed: MetricUnit.Count,
  /** A Slack post that failed (it is retried, then parked in the notify dead-letter queue). */
  SlackDeliveryFailed: MetricUnit.Count,
  /** A runner build that failed while installing the runner (build-events, INSTALL phase). */
  RunnerInstallFailed: MetricUnit.Count,
  /** 1 when the resolver could not record GitHub's latest actions/runner release, else 0. */
  RunnerReleaseBehind: MetricUnit.Count,
} as const;

export type RunwayMetric = keyof typeof RUNWAY_METRICS;

/** The process-wide metrics buffer; `logMetrics(metrics)` in each function's middy stack flushes it. */
export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "runway",
  defaultDimensions: { stage: process.env.RUNWAY_STAGE ?? "local" },
  // Powertools' own warnings as structured log lines, without the one every quiet invocation would log.
  logger: metricsWarnings,
});

/**
 * Record one figure (kept until the invocation's flush). A value that is not a finite number (a
 * latency whose start is unknown) is dropped rather than published as a lie.
 *
 * @example
 * recordMetric("RunnerLaunched", 1);
 * recordMetric("DeliveryToStartBuild", Date.now() - message.receivedAt);
 */
export function recordMetric(name: RunwayMetric, value: number): void {
  if (!Number.isFinite(value)) return;
  metrics.addMetric(name, RUNWAY_METRICS[name], value);
}

/**
 * Give every later figure this stage's dimension: for a process that learns its stage after this
 * module was loaded (the local stack sets RUNWAY_STAGE when it starts). Deployed functions get
 * theirs from RUNWAY_STAGE at load and never call this.
 *
 * @example
 * setMetricsStage("dev");
 */
export function setMetricsStage(stage: string): void {
  // Cleared first: overwriting a default dimension in place makes Powertools warn.
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ service: process.env.POWERTOOLS_SERVICE_NAME ?? "runway", stage });
}
