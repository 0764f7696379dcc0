/**
 * `runway route --workflows DIR`: which environment would run each self-hosted job of a
 * repository's workflows, and why — answered from the files alone, before anything is pushed.
 * Each job becomes a synthetic `workflow_job` delivery (workflow name, job name, runs-on labels,
 * and the repository, branch and actor given on the command line) routed by the real `route()`.
 */
import { resolve } from "node:path";
import type { RunwayConfig } from "../../config/schema.ts";
import type { RouteDecision } from "../../routing/decision.ts";
import { route, type ServedEnvironments } from "../../routing/route.ts";
import { EXIT, type CommandIo } from "../command.ts";
import { cliStage, loadCliConfig } from "../config.ts";
import { UsageError } from "../errors.ts";
import { displayPath, plural, writeJson, writeLine } from "../output.ts";
import { isGitHubHosted, readWorkflows, workflowsFolder, type WorkflowFileError, type WorkflowJobSpec, type WorkflowSpec } from "../workflows.ts";
import { resolveRunExpressions } from "../../github/run-label.ts";
import { PermanentLaunchError } from "../../runners/errors.ts";
import { buildOverrides } from "../../runners/runner-labels.ts";

/** What the command line says about the runs: the fields a workflow file does not carry. */
export interface RunContext {
  /** `owner/name`. */
  repo?: string | undefined;
  branch?: string | undefined;
  actor?: string | undefined;
}

export interface RouteWorkflowsOptions extends RunContext {
  dir: string;
  config?: string | undefined;
  stage?: string | undefined;
  json: boolean;
}

/** One job's verdict. `decision` (with its trace) is there when the job was routed. */
export type JobReport = {
  id: string;
  name: string;
  line: number;
  reason: string;
} & (
  | { verdict: "routed"; environment: string; labels: string[]; group?: string; decision: RouteDecision }
  /** Routed, but the launcher would refuse it: a runner-label override the environment does not allow. */
  | { verdict: "refused"; environment: string; labels: string[]; group?: string; decision: RouteDecision }
  | { verdict: "ignored"; labels: string[]; group?: string; decision: RouteDecision }
  | { verdict: "github-hosted"; labels: string[] }
  | { verdict: "unresolved"; expression: string }
  | { verdict: "skipped" }
);

export interface WorkflowReport {
  path: string;
  name: string;
  named: boolean;
  jobs: JobReport[];
}

export interface WorkflowsReport {
  stage: string | null;
  context: RunContext;
  workflows: WorkflowReport[];
  errors: WorkflowFileError[];
}

/** Run the subcommand; exit 0 when every workflow file was read, 1 when one was broken. */
export async function routeWorkflows(io: CommandIo, options: RouteWorkflowsOptions): Promise<number> {
  if (options.repo !== undefined && !/^[^/\s]+\/[^/\s]+$/.test(options.repo)) {
    throw new UsageError(`--repo ${options.repo}: expected owner/name, like acme/payments`);
  }
  const { file, config } = loadCliConfig(io, options.config);
  const stage = cliStage(io, config, file, options.stage);
  const folder = workflowsFolder(resolve(io.cwd, options.dir));
  const parsed = readWorkflows(folder, (path) => displayPath(io.cwd, path));
  const context: RunContext = { repo: options.repo, branch: options.branch, actor: options.actor };

  const report: WorkflowsReport = {
    stage: stage.stage ?? null,
    context,
    workflows: parsed.flatMap((p) => ("workflow" in p ? [reportWorkflow(p.workflow, config, stage.served, context)] : [])),
    errors: parsed.flatMap((p) => ("error" in p ? [p.error] : [])),
  };

  if (options.json) writeJson(io.stdout, report);
  else for (const line of renderReport(report, displayPath(io.cwd, folder))) writeLine(io.stdout, line);
  // A script reading --json still learns of broken files without parsing the report.
  if (options.json) for (const e of report.errors) writeLine(io.stderr, `${e.path}:${e.line}:${e.column} ${e.message}`);
  return report.errors.length > 0 ? EXIT.no : EXIT.ok;
}

