/**
 * Routing: a `workflow_job` delivery and the configuration in, the environment that owns the job
 * (its CodeBuild project and labels) or a reason to ignore it out. Pure and total: it reads no
 * clock, no network and no disk, and it never throws on anything GitHub sends.
 */
import type { RunwayConfig } from "../config/schema.ts";
import { jobLabels, stringAt } from "../github/workflow-job.ts";
import type { EnvironmentTrace, RouteDecision } from "./decision.ts";
import { describeFilter, evaluateGroups } from "./match.ts";

/** Which environments the running stage serves: every one, or a named set. */
export type ServedEnvironments = "all" | ReadonlySet<string>;

/**
 * Decide which environment, if any, runs this job.
 *
 * A job belongs to an environment when one of its filter groups matches and the job's `runs-on`
 * labels include every label the environment requires (compared case-insensitively, as GitHub
 * does). When two environments claim the same job, neither gets it: a deploy meant for dev must
 * never run in prd because of an overlapping pattern, and the reason names both.
 *
 * @example
 * const decision = route(payload, config, new Set(["dev"]));
 * if (decision.outcome === "routed") console.log(decision.environment, decision.codebuild.project);
 * else console.log(decision.reason); // no environment's workflow filter matched "deploy-web"
 */
export function route(payload: unknown, config: RunwayConfig, served: ServedEnvironments = "all"): RouteDecision {
  const labels = jobLabels(payload);
  const have = new Set(labels.map((l) => l.toLowerCase()));
  const trace: EnvironmentTrace[] = Object.entries(config.environments).map(([environment, env]) => {
    const groups = evaluateGroups(env.workflows, payload);
    return {
      environment,
      served: served === "all" || served.has(environment),
      workflowMatched: groups.some((g) => g.matched),
      missingLabels: env.labels.filter((l) => !have.has(l.toLowerCase())),
      groups,
    };
  });

  const workflow = workflowTitle(payload);
  const claimed = trace.filter((t) => t.workflowMatched && t.missingLabels.length === 0);
  const mine = claimed.filter((t) => t.served);

  if (claimed.length > 1) {
    const names = claimed.map((t) => t.environment).join(" and ");
    return { outcome: "ignored", reason: `${workflow} matched ${names}: make their filters exclusive so a job has one environment`, trace };
  }
  const winner = mine[0];
  if (winner) {
    const env = config.environments[winner.environment]!;
    const group = winner.groups.find((g) => g.matched)!;
    return {
      outcome: "routed",
      environment: winner.environment,
      codebuild: {
        project: env.codebuild.project,
        region: env.codebuild.region,
        roleArn: env.codebuild.roleArn,
        allowOverrides: env.codebuild.allowOverrides,
      },
      labels,
      runnerGroupId: env.runnerGroupId,
      concurrency: env.concurrency,
      reason: `${workflow} matched ${winner.environment} (group ${group.group}: ${group.filters.map(describeFilter).join(", ")})`,
      trace,
    };
  }
  return { outcome: "ignored", reason: whyIgnored(workflow, labels, trace), trace };
}

function workflowTitle(payload: unknown): string {
  const name = stringAt(payload, "workflow_job", "workflow_name");
  return name === undefined ? "a workflow with no name (the delivery has no workflow_name)" : `workflow "${name}"`;
}

function whyIgnored(workflow: string, labels: string[], trace: EnvironmentTrace[]): string {
  const unserved = trace.find((t) => t.workflowMatched && t.missingLabels.length === 0 && !t.served);
  if (unserved) return `${workflow} matched ${unserved.environment}, which this stage does not serve`;
  const lacking = trace.find((t) => t.workflowMatched);
  if (lacking) {
    const shown = labels.length > 0 ? labels.join(", ") : "none";
    return `${workflow} matched ${lacking.environment}, but the job's runs-on labels (${shown}) lack ${lacking.missingLabels.join(", ")}`;
  }
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
