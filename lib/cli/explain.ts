/**
 * A routing decision explained for a person reading a terminal: what the job looked like, then per
 * environment whether the stage serves it, each filter group and each filter with the value it saw,
 * the labels it requires and lacks, and last the decision's own one-sentence reason.
 */
import type { RunwayConfig } from "../config/schema.ts";
import { jobLabels, stringAt } from "../github/workflow-job.ts";
import type { EnvironmentTrace, RouteDecision } from "../routing/decision.ts";
import { describeFilter } from "../routing/match.ts";
import type { CliStage } from "./config.ts";

/**
 * The explanation, one string per line.
 *
 * @example
 * explainDecision(payload, route(payload, config), config, { stage: undefined, served: "all" }).join("\n");
 * // Job "deploy" of workflow "deploy-web" (acme/web, branch main), runs-on: self-hosted, runway
 * // …
 * // Ignored: no environment's workflow filter matched "deploy-web"
 */
export function explainDecision(payload: unknown, decision: RouteDecision, config: RunwayConfig, stage: CliStage): string[] {
  const lines = [describeJob(payload), describeStage(stage), ""];
  for (const env of decision.trace) {
    lines.push(`${env.environment}: ${env.served ? "served" : "not served by this stage"}; ${verdict(env, decision)}`);
    for (const group of env.groups) {
      lines.push(`  group ${group.group} ${group.matched ? "matched" : "did not match"}`);
      for (const filter of group.filters) lines.push(`    ${filter.passed ? "✓" : "✗"} ${describeFilter(filter)}`);
    }
    const settings = config.environments[env.environment];
    const required = [...(settings?.labels ?? []), ...(settings?.requireRunLabel ? ["the run label"] : [])];
    const missing = env.missingLabels.length > 0 ? `missing ${env.missingLabels.join(", ")}` : "all present";
    lines.push(`  labels: needs ${required.length > 0 ? required.join(", ") : "none"}; ${missing}`);
  }
  lines.push("");
  lines.push(decision.outcome === "routed" ? `Routed to ${decision.environment}: ${decision.reason}` : `Ignored: ${decision.reason}`);
  return lines;
}

function describeJob(payload: unknown): string {
  const job = stringAt(payload, "workflow_job", "name");
  const workflow = stringAt(payload, "workflow_job", "workflow_name");
  const where = [stringAt(payload, "repository", "full_name"), branch(payload)].filter(Boolean).join(", ");
  const labels = jobLabels(payload);
  return [
    `Job ${job === undefined ? "(no name)" : JSON.stringify(job)}`,
    ` of workflow ${workflow === undefined ? "(no workflow_name in the delivery)" : JSON.stringify(workflow)}`,
    where ? ` (${where})` : "",
    `, runs-on: ${labels.length > 0 ? labels.join(", ") : "(no labels)"}`,
  ].join("");
}

function branch(payload: unknown): string | undefined {
  const name = stringAt(payload, "workflow_job", "head_branch");
  return name === undefined ? undefined : `branch ${name}`;
}

function describeStage({ stage, served }: CliStage): string {
  const which = served === "all" ? "every environment" : [...served].join(", ");
  return stage === undefined ? `Stage: none set, so ${which} is served` : `Stage ${stage} serves ${which}`;
}

function verdict(env: EnvironmentTrace, decision: RouteDecision): string {
  if (!env.workflowMatched) return "no filter group matched";
  if (env.missingLabels.length > 0) return `a filter group matched, but the job's runs-on lacks ${env.missingLabels.join(", ")}`;
  if (decision.outcome === "routed" && decision.environment === env.environment) return "takes the job";
  const rivals = decision.trace.filter((t) => t !== env && t.workflowMatched && t.missingLabels.length === 0);
  if (rivals.length > 0) return `claims the job, and so does ${rivals.map((t) => t.environment).join(", ")}`;
  return "would take the job";
}