/** Route every job of one workflow. */
export function reportWorkflow(workflow: WorkflowSpec, config: RunwayConfig, served: ServedEnvironments, context: RunContext): WorkflowReport {
  return {
    path: workflow.path,
    name: workflow.name,
    named: workflow.named,
    jobs: workflow.jobs.map((job) => reportJob(workflow, job, config, served, context)),
  };
}

function reportJob(workflow: WorkflowSpec, job: WorkflowJobSpec, config: RunwayConfig, served: ServedEnvironments, context: RunContext): JobReport {
  const base = { id: job.id, name: job.name, line: job.line };
  const { runsOn } = job;
  switch (runsOn.kind) {
    case "reusable":
      return {
        ...base,
        verdict: "skipped",
        reason: `calls the reusable workflow ${runsOn.uses}: that file's runs-on decide, and its jobs' deliveries carry this workflow's name`,
      };
    case "invalid":
      return { ...base, verdict: "skipped", reason: runsOn.message };
    case "expression":
      return {
        ...base,
        verdict: "unresolved",
        expression: runsOn.expression,
        reason: `runs-on is ${runsOn.expression}, an expression only a run can resolve; route a real delivery with \`runway route <payload.json>\``,
      };
    case "labels": {
      if (isGitHubHosted(runsOn.labels)) {
        return { ...base, verdict: "github-hosted", labels: runsOn.labels, reason: `GitHub-hosted (${runsOn.labels.join(", ")}): GitHub runs it, not Runway` };
      }
      const labels = runsOn.labels.map((label) => resolveRunExpressions(label, SYNTHETIC_RUN_ID));
      const decision = route(syntheticPayload(workflow, job, labels, context), config, served);
      const reason = [...notes(job), decision.reason, ...unknownFacts(decision)].join("; ");
      const runner = { labels: runsOn.labels, ...(runsOn.group !== undefined ? { group: runsOn.group } : {}) };
      if (decision.outcome !== "routed") return { ...base, verdict: "ignored", ...runner, reason, decision };
      const refusal = overrideRefusal(labels, decision.codebuild.allowOverrides);
      return refusal
        ? { ...base, verdict: "refused", environment: decision.environment, ...runner, reason: `${decision.environment} would refuse it: ${refusal}`, decision }
        : { ...base, verdict: "routed", environment: decision.environment, ...runner, reason, decision };
    }
  }
}

/** What the launcher would refuse in these labels (the same check it makes), or undefined. */
function overrideRefusal(labels: string[], allowed: string[]): string | undefined {
  try {
    buildOverrides(labels, allowed);
    return undefined;
  } catch (error) {
    if (error instanceof PermanentLaunchError) return error.message;
    throw error;
  }
}

/** Caveats that make the answer for a real run differ from the one given here. */
function notes(job: WorkflowJobSpec): string[] {
  if (job.name.includes("${{")) return [`the job's name ${job.name} is an expression: JOB_NAME filters saw it unresolved`];
  if (job.matrix && job.name === job.id) return [`a matrix job: a run names it "${job.name} (…matrix values)", which JOB_NAME filters see`];
  return [];
}

/** The command-line option that supplies each field a workflow file cannot. */
const OPTION_FOR: Partial<Record<string, string>> = {
  HEAD_BRANCH: "--branch",
  REPOSITORY: "--repo",
  REPOSITORY_NAME: "--repo",
  ORGANIZATION_NAME: "--repo",
  ACTOR: "--actor",
};

/**
 * For an ignored job: environments whose only failing filters looked at a field nobody gave (the
 * branch, the repository), so that "no filter matched" does not read as "never matches".
 */
function unknownFacts(decision: RouteDecision): string[] {
  if (decision.outcome === "routed") return [];
  return decision.trace.flatMap((env) => {
    if (!env.served || env.missingLabels.length > 0) return [];
    const group = env.groups.find((g) => {
      const failed = g.filters.filter((f) => !f.passed);
      return failed.length > 0 && failed.every((f) => f.value === null && OPTION_FOR[f.type] !== undefined);
    });
    if (!group) return [];
    const fields = [...new Set(group.filters.filter((f) => !f.passed).map((f) => f.type))];
    const options = [...new Set(fields.map((f) => OPTION_FOR[f]))];
    return [`${env.environment} could take it: its group ${group.group} needs ${fields.join(", ")}, which the files do not say (give ${options.join(", ")})`];
  });
}

