/**
 * Reusable workflows, as a run delivers their jobs. A job with `uses:` has no runner of its own:
 * GitHub runs the called file's jobs in the caller's run, so each of their `workflow_job`
 * deliveries carries the caller's workflow name and a job name that joins the caller job's name
 * and the called job's (`lint / Lint`), with the called job's own `runs-on`. Here a call to a file
 * of the same folder is expanded into those jobs (nested calls too), with the caller's `with:`
 * (else the input's default) put in for `${{ inputs.<name> }}`; a call that cannot be expanded (a
 * file in another repository, one that is missing or broken) is said so, with why.
 */
import { readRunsOn, scalarText, type WorkflowJobSpec, type WorkflowParse, type WorkflowSpec } from "./workflows.ts";

/** One call on the way to a job: the caller job and the file its `uses:` names. */
export interface CallStep {
  /** The caller job's id. */
  job: string;
  /** The caller job's name, the first part of the called jobs' names. */
  name: string;
  uses: string;
  /** The called file, as the person can open it. */
  path: string;
  /** The caller job's line in its own file. */
  line: number;
}

/** A job a run of the workflow delivers: its own, or a called workflow's (then `via` is set). */
export interface RunJob {
  job: WorkflowJobSpec;
  /** The file the job is written in, when it is not the workflow's own. */
  path?: string;
  via: CallStep[];
  notes: string[];
}

/** A `uses:` job whose called jobs cannot be told from this folder. */
export interface UnexpandedCall {
  job: WorkflowJobSpec;
  uses: string;
  via: CallStep[];
  reason: string;
}

export type PlannedJob = ({ kind: "run" } & RunJob) | ({ kind: "call" } & UnexpandedCall);

/** GitHub's limit on nested reusable workflows (the top-level caller and nine levels below it). */
const MAX_DEPTH = 10;

/**
 * The jobs a run of `workflow` delivers, with every call to a file of `folder` expanded.
 *
 * @param folder every file of the workflows folder, by file name
 * @param repo the repository the run belongs to (`owner/name`), if known: a `uses:` naming it is local
 * @example
 * const jobs = plannedJobs(ci, new Map([["lint.yml", parseWorkflow(lintText, "lint.yml")]]));
 * // [{ kind: "run", job: { name: "lint / Lint", runsOn: { kind: "labels", … } }, via: [{ job: "lint", uses: "./.github/workflows/lint.yml", … }] }]
 */
export function plannedJobs(workflow: WorkflowSpec, folder: ReadonlyMap<string, WorkflowParse>, repo?: string): PlannedJob[] {
  return expand(workflow, folder, repo, {}, [], new Set([workflow.fileName]));
}

function expand(
  workflow: WorkflowSpec,
  folder: ReadonlyMap<string, WorkflowParse>,
  repo: string | undefined,
  inputs: Readonly<Record<string, string>>,
  via: CallStep[],
  calling: ReadonlySet<string>,
): PlannedJob[] {
  return workflow.jobs.flatMap((written): PlannedJob[] => {
    const job = via.length === 0 ? written : withInputs(written, inputs);
    const path = via.at(-1)?.path;
    if (job.runsOn.kind !== "reusable") {
      const name = [...via.map((step) => step.name), job.name].join(" / ");
      const id = [...via.map((step) => step.job), job.id].join("/");
      const notes = via.some((step) => step.name.includes("${{")) ? [`a caller job's name is an expression, so a run names this job otherwise than "${name}"`] : [];
      return [{ kind: "run", job: { ...job, id, name }, ...(path !== undefined ? { path } : {}), via, notes }];
    }
    const uses = job.runsOn.uses;
    const unexpanded = (reason: string): PlannedJob[] => [{ kind: "call", job, uses, via, reason }];
    const target = localFile(uses, repo);
    if ("reason" in target) return unexpanded(target.reason);
    const parsed = folder.get(target.fileName);
    if (parsed === undefined) return unexpanded(`calls ${uses}, which is not in this folder: that file's jobs and their runs-on are not known here`);
    if ("error" in parsed) return unexpanded(`calls ${uses}, which could not be read (${parsed.error.path}:${parsed.error.line} ${parsed.error.message})`);
    const called = parsed.workflow;
    if (!called.events.includes("workflow_call")) return unexpanded(`calls ${uses}, which has no on: workflow_call, so GitHub refuses the call`);
    if (calling.has(called.fileName) || via.length + 1 >= MAX_DEPTH) {
      return unexpanded(`calls ${uses} ${calling.has(called.fileName) ? "again from inside itself" : `more than ${MAX_DEPTH} levels deep`}, which GitHub refuses`);
    }
    const step: CallStep = { job: job.id, name: job.matrix && job.name === job.id ? `${job.name} (…matrix values)` : job.name, uses, path: called.path, line: job.line };
    const passed: Record<string, string> = { ...called.inputDefaults, ...job.with };
    const planned = expand(called, folder, repo, passed, [...via, step], new Set([...calling, called.fileName]));
    return target.note ? planned.map((p) => (p.kind === "run" ? { ...p, notes: [...p.notes, target.note!] } : p)) : planned;
  });
}

/** The file of this folder a `uses:` calls, or why it calls none. */
function localFile(uses: string, repo: string | undefined): { fileName: string; note?: string } | { reason: string } {
  const local = /^\.\/\.github\/workflows\/([^/]+\.ya?ml)$/.exec(uses);
  if (local) return { fileName: local[1]! };
  const remote = /^([^/\s]+\/[^/\s]+)\/\.github\/workflows\/([^/@]+\.ya?ml)@(.+)$/.exec(uses);
  if (remote && repo !== undefined && remote[1]!.toLowerCase() === repo.toLowerCase()) {
    return { fileName: remote[2]!, note: `${uses} names this repository: read from this folder, which may differ from what ${remote[3]} holds` };
  }
  if (remote) {
    const hint = repo === undefined ? " (give --repo if it is this repository)" : "";
    return { reason: `calls ${uses} from another repository${hint}: that file's jobs and their runs-on are not known here; route a real delivery with \`runway route <payload.json>\`` };
  }
  return { reason: `calls ${uses}, which is neither ./.github/workflows/<file> nor owner/repo/.github/workflows/<file>@ref, so GitHub refuses the call` };
}

const INPUT = /\$\{\{\s*inputs\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/g;

/** A called job with the caller's inputs put in for `${{ inputs.<name> }}` in its runs-on and name. */
function withInputs(job: WorkflowJobSpec, inputs: Readonly<Record<string, string>>): WorkflowJobSpec {
  const put = (value: unknown): unknown => {
    if (typeof value === "string") return value.replace(INPUT, (whole, name: string) => inputs[name.toLowerCase()] ?? whole);
    if (Array.isArray(value)) return value.map(put);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, put(v)]));
    return value;
  };
  const runsOn = put(job.written.runsOn);
  const name = scalarText(put(job.written.name));
  const uses = job.runsOn.kind === "reusable" ? job.runsOn.uses : undefined;
  const passed = Object.fromEntries(Object.entries(job.with).map(([k, v]) => [k, put(v) as string]));
  return { ...job, name: name ?? job.id, runsOn: readRunsOn(runsOn, uses), with: passed };
}
