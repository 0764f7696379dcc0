/** `runway route --workflows` for a person: per workflow and job, where it goes and why, then a summary. */
import { plural } from "../output.ts";
import type { JobReport, WorkflowsReport } from "./route-workflows.ts";

/** The report as lines of text. */
export function renderReport(report: WorkflowsReport, folder: string): string[] {
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
      lines.push(`  job ${title(job)}${runsOn(job)}`);
      lines.push(`    → ${headline(job)}`);
    }
  }
  for (const reusable of report.reusable) {
    const callers = reusable.calledBy.length > 0 ? `routed above as part of ${reusable.calledBy.join(", ")}` : "no workflow here calls it, so its jobs run in callers elsewhere, under their names";
    lines.push("", `${reusable.path}: reusable workflow ${JSON.stringify(reusable.name)} (on: workflow_call only): never a run of its own; ${callers}`);
  }
  for (const error of report.errors) lines.push("", `${error.path}:${error.line}:${error.column} ${error.message}`);
  lines.push("", summary(report));
  return lines;
}

function title(job: JobReport): string {
  if (job.via) {
    const calls = job.via.map((step) => `${step.job} (line ${step.line}) uses ${step.uses}`).join(", then ");
    return `${JSON.stringify(job.name)} (${job.path ?? "?"} line ${job.line}; ${calls})`;
  }
  const name = job.name === job.id ? job.id : `${job.id} ${JSON.stringify(job.name)}`;
  return `${name} (line ${job.line})`;
}

function runsOn(job: JobReport): string {
  if (job.uses !== undefined && !job.via) return `, uses: ${job.uses}`;
  if (!("labels" in job)) return "";
  const group = "group" in job ? `group ${job.group}, labels ` : "";
  return `, runs-on: ${group}${job.labels.join(", ") || "(no labels)"}`;
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
  const called = jobs.filter((j) => j.via).length;
  const calls = called > 0 ? ` (${called} of them from reusable workflows)` : "";
  const reusable = report.reusable.length > 0 ? `; ${plural(report.reusable.length, "reusable workflow")} run only from callers` : "";
  const broken = report.errors.length > 0 ? `; ${plural(report.errors.length, "file")} could not be read` : "";
  return `${plural(report.workflows.length, "workflow")}, ${plural(jobs.length, "job")}${calls}: ${parts.join(", ")}${reusable}${broken}`;
}
