/**
 * `runway route --workflows DIR`: which environment would run each self-hosted job of a
 * repository's workflows, and why — answered from the files alone, before anything is pushed.
 * Each job a run would deliver becomes a synthetic `workflow_job` delivery (workflow name, job
 * name, runs-on labels, and the repository, branch and actor given on the command line) routed by
 * the real `route()`. A call to a reusable workflow of the same folder is routed as its jobs, under
 * the caller's workflow name, as GitHub delivers them.
 */
import { resolve } from "node:path";
import type { RunwayConfig } from "../../config/schema.ts";
import type { RouteDecision } from "../../routing/decision.ts";
import { route, type ServedEnvironments } from "../../routing/route.ts";
import { EXIT, type CommandIo } from "../command.ts";
import { cliStage, loadCliConfig } from "../config.ts";
import { UsageError } from "../errors.ts";
import { displayPath, writeJson, writeLine } from "../output.ts";
import { plannedJobs, type CallStep, type PlannedJob } from "../reusable.ts";
import { isGitHubHosted, isReusableOnly, readWorkflows, workflowsFolder, type WorkflowFileError, type WorkflowJobSpec, type WorkflowParse, type WorkflowSpec } from "../workflows.ts";
import { codeBuildRequest } from "../../github/codebuild-labels.ts";
import { resolveRunExpressions } from "../../github/run-label.ts";
import { PermanentLaunchError } from "../../runners/errors.ts";
import { checkAllowed, startBuildOverrides } from "../../runners/runner-labels.ts";
import { renderReport } from "./route-workflows-text.ts";

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
  /** The job's key; for a called workflow's job, the caller jobs' keys and its own, joined by `/`. */
  id: string;
  /** The name its deliveries carry (`lint / Lint` for a called workflow's job). */
  name: string;
  line: number;
  reason: string;
  /** The file the job is written in, when it is a called workflow's (else the workflow's own). */
  path?: string;
  /** The job-level `uses:`: of a call left unexpanded, or of the call that brought this job in. */
  uses?: string;
  /** The calls that bring a called workflow's job into this workflow's run, outermost first. */
  via?: CallStep[];
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

/** A file only `on: workflow_call`: never a run of its own, its jobs run in its callers' runs. */
export interface ReusableReport {
  path: string;
  name: string;
  /** The workflows of this folder whose runs deliver its jobs. */
  calledBy: string[];
}

export interface WorkflowsReport {
  stage: string | null;
  context: RunContext;
  workflows: WorkflowReport[];
  reusable: ReusableReport[];
  errors: WorkflowFileError[];
}

/**
 * Run the subcommand; exit 0 when every workflow file was read, 1 when one was broken.
 *
 * @throws UsageError when the folder holds no workflow file at all.
 */
export async function routeWorkflows(io: CommandIo, options: RouteWorkflowsOptions): Promise<number> {
  if (options.repo !== undefined && !/^[^/\s]+\/[^/\s]+$/.test(options.repo)) {
    throw new UsageError(`--repo ${options.repo}: expected owner/name, like acme/payments`);
  }
  const { file, config } = loadCliConfig(io, options.config);
  const stage = cliStage(io, config, file, options.stage);
  const folder = workflowsFolder(resolve(io.cwd, options.dir));
  const files = readWorkflows(folder, (path) => displayPath(io.cwd, path));
  if (files.size === 0) throw new UsageError(`${displayPath(io.cwd, folder)}: no workflow files (*.yml, *.yaml) in it, so there is nothing to route`);
  const context: RunContext = { repo: options.repo, branch: options.branch, actor: options.actor };
  const report = reportFolder(files, config, stage.served, context, stage.stage ?? null);

  if (options.json) writeJson(io.stdout, report);
  else for (const line of renderReport(report, displayPath(io.cwd, folder))) writeLine(io.stdout, line);
  // A script reading --json still learns of broken files without parsing the report.
  if (options.json) for (const e of report.errors) writeLine(io.stderr, `${e.path}:${e.line}:${e.column} ${e.message}`);
  return report.errors.length > 0 ? EXIT.no : EXIT.ok;
}

