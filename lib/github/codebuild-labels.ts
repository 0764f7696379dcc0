/**
 * CodeBuild's runner-label syntax, read once for everyone who needs it: routing (is the run label
 * there, and which run does it name), the launcher (which `StartBuild` overrides the job asks
 * for) and `runway route --workflows` (what a workflow file asks for before any run exists).
 *
 * AWS CodeBuild's user guide ("Label overrides supported with the CodeBuild-hosted GitHub Actions
 * runner", and the runner tutorial) documents three ways to write the same request:
 *
 * - one label each: `codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}`, then
 *   `image:arm-3.0`, `instance-size:small`, `fleet:<name>`, `buildspec-override:true`;
 * - one folded label: the run label and its overrides in one label, separated by spaces — what a
 *   YAML list item continued on the next lines becomes
 *   (`codebuild-p-${{ github.run_id }}-${{ github.run_attempt }} image:arm-3.0 instance-size:small`);
 * - a single-label suffix: `codebuild-<project>-<run id>-<attempt>-arm-3.0-small`,
 *   `…-fleet-<name>`, `…-with-buildspec`, or just an instance size (`…-small`).
 *
 * The docs write every override key in lower case and say nothing of any other case. A key in
 * another case (`Image:arm-3.0`) is reported as a problem rather than guessed at: CodeBuild may
 * well ignore it, and a job should not run on a machine it did not ask for.
 */

/** An override key CodeBuild documents, as the docs write it. */
export type OverrideKey =
  | "image"
  | "instance-size"
  | "fleet"
  | "buildspec-override"
  | "organization-registration-name"
  | "enterprise-registration-name"
  | "registration-group-id";

const KEYS: readonly OverrideKey[] = [
  "image",
  "instance-size",
  "fleet",
  "buildspec-override",
  "organization-registration-name",
  "enterprise-registration-name",
  "registration-group-id",
];

/** One override a job's labels ask for. */
export interface CodeBuildOverride {
  key: OverrideKey;
  value: string;
  /** The override as the job wrote it (`image:arm-3.0`, or `-arm-3.0` of a suffixed run label). */
  written: string;
}

/** CodeBuild's run label, whichever way it is written. */
export interface CodeBuildRunLabel {
  /** The run label alone: the first word of a folded label. */
  label: string;
  project: string;
  runId: number;
  runAttempt: number;
  /** Overrides folded into the label or written as its suffix. */
  overrides: CodeBuildOverride[];
}

/** Every override among a job's labels, and what in them CodeBuild would not read as written. */
export interface CodeBuildRequest {
  overrides: CodeBuildOverride[];
  /** One sentence each, naming the label. */
  problems: string[];
}

// CodeBuild's names: projects `[A-Za-z0-9][A-Za-z0-9-_]{1,254}`, fleets `…{1,127}`. Bounded, so
// that reading a label an attacker wrote costs a bounded number of steps.
const RUN_LABEL = /^codebuild-([A-Za-z0-9][A-Za-z0-9_-]{1,254})-(\d{1,20})-(\d{1,6})(-.*)?$/;
/** The single-label suffix, per the docs: `[-<type>-<image>][-<size>][-fleet-<name>][-with-buildspec]`. */
const SUFFIX =
  /^(?:-(linux-ec2|arm-ec2|windows-ec2|linux-lambda|arm-lambda|linux|arm|ubuntu|windows)-([A-Za-z0-9._]{1,32}))?(?:-(small|medium|large|xlarge|2xlarge|gpu_small|gpu_large|\d{1,2}GB))?(?:-fleet-([A-Za-z0-9][A-Za-z0-9_-]{1,127}?))?(-with-buildspec)?$/;
const MAX_LABEL = 1024;

/**
 * The words of a folded label. `${{ … }}` counts as part of the word it is in, whatever spaces it
 * holds, so `image:${{ matrix.os == 'arm' && 'arm-3.0' || 'linux-5.0' }}` stays one override.
 */
export function labelWords(label: string): string[] {
  return label.match(/(?:\$\{\{[^]*?\}\}|\S)+/g) ?? [];
}

/**
 * The CodeBuild run label a `runs-on` label is or begins with, with the overrides folded into it.
 *
 * @example
 * parseCodeBuildRunLabel("codebuild-web-7-1 image:arm-3.0");
 * // { label: "codebuild-web-7-1", project: "web", runId: 7, runAttempt: 1, overrides: [{ key: "image", value: "arm-3.0", written: "image:arm-3.0" }] }
 */
