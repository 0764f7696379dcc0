/**
 * Reads a repository's GitHub Actions workflow files far enough to route their jobs: each
 * workflow's name (GitHub falls back to the file's path when `name:` is absent), each job's name
 * and its `runs-on`. A broken file is reported with its line and does not stop the others.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { UsageError } from "./errors.ts";
import { isGitHubHostedLabel } from "../github/hosted-labels.ts";
import { resolveRunExpressions } from "../github/run-label.ts";

/** What a job's `runs-on` says, as far as it can be known without running the workflow. */
export type RunsOn =
  /** Literal labels (a string, a list, or `{ group, labels }`). */
  | { kind: "labels"; labels: string[]; group?: string }
  /** Contains `${{ … }}`: only a run knows the labels. */
  | { kind: "expression"; expression: string }
  /** The job calls a reusable workflow (`uses:`) and has no runner of its own. */
  | { kind: "reusable"; uses: string }
  /** No `runs-on`, or one GitHub would reject. */
  | { kind: "invalid"; message: string };

export interface WorkflowJobSpec {
  /** The job's key under `jobs:`. */
  id: string;
  /** The job's `name:`, else its key: what `workflow_job.name` carries. */
  name: string;
  line: number;
  runsOn: RunsOn;
  /** `strategy.matrix` is set: GitHub appends the matrix values to an unnamed job's name. */
  matrix: boolean;
}

export interface WorkflowSpec {
  /** The file as the person can open it. */
  path: string;
  /** The `workflow_name` GitHub sends: `name:`, else `.github/workflows/<file>`. */
  name: string;
  /** Whether `name:` was set. */
  named: boolean;
  jobs: WorkflowJobSpec[];
}

export interface WorkflowFileError {
  path: string;
  line: number;
  column: number;
  message: string;
}

export type WorkflowParse = { workflow: WorkflowSpec } | { error: WorkflowFileError };

/** Whether GitHub's hosted runners, not Runway's, run a job with these labels. */
export function isGitHubHosted(labels: string[]): boolean {
  return labels.length > 0 && labels.every(isGitHubHostedLabel);
}

/**
 * The workflows folder: `<dir>/.github/workflows` when `dir` is a repository root, else `dir`.
 *
 * @throws UsageError when neither is a directory.
 */
export function workflowsFolder(dir: string): string {
  const nested = join(dir, ".github", "workflows");
  if (isDirectory(nested)) return nested;
  if (isDirectory(dir)) return dir;
  throw new UsageError(`${dir}: not a directory; give a repository root or its .github/workflows folder`);
}

/** Every `*.yml` / `*.yaml` file of the folder, in name order, parsed or with its error. */
export function readWorkflows(folder: string, display: (path: string) => string = (p) => p): WorkflowParse[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const path = resolve(folder, name);
      return parseWorkflow(readFileSync(path, "utf8"), display(path), name);
    });
}

/**
 * Parse one workflow file.
 *
 * @param path how to name the file in errors
 * @param fileName the file's base name, for the `.github/workflows/<file>` fallback name
 */
export function parseWorkflow(text: string, path: string, fileName = basename(path)): WorkflowParse {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { line, column: col };
  };
  const fail = (offset: number | undefined, message: string): WorkflowParse => ({ error: { path, ...at(offset), message } });

  const syntax = doc.errors[0];
  if (syntax) return fail(syntax.pos[0], `not valid YAML: ${syntax.message.split("\n")[0]}`);
  if (!isMap(doc.contents)) return fail(doc.contents?.range?.[0], "a workflow is a mapping with on: and jobs:");
  const jobsNode = doc.contents.get("jobs", true);
  if (!isMap(jobsNode)) {
    const where = jobsNode?.range?.[0] ?? doc.contents.range?.[0];
    return fail(where, jobsNode === undefined ? "no jobs: a workflow needs at least one job" : "jobs: must map job ids to jobs");
  }

  const name = doc.contents.get("name");
  const jobs: WorkflowJobSpec[] = [];
  for (const pair of jobsNode.items) {
    const keyNode = isScalar(pair.key) ? pair.key : undefined;
    const id = String(keyNode?.value);
    if (!isMap(pair.value)) return fail(keyNode?.range?.[0], `job ${id} is not a mapping of steps, runs-on and the rest`);
    const job = pair.value.toJSON() as Record<string, unknown>;
    jobs.push({
      id,
      name: typeof job.name === "string" || typeof job.name === "number" ? String(job.name) : id,
      line: at(keyNode?.range?.[0]).line,
      runsOn: readRunsOn(job),
      matrix: typeof job.strategy === "object" && job.strategy !== null && "matrix" in job.strategy,
    });
  }
  return {
    workflow: {
      path,
      name: typeof name === "string" && name !== "" ? name : `.github/workflows/${fileName}`,
      named: typeof name === "string" && name !== "",
      jobs,
    },
  };
}

function readRunsOn(job: Record<string, unknown>): RunsOn {
  const value = job["runs-on"];
  if (value === undefined) {
    return typeof job.uses === "string" ? { kind: "reusable", uses: job.uses } : { kind: "invalid", message: "the job has no runs-on" };
  }
  // The run label's expressions resolve the same way in every run; any other needs a run.
  if (resolveRunExpressions(JSON.stringify(value), 1).includes("${{")) {
    return { kind: "expression", expression: typeof value === "string" ? value : JSON.stringify(value) };
  }
  if (typeof value === "string") return { kind: "labels", labels: [value] };
  if (Array.isArray(value) && value.every((l) => typeof l === "string")) return { kind: "labels", labels: value };
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const { group, labels } = value as { group?: unknown; labels?: unknown };
    const list = typeof labels === "string" ? [labels] : Array.isArray(labels) ? labels : labels === undefined ? [] : undefined;
    if (list?.every((l) => typeof l === "string") && (group === undefined || typeof group === "string")) {
      return group === undefined ? { kind: "labels", labels: list } : { kind: "labels", labels: list, group };
    }
  }
  return { kind: "invalid", message: `runs-on ${JSON.stringify(value)} is not a label, a list of labels or { group, labels }` };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