/** Route every job of every workflow of a folder (`readWorkflows`). */
export function reportFolder(
  files: ReadonlyMap<string, WorkflowParse>,
  config: RunwayConfig,
  served: ServedEnvironments,
  context: RunContext,
  stage: string | null = null,
): WorkflowsReport {
  const parsed = [...files.values()];
  const workflows = parsed.flatMap((p) => ("workflow" in p ? [p.workflow] : []));
  const runs = workflows.filter((w) => !isReusableOnly(w));
  const planned = runs.map((w) => ({ workflow: w, jobs: plannedJobs(w, files, context.repo) }));
  return {
    stage,
    context,
    workflows: planned.map(({ workflow, jobs }) => ({
      path: workflow.path,
      name: workflow.name,
      named: workflow.named,
      jobs: jobs.map((job) => reportJob(workflow, job, config, served, context)),
    })),
    reusable: workflows.filter(isReusableOnly).map((w) => ({
      path: w.path,
      name: w.name,
      calledBy: planned.filter(({ jobs }) => jobs.some((j) => j.via.some((step) => step.path === w.path))).map(({ workflow }) => workflow.path),
    })),
    errors: parsed.flatMap((p) => ("error" in p ? [p.error] : [])),
  };
}

function reportJob(workflow: WorkflowSpec, planned: PlannedJob, config: RunwayConfig, served: ServedEnvironments, context: RunContext): JobReport {
  const { job, via } = planned;
  const called = via.at(-1);
  const base = {
    id: job.id,
    name: job.name,
    line: job.line,
    ...(planned.kind === "run" && planned.path !== undefined ? { path: planned.path } : {}),
    ...(planned.kind === "call" ? { uses: planned.uses } : called ? { uses: called.uses } : {}),
    ...(via.length > 0 ? { via } : {}),
  };
  if (planned.kind === "call") {
    return { ...base, verdict: "skipped", reason: `${planned.reason}; its jobs' deliveries carry this workflow's name` };
  }
  const { runsOn } = job;
  switch (runsOn.kind) {
    case "reusable":
      // plannedJobs expands or reports every call; a reusable job here would be a bug there.
      return { ...base, verdict: "skipped", reason: `calls the reusable workflow ${runsOn.uses}` };
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
      const runner = { labels: runsOn.labels, ...(runsOn.group !== undefined ? { group: runsOn.group } : {}) };
      if (decision.outcome !== "routed") {
        return { ...base, verdict: "ignored", ...runner, reason: [...notes(job, planned.notes), decision.reason, ...unknownFacts(decision)].join("; "), decision };
      }
      const { refusal, perRun } = overrideCheck(labels, decision.codebuild.allowOverrides);
      if (refusal) return { ...base, verdict: "refused", environment: decision.environment, ...runner, reason: `${decision.environment} would refuse it: ${refusal}`, decision };
      const reason = [...notes(job, planned.notes), decision.reason, ...perRun].join("; ");
      return { ...base, verdict: "routed", environment: decision.environment, ...runner, reason, decision };
    }
  }
}

/**
 * What the launcher would refuse in these labels (the same checks it makes), and the overrides
 * whose value each run decides, which only the launcher can check.
 */
function overrideCheck(labels: string[], allowed: string[]): { refusal?: string; perRun: string[] } {
  const { overrides, problems } = codeBuildRequest(labels);
  if (problems[0] !== undefined) return { refusal: problems[0], perRun: [] };
  const perRun = overrides.filter((o) => o.value.includes("${{"));
  try {
    for (const override of perRun) checkAllowed(override, allowed);
    startBuildOverrides(overrides.filter((o) => !o.value.includes("${{")), allowed);
  } catch (error) {
    if (error instanceof PermanentLaunchError) return { refusal: error.message, perRun: [] };
    throw error;
  }
  return { perRun: perRun.map((o) => `${o.written} is decided by each run: the launcher refuses a value it cannot read`) };
}

/** Caveats that make the answer for a real run differ from the one given here. */
function notes(job: WorkflowJobSpec, expansion: string[]): string[] {
  if (job.name.includes("${{")) return [...expansion, `the job's name ${job.name} is an expression: JOB_NAME filters saw it unresolved`];
  if (job.matrix && job.name.split(" / ").at(-1) === job.id.split("/").at(-1)) {
    return [...expansion, `a matrix job: a run names it "${job.name} (…matrix values)", which JOB_NAME filters see`];
  }
  return expansion;
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

/** The run a workflow file is routed as: its run label's `${{ github.run_id }}` resolves to this. */
const SYNTHETIC_RUN_ID = 1;

/** A `workflow_job` `queued` delivery as GitHub would send it for this job, as far as the files tell. */
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