export function parseCodeBuildRunLabel(label: string): CodeBuildRunLabel | undefined {
  if (label.length > MAX_LABEL) return undefined;
  const [first, ...rest] = labelWords(label);
  const run = first === undefined ? undefined : suffixedRunLabel(first);
  if (!run) return undefined;
  for (const word of rest) {
    const override = overrideOf(word);
    if (override && "key" in override) run.overrides.push({ key: override.key, value: override.value, written: word });
  }
  return run;
}

/**
 * Every CodeBuild override a job's `runs-on` labels ask for, in the order written: separate
 * `key:value` labels, the words of a folded run label, the suffix of a single-label one.
 *
 * @example
 * codeBuildRequest(["codebuild-web-7-1", "instance-size:large", "Image:arm-3.0"]);
 * // { overrides: [{ key: "instance-size", value: "large", … }], problems: ['"Image:arm-3.0": …'] }
 */
export function codeBuildRequest(labels: readonly string[]): CodeBuildRequest {
  const request: CodeBuildRequest = { overrides: [], problems: [] };
  for (const label of labels) {
    const run = parseCodeBuildRunLabel(label);
    if (run) request.overrides.push(...run.overrides);
    // The words after a folded run label, or the label itself.
    for (const word of run ? labelWords(label).slice(1) : [label.trim()]) {
      const override = overrideOf(word);
      if (override === undefined) continue;
      if ("miscased" in override) {
        request.problems.push(
          `"${word}": CodeBuild's label overrides are written in lower case (${override.miscased}:…) and its documentation gives no other form, so Runway does not guess what it means; write ${override.miscased}:${override.value}`,
        );
      } else if (!run) {
        request.overrides.push({ key: override.key, value: override.value, written: word });
      }
    }
  }
  return request;
}

/**
 * Whether every `${{ … }}` left in a label sits in the value of a CodeBuild override — a folded
 * label's `image:${{ matrix.os }}`, or a separate `instance-size:${{ matrix.size }}` label — so
 * that the label's run label and the labels that route the job are known without a run.
 */
export function onlyOverridesVary(label: string): boolean {
  if (!label.includes("${{")) return true;
  const words = labelWords(label);
  const [first, ...rest] = words;
  if (first === undefined) return false;
  if (rest.length === 0) return variesInValue(first);
  if (first.includes("${{") || !suffixedRunLabel(first)) return false;
  return rest.every((word) => !word.includes("${{") || variesInValue(word));
}

/** A documented override whose key is written out and whose value holds the expression. */
function variesInValue(word: string): boolean {
  const override = overrideOf(word);
  return override !== undefined && "key" in override && !word.slice(0, word.indexOf(":")).includes("${{");
}

function suffixedRunLabel(word: string): CodeBuildRunLabel | undefined {
  const match = RUN_LABEL.exec(word);
  if (!match) return undefined;
  const [, project, runId, runAttempt, suffix] = match;
  if (suffix === undefined) return { label: word, project: project!, runId: Number(runId), runAttempt: Number(runAttempt), overrides: [] };
  const parts = SUFFIX.exec(suffix);
  if (!parts) return undefined;
  const [, type, image, size, fleet, buildspec] = parts;
  const overrides: CodeBuildOverride[] = [];
  if (type !== undefined) overrides.push({ key: "image", value: `${type}-${image}`, written: `-${type}-${image}` });
  if (size !== undefined) overrides.push({ key: "instance-size", value: size, written: `-${size}` });
  if (fleet !== undefined) overrides.push({ key: "fleet", value: fleet, written: `-fleet-${fleet}` });
  if (buildspec !== undefined) overrides.push({ key: "buildspec-override", value: "true", written: buildspec });
  return { label: word, project: project!, runId: Number(runId), runAttempt: Number(runAttempt), overrides };
}

/** `key:value` read as an override: a documented key, or a documented key in another case. */
function overrideOf(word: string): { key: OverrideKey; value: string } | { miscased: OverrideKey; value: string } | undefined {
  const colon = word.indexOf(":");
  if (colon <= 0) return undefined;
  const written = word.slice(0, colon);
  const value = word.slice(colon + 1);
  const key = KEYS.find((k) => k === written);
  if (key) return { key, value };
  const miscased = KEYS.find((k) => k === written.toLowerCase());
  return miscased ? { miscased, value } : undefined;
}