/** A `workflow_job` `queued` delivery as GitHub would send it for this job, as far as the files tell. */
/** The run a workflow file is routed as: its run label's `${{ github.run_id }}` resolves to this. */
const SYNTHETIC_RUN_ID = 1;

export function syntheticPayload(workflow: WorkflowSpec, job: WorkflowJobSpec, labels: string[], context: RunContext): Record<string, unknown> {
  const [owner, name] = context.repo?.split("/") ?? [];
  return {
    action: "queued",
    workflow_job: {
      run_id: SYNTHETIC_RUN_ID,
      run_attempt: 1,
      name: job.name,
      workflow_name: workflow.name,
      labels,
      head_branch: context.branch ?? null,
    },
    ...(context.repo ? { repository: { full_name: context.repo, name, owner: { login: owner } } } : {}),
    ...(context.actor ? { sender: { login: context.actor } } : {}),
  };
}

function renderReport(report: WorkflowsReport, folder: string): string[] {
  const { repo, branch, actor } = report.context;
  const assumed = [
    repo ? `repository ${repo}` : "no --repo (REPOSITORY filters see nothing)",
    branch ? `branch ${branch}` : "no --branch (HEAD_BRANCH filters see nothing)",
    ...(actor ? [`actor ${actor}`] : []),
  ];
  const lines = [
    `Workflows in ${folder}; ${report.stage ? `stage ${report.stage}` : "no stage, every environment served"}; ${assumed.join(", ")}`,
  ];
  for (const workflow of report.workflows) {
    lines.push("", `${workflow.path}: workflow ${JSON.stringify(workflow.name)}${workflow.named ? "" : " (no name:, so GitHub uses the file's path)"}`);
    if (workflow.jobs.length === 0) lines.push("  (no jobs)");
    for (const job of workflow.jobs) {
      const title = job.name === job.id ? job.id : `${job.id} ${JSON.stringify(job.name)}`;
      const group = "group" in job ? `group ${job.group}, labels ` : "";
      const runsOn = "labels" in job ? `, runs-on: ${group}${job.labels.join(", ") || "(no labels)"}` : "";
      lines.push(`  job ${title} (line ${job.line})${runsOn}`);
      lines.push(`    → ${headline(job)}`);
    }
  }
  for (const error of report.errors) lines.push("", `${error.path}:${error.line}:${error.column} ${error.message}`);
  lines.push("", summary(report));
  return lines;
}

function headline(job: JobReport): string {
  switch (job.verdict) {
    case "routed":
      return `${job.environment}: ${job.reason}`;
    case "ignored":
      return `ignored: ${job.reason}`;
    case "refused":
      return `refused: ${job.reason}`;
    case "github-hosted":
      return job.reason;
    case "unresolved":
      return `unresolved: ${job.reason}`;
    case "skipped":
      return `skipped: ${job.reason}`;
  }
}

function summary(report: WorkflowsReport): string {
  const jobs = report.workflows.flatMap((w) => w.jobs);
  const count = (verdict: JobReport["verdict"]) => jobs.filter((j) => j.verdict === verdict).length;
  const byEnv = new Map<string, number>();
  for (const job of jobs) if (job.verdict === "routed") byEnv.set(job.environment, (byEnv.get(job.environment) ?? 0) + 1);
  const routed = [...byEnv].map(([env, n]) => `${n} to ${env}`).join(", ");
  const parts = [
    `${count("routed")} routed${routed ? ` (${routed})` : ""}`,
    ...(count("refused") > 0 ? [`${count("refused")} refused`] : []),
    `${count("ignored")} ignored`,
    `${count("github-hosted")} GitHub-hosted`,
    `${count("unresolved")} unresolved`,
    ...(count("skipped") > 0 ? [`${count("skipped")} skipped`] : []),
  ];
  const broken = report.errors.length > 0 ? `; ${plural(report.errors.length, "file")} could not be read` : "";
  return `${plural(report.workflows.length, "workflow")}, ${plural(jobs.length, "job")}: ${parts.join(", ")}${broken}`;
}
