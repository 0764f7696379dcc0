/**
 * Reads a repository's GitHub Actions workflow files far enough to route their jobs: each
 * workflow's name (GitHub falls back to the file's path when `name:` is absent), its events (a
 * file only `on: workflow_call` is a reusable workflow, never a run of its own), each job's name,
 * its `runs-on`, or the reusable workflow it calls. YAML anchors and aliases are resolved as GitHub
 * resolves them (since 2025; merge keys `<<` excepted, which GitHub does not support). A broken file
 * is reported with its line and does not stop the others.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { isAlias, isMap, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from "yaml";
import { UsageError } from "./errors.ts";
import { onlyOverridesVary } from "../github/codebuild-labels.ts";
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
  /** A reusable workflow call's `with:`, each value as text. */
  with: Record<string, string>;
  /** `runs-on` and `name:` as written, to read again once a caller's inputs are known. */
  written: { runsOn: unknown; name: unknown };
}

export interface WorkflowSpec {
  /** The file as the person can open it. */
  path: string;
  /** The file's name in its folder, which a caller's `uses: ./.github/workflows/<file>` names. */
  fileName: string;
  /** The `workflow_name` GitHub sends: `name:`, else `.github/workflows/<file>`. */
  name: string;
  /** Whether `name:` was set. */
  named: boolean;
  /** The events `on:` lists. */
  events: string[];
  /** `on.workflow_call.inputs.<input>.default` as text, by lower-case input name (expressions ignore case). */
  inputDefaults: Record<string, string>;
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

/** Whether GitHub only ever runs this workflow's jobs as part of a caller's run. */
export function isReusableOnly(workflow: WorkflowSpec): boolean {
  return workflow.events.length > 0 && workflow.events.every((event) => event === "workflow_call");
}

/**
 * The workflows folder: `<dir>/.github/workflows` when `dir` is a repository root (or its
 * `.github`), else `dir` itself, given explicitly.
 *
 * @throws UsageError when `dir` is not a directory, or is a repository root without a
 *   `.github/workflows` folder (its other YAML files — codecov.yml, docker-compose.yml — are not
 *   workflows, and GitHub runs none from there).
 */
export function workflowsFolder(dir: string): string {
  const nested = join(dir, ".github", "workflows");
  if (isDirectory(nested)) return nested;
  if (basename(dir) === ".github" && isDirectory(join(dir, "workflows"))) return join(dir, "workflows");
  if (!isDirectory(dir)) throw new UsageError(`${dir}: not a directory; give a repository root or its .github/workflows folder`);
  const root = [".git", ".github"].find((marker) => existsSync(join(dir, marker)));
  if (root) {
    throw new UsageError(
      `${dir} is a repository root (it has ${root}) with no .github/workflows folder, so GitHub runs no workflows from it; give the folder that holds the workflow files if they are elsewhere`,
    );
  }
  return dir;
}

/** Every `*.yml` / `*.yaml` file of the folder by file name, in name order, parsed or with its error. */
export function readWorkflows(folder: string, display: (path: string) => string = (p) => p): Map<string, WorkflowParse> {
  const names = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  return new Map(names.map((name) => {
    const path = resolve(folder, name);
    return [name, parseWorkflow(readFileSync(path, "utf8"), display(path), name)];
  }));
}

/**
 * Parse one workflow file.
 *
 * @param path how to name the file in errors
 * @param fileName the file's base name, for the `.github/workflows/<file>` fallback name
 * @example
 * const parsed = parseWorkflow("name: deploy\non: push\njobs:\n  a:\n    runs-on: [self-hosted, runway-dev]\n", "deploy.yml");
 * if ("workflow" in parsed) parsed.workflow.jobs[0]!.runsOn; // { kind: "labels", labels: ["self-hosted", "runway-dev"] }
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
  const unresolved = unresolvedAlias(doc);
  if (unresolved) return fail(unresolved.range?.[0], `not valid YAML: the alias *${unresolved.source} names no anchor set before it`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    return fail(0, `its aliases expand too far to read (${(error as Error).message})`);
  }
  if (!isMap(doc.contents) || !isObject(value)) return fail(doc.contents?.range?.[0], "a workflow is a mapping with on: and jobs:");
  const jobsNode = resolved(doc, doc.contents.get("jobs", true));
  const jobsValue = value.jobs;
  if (!isMap(jobsNode) || !isObject(jobsValue)) {
    const where = jobsNode?.range?.[0] ?? doc.contents.range?.[0];
    return fail(where, jobsNode === undefined ? "no jobs: a workflow needs at least one job" : "jobs: must map job ids to jobs");
  }

  const jobs: WorkflowJobSpec[] = [];
  for (const pair of jobsNode.items) {
    const keyNode = isScalar(pair.key) ? pair.key : undefined;
    const id = String(keyNode?.value);
    const jobNode = resolved(doc, pair.value as Node | null);
    const job = jobsValue[id];
    if (!isMap(jobNode) || !isObject(job)) return fail(keyNode?.range?.[0], `job ${id} is not a mapping of steps, runs-on and the rest`);
    const merge = jobNode.items.find((item) => isScalar(item.key) && item.key.value === "<<");
    if (merge) {
      return fail((merge.key as Node).range?.[0], `job ${id} uses the YAML merge key <<, which GitHub Actions does not support (anchors and aliases only), so GitHub refuses this workflow`);
    }
    jobs.push({
      id,
      name: scalarText(job.name) ?? id,
      line: at(keyNode?.range?.[0]).line,
      runsOn: readRunsOn(job["runs-on"], job.uses),
      matrix: isObject(job.strategy) && "matrix" in job.strategy,
      with: textValues(job.with),
      written: { runsOn: job["runs-on"], name: job.name },
    });
  }
  const name = scalarText(value.name);
  return {
    workflow: {
      path,
      fileName,
      // `name: 2024` is a YAML number; GitHub shows (and sends) it as the text 2024.
      name: name !== undefined && name !== "" ? name : `.github/workflows/${fileName}`,
      named: name !== undefined && name !== "",
      events: eventsOf(value.on),
      inputDefaults: inputDefaults(value.on),
      jobs,
    },
  };
}

/**
 * What a job's `runs-on` says. Expressions that every run resolves alike (the run label's
 * `github.run_id` and `github.run_attempt`) and those inside a CodeBuild override's value (a
 * folded `image:${{ matrix.os }}`) leave the routing labels known; any other needs a run.
 */
export function readRunsOn(value: unknown, uses?: unknown): RunsOn {
  if (value === undefined) {
    return typeof uses === "string" ? { kind: "reusable", uses } : { kind: "invalid", message: "the job has no runs-on" };
  }
  const expression: RunsOn = { kind: "expression", expression: typeof value === "string" ? value : JSON.stringify(value) };
  const known = (label: string) => onlyOverridesVary(resolveRunExpressions(label, 1));
  if (typeof value === "string") return known(value) ? { kind: "labels", labels: [value] } : expression;
  const list = labelList(value);
  if (list) return list.every(known) ? { kind: "labels", labels: list } : expression;
  if (isObject(value)) {
    const { group, labels } = value;
    const list = labels === undefined ? [] : labelList(labels);
    if (list && (group === undefined || typeof group === "string")) {
      if (!list.every(known) || (group !== undefined && resolveRunExpressions(group, 1).includes("${{"))) return expression;
      return group === undefined ? { kind: "labels", labels: list } : { kind: "labels", labels: list, group };
    }
  }
  if (JSON.stringify(value).includes("${{")) return expression;
  return { kind: "invalid", message: `runs-on ${JSON.stringify(value)} is not a label, a list of labels or { group, labels }` };
}

/** A label or list of labels; a YAML number or boolean among them (`15` in `[self-hosted, macos, 15]`) is its text, as GitHub reads it. */
function labelList(value: unknown): string[] | undefined {
  if (typeof value === "string") return [value];
  if (!Array.isArray(value)) return undefined;
  const labels = value.map(scalarText);
  return labels.every((l) => l !== undefined) ? (labels as string[]) : undefined;
}

/** A scalar as GitHub shows it: text as is, a number or boolean as its text; anything else undefined. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function eventsOf(on: unknown): string[] {
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.filter((event): event is string => typeof event === "string");
  if (isObject(on)) return Object.keys(on);
  return [];
}

function inputDefaults(on: unknown): Record<string, string> {
  const call = isObject(on) ? on.workflow_call : undefined;
  const inputs = isObject(call) ? call.inputs : undefined;
  const defaults: Record<string, string> = {};
  if (!isObject(inputs)) return defaults;
  for (const [input, spec] of Object.entries(inputs)) {
    const text = isObject(spec) ? scalarText(spec.default) : undefined;
    if (text !== undefined) defaults[input.toLowerCase()] = text;
  }
  return defaults;
}

function textValues(value: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  if (!isObject(value)) return values;
  for (const [key, v] of Object.entries(value)) {
    const text = scalarText(v);
    if (text !== undefined) values[key.toLowerCase()] = text;
  }
  return values;
}

/** The node an alias stands for, or the node itself. */
function resolved(doc: Document, node: unknown): Node | undefined {
  if (isAlias(node)) return node.resolve(doc) ?? undefined;
  return (node ?? undefined) as Node | undefined;
}

function unresolvedAlias(doc: Document) {
  let found: { source: string; range?: [number, number, number] | null | undefined } | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
