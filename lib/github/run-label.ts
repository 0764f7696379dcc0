/**
 * The run label: a `runs-on` label unique to one workflow run attempt, which binds the JIT runner
 * Runway registers to that run. GitHub gives a queued job to any idle runner whose labels cover
 * the job's; a runner registered with `runway-run-<run id>-<attempt>` covers no job of another
 * run, because every other run's jobs carry another run label. Workflow authors write it with the
 * `github` context:
 *
 *   runs-on: [self-hosted, runway-dev, "runway-run-${{ github.run_id }}-${{ github.run_attempt }}"]
 *
 * CodeBuild's own form, `codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}`, is
 * accepted too, so workflows written for CodeBuild-managed runners keep working — in each way
 * CodeBuild reads it: alone, with its overrides folded into the same label after spaces, or with
 * a single-label suffix (lib/github/codebuild-labels.ts).
 */
import { parseCodeBuildRunLabel } from "./codebuild-labels.ts";

/** What to write in `runs-on`, for messages and the README. */
export const RUN_LABEL_TEMPLATE = "runway-run-${{ github.run_id }}-${{ github.run_attempt }}";

export interface RunLabel {
  label: string;
  runId: number;
  runAttempt: number;
  /** The CodeBuild project named by a `codebuild-…` label. */
  project?: string;
}

const RUNWAY = /^runway-run-(\d{1,20})-(\d{1,6})$/i;

/** The run label of one run attempt, as GitHub resolves `RUN_LABEL_TEMPLATE` for it. */
export function runLabelFor(runId: number, runAttempt = 1): string {
  return `runway-run-${runId}-${runAttempt}`;
}

const RUN_ID = /\$\{\{\s*github\.run_id\s*\}\}/g;
const RUN_ATTEMPT = /\$\{\{\s*github\.run_attempt\s*\}\}/g;

/**
 * A `runs-on` text with `${{ github.run_id }}` and `${{ github.run_attempt }}` resolved as a run
 * would resolve them, so a workflow file's run label can be checked without running it.
 */
export function resolveRunExpressions(text: string, runId: number, runAttempt = 1): string {
  return text.replace(RUN_ID, String(runId)).replace(RUN_ATTEMPT, String(runAttempt));
}

/**
 * The run label a `runs-on` label is, or begins with when CodeBuild's overrides are folded into it.
 *
 * @example
 * parseRunLabel("codebuild-web-42-1 image:arm-3.0"); // { label: "codebuild-web-42-1", project: "web", runId: 42, runAttempt: 1 }
 */
export function parseRunLabel(label: string): RunLabel | undefined {
  const runway = RUNWAY.exec(label);
  if (runway) return { label, runId: Number(runway[1]), runAttempt: Number(runway[2]) };
  const codebuild = parseCodeBuildRunLabel(label);
  if (codebuild) return { label: codebuild.label, project: codebuild.project, runId: codebuild.runId, runAttempt: codebuild.runAttempt };
  return undefined;
}

/** Every run label among a job's `runs-on` labels. */
export function runLabels(labels: readonly string[]): RunLabel[] {
  return labels.flatMap((label) => parseRunLabel(label) ?? []);
}
