/**
 * Routing: a `workflow_job` delivery and the configuration in, the environment that owns the job
 * (its CodeBuild project and labels) or a reason to ignore it out. Pure and total: it reads no
 * clock, no network and no disk, and it never throws on anything GitHub sends.
 */
import type { RunwayConfig } from "../config/schema.ts";
import { gitHubHostedLabels } from "../github/hosted-labels.ts";
import { RUN_LABEL_TEMPLATE, runLabels } from "../github/run-label.ts";
import { jobFacts, type JobFacts } from "../github/job-facts.ts";
import type { EnvironmentTrace, RoutedDecision, RouteDecision } from "./decision.ts";
import { shownValue } from "./fields.ts";
import { describeFilter, evaluateGroups } from "./match.ts";
import { namelessReason } from "./nameless.ts";

/** Which environments the running stage serves: every one, or a named set. */
export type ServedEnvironments = "all" | ReadonlySet<string>;

/**
 * Decide which environment, if any, runs this job.
 *
 * A job belongs to an environment when one of its filter groups matches and the job's `runs-on`
 * labels include every label the environment requires (compared case-insensitively, as GitHub
 * does), including the run label when the environment requires it. When two environments claim
 * the same job, neither gets it: a deploy meant for dev must never run in prd because of an
 * overlapping pattern, and the reason names both.
 *
 * Some jobs no environment may take, whatever the filters say: a job whose `runs-on` names a
 * GitHub-hosted image (GitHub runs it), and a job whose run label names another run than its own
 * (a runner registered with that label would be handed the other run's jobs).
 *
 * @example
 * const decision = route(payload, config, new Set(["dev"]));
 * if (decision.outcome === "routed") console.log(decision.environment, decision.codebuild.project);
 * else console.log(decision.reason); // no environment's workflow filter matched "deploy-web"
 */
export function route(payload: unknown, config: RunwayConfig, served: ServedEnvironments = "all"): RouteDecision {
  return routeJob(jobFacts(payload), config, served);
}

/**
 * `route()` for a delivery already read into its facts, as the webhook does once where it enters.
 *
 * @example
 * const decision = routeJob(jobFacts(delivery.payload), config, "all");
 */
export function routeJob(job: JobFacts, config: RunwayConfig, served: ServedEnvironments = "all"): RouteDecision {
  const labels = job.labels;
  const have = new Set(labels.map((l) => l.toLowerCase()));
  const hasRunLabel = runLabels(labels).length > 0;
  const trace: EnvironmentTrace[] = Object.entries(config.environments).map(([environment, env]) => {
    const groups = evaluateGroups(env.workflows, job);
    const missing = env.labels.filter((l) => !have.has(l.toLowerCase()));
    return {
      environment,
      served: served === "all" || served.has(environment),
      workflowMatched: groups.some((g) => g.matched),
      // The run label is a required label whose value is the run's own: shown as the template to write.
      missingLabels: env.requireRunLabel && !hasRunLabel ? [...missing, RUN_LABEL_TEMPLATE] : missing,
      groups,
    };
  });

  const workflow = workflowTitle(job);
  const refusal = refuseOutright(job);
  if (refusal) return { outcome: "ignored", reason: `${workflow}: ${refusal}`, trace };
  const claimed = trace.filter((t) => t.workflowMatched && t.missingLabels.length === 0);
  const mine = claimed.filter((t) => t.served);

  if (claimed.length > 1) {
    const names = claimed.map((t) => t.environment).join(" and ");
    return { outcome: "ignored", reason: `${workflow} matched ${names}: make their filters exclusive so a job has one environment`, trace };
  }
  const winner = mine[0];
  if (winner) {
    const group = winner.groups.find((g) => g.matched)!;
    const reason = `${workflow} matched ${winner.environment} (group ${group.group}: ${group.filters.map(describeFilter).join(", ")})`;
    return { ...environmentDecision(config, winner.environment, labels, reason), trace };
  }
  return { outcome: "ignored", reason: whyIgnored(job, workflow, trace), trace };
}

/**
 * The decision that gives a job to a named environment: its CodeBuild project, runner placement
 * and cap. Also how the webhook describes a job that a runner of this environment took although
 * routing gave it to nobody (the job is then watched there, not launched).
 */
export function environmentDecision(config: RunwayConfig, environment: string, labels: string[], reason: string): RoutedDecision {
  const env = config.environments[environment]!;
  return {
    outcome: "routed",
    environment,
    codebuild: { project: env.codebuild.project, region: env.codebuild.region, roleArn: env.codebuild.roleArn, allowOverrides: env.codebuild.allowOverrides },
    labels,
    runners: { scope: env.runners.scope, group: env.runners.group },
    concurrency: env.concurrency,
    reason,
    trace: [],
  };
}

/** Why no environment may take this job whatever its filters say, or undefined. */
function refuseOutright(job: JobFacts): string | undefined {
  const { labels, runId, runAttempt } = job;
  const hosted = gitHubHostedLabels(labels);
  if (hosted.length > 0) return `runs-on names the GitHub-hosted image ${hosted.join(", ")}: GitHub runs this job on its own runners, never Runway`;
  const other = runLabels(labels).find((l) => l.runId !== runId || l.runAttempt !== runAttempt);
  if (other) {
    return `its run label ${other.label} names run ${other.runId} attempt ${other.runAttempt}, but the job is run ${runId ?? "(none)"} attempt ${runAttempt}: a runner registered with that label could be handed the other run's jobs, so Runway launches none (write ${RUN_LABEL_TEMPLATE})`;
  }
  return undefined;
}

function workflowTitle(job: JobFacts): string {
  const name = job.workflowName;
  // Shortened: a reason goes into the answer and the log line, and a name can be 10 KB long.
  return name === undefined ? "a workflow with no name (the delivery has no workflow_name)" : `workflow "${shownValue(name)}"`;
}

function whyIgnored(job: JobFacts, workflow: string, trace: EnvironmentTrace[]): string {
  const unserved = trace.find((t) => t.workflowMatched && t.missingLabels.length === 0 && !t.served);
  if (unserved) return `${workflow} matched ${unserved.environment}, which this stage does not serve`;
  const lacking = trace.find((t) => t.workflowMatched);
  if (lacking) {
    const shown = job.labels.length > 0 ? job.labels.join(", ") : "none";
    return `${workflow} matched ${lacking.environment}, but the job's runs-on labels (${shown}) lack ${lacking.missingLabels.join(", ")}`;
  }
  const nameless = job.workflowName === undefined ? namelessReason(job, trace) : undefined;
  if (nameless) return nameless;
  const near = nearestGroup(trace);
  if (near) {
    const failed = near.group.filters.filter((f) => !f.passed).map(describeFilter).join(", ");
    return `${workflow} matched no environment's filters (nearest: ${near.environment} group ${near.group.group}, where ${failed})`;
  }
  return `no environment's workflow filter matched ${workflow.replace(/^workflow /, "")}`;
}

/**
 * The group whose workflow-name filter matched although another of its filters failed: the
 * workflow is meant for that environment, and the reason should say what kept it out.
 */
function nearestGroup(trace: EnvironmentTrace[]) {
  for (const env of trace) {
    for (const group of env.groups) {
      if (group.filters.some((f) => f.type === "WORKFLOW_NAME" && !f.exclude && f.passed)) return { environment: env.environment, group };
    }
  }
  return undefined;
}
