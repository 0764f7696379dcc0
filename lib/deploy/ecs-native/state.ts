/**
 * The analysis state in `hookDetails`: written with every IN_PROGRESS answer, read back on the
 * next invocation, so that a long analysis spans invocations without storage of its own.
 *
 * It travels as one string under `hookDetails.runway`, `v1.<base64url JSON>.<digest>`: ECS merges
 * what a hook returns into the service's own hookDetails, and a single string cannot be merged
 * into a mixture of two states, nor reordered into another digest. The digest catches a value
 * that was cut, edited or invented; it is not a signature, since anyone who can write the
 * service's hookDetails can also remove the hook from the service. Whatever is read back is
 * checked member by member and against the deployment, stage and revision it must be for; a
 * state that fails any of that is refused with the reason (and the hook answers FAILED).
 */
import { createHash } from "node:crypto";
import { HookStateError } from "./errors.ts";
import { isEcsHookStage } from "./stages.ts";
import type { AnalysisState, CheckProgress, MeasurementNote } from "./types.ts";

/** The member of hookDetails that is Runway's. */
export const STATE_KEY = "runway";
/** Longest state written (characters of the whole value); ten checks stay well under it. */
export const MAX_STATE_CHARS = 8_192;
const VERSION = "v1";
const MAX_CHECKS = 20;
const MAX_NOTES = 3;
const MAX_SUMMARY = 300;
const CLOCK_SKEW_MS = 5 * 60_000;

/** What the state must be for: the invocation's deployment, stage, target revision and traffic step. */
export interface StateBinding {
  deployment: string;
  stage: string;
  revision: string;
  step: number | null;
}

export type StateReading =
  | { kind: "none" }
  | { kind: "found"; state: AnalysisState }
  /** A previous traffic step's analysis (linear, canary): this step starts its own. */
  | { kind: "other-step"; step: number | null };

/**
 * The hookDetails to return with IN_PROGRESS. Measurement notes are shortened, then dropped to
 * the latest one per check, until the state fits MAX_STATE_CHARS.
 *
 * @example
 * return { hookStatus: "IN_PROGRESS", callBackDelay: 10, hookDetails: stateDetails(state) };
 */
export function stateDetails(state: AnalysisState): Record<string, string> {
  const attempts: Array<(s: AnalysisState) => AnalysisState> = [
    (s) => s,
    (s) => ({ ...s, checks: s.checks.map((c) => ({ ...c, last: c.last.map((n) => ({ ...n, summary: cut(n.summary, 120) })) })) }),
    (s) => ({ ...s, checks: s.checks.map((c) => ({ ...c, reason: c.reason && cut(c.reason, 200), last: c.last.slice(-1).map((n) => ({ ...n, summary: cut(n.summary, 80) })) })) }),
    (s) => ({ ...s, checks: s.checks.map(({ reason, ...c }) => ({ ...c, ...(reason ? { reason: cut(reason, 80) } : {}), last: [] })) }),
  ];
  for (const shrink of attempts) {
    const encoded = encode(shrink(state));
    if (encoded.length <= MAX_STATE_CHARS) return { [STATE_KEY]: encoded };
  }
  throw new HookStateError(`the analysis state of ${state.checks.length} checks does not fit in ${MAX_STATE_CHARS} characters of hookDetails: declare fewer checks for ${state.stage}`);
}

/**
 * Runway's state in an invocation's hookDetails: none, the state (validated), or a previous
 * traffic step's. Throws HookStateError with the reason when there is a state but it cannot be
 * trusted.
 *
 * @example
 * const reading = readState(event.hookDetails, { deployment, stage, revision, step: null }, Date.now());
 * if (reading.kind === "found") reading.state.invocations; // 3
 */
export function readState(hookDetails: unknown, expected: StateBinding, now: number): StateReading {
  if (hookDetails === undefined || hookDetails === null) return { kind: "none" };
  if (typeof hookDetails !== "object" || Array.isArray(hookDetails)) {
    throw new HookStateError(`hookDetails is ${Array.isArray(hookDetails) ? "a list" : typeof hookDetails}, not the dictionary ECS passes`);
  }
  const value = (hookDetails as Record<string, unknown>)[STATE_KEY];
  if (value === undefined) return { kind: "none" };
  const state = decode(value);
  const problems = validate(state, now);
  if (problems.length > 0) throw new HookStateError(`hookDetails.${STATE_KEY} is not a state Runway wrote: ${problems.slice(0, 5).join("; ")}`);
  const valid = state as AnalysisState;
  for (const key of ["deployment", "stage", "revision"] as const) {
    if (valid[key] !== expected[key]) {
      throw new HookStateError(`hookDetails.${STATE_KEY} is the analysis of ${key} ${valid[key]}, not ${expected[key]}: ECS passes state only within one hook of one deployment`);
    }
  }
  if (valid.step !== expected.step) return { kind: "other-step", step: valid.step };
  return { kind: "found", state: valid };
}

function encode(state: AnalysisState): string {
  const payload = Buffer.from(JSON.stringify(state), "utf8").toString("base64url");
  return `${VERSION}.${payload}.${digest(payload)}`;
}

function decode(value: unknown): unknown {
  if (typeof value !== "string") throw new HookStateError(`hookDetails.${STATE_KEY} is ${typeof value}, not the string Runway writes: do not set ${STATE_KEY} in the service's own hookDetails`);
  if (value.length > MAX_STATE_CHARS) throw new HookStateError(`hookDetails.${STATE_KEY} is ${value.length} characters, more than Runway ever writes (${MAX_STATE_CHARS})`);
  const [version, payload, sum, ...rest] = value.split(".");
  if (version !== VERSION || !payload || !sum || rest.length > 0) throw new HookStateError(`hookDetails.${STATE_KEY} is not in Runway's ${VERSION}.<state>.<digest> form`);
  if (digest(payload) !== sum) throw new HookStateError(`hookDetails.${STATE_KEY} does not match its digest: it was cut or altered after Runway wrote it`);
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown;
  } catch (error) {
    throw new HookStateError(`hookDetails.${STATE_KEY} cannot be read (${(error as Error).message})`, { cause: error });
  }
}

function digest(payload: string): string {
  return createHash("sha256").update(`${VERSION}.${payload}`).digest("base64url").slice(0, 22);
}

/** Every way the decoded value departs from an AnalysisState. */
function validate(state: unknown, now: number): string[] {
  const problems: string[] = [];
  if (!isObject(state)) return ["not an object"];
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  need(state.v === 1, "v is not 1");
  need(typeof state.deployment === "string", "deployment is not a string");
  need(isEcsHookStage(state.stage), "stage is not an ECS lifecycle stage");
  need(typeof state.revision === "string", "revision is not a string");
  need(state.step === null || isCount(state.step, 100, true), "step is not null or a percentage");
  need(typeof state.config === "string" && state.config.length <= 64, "config is not a fingerprint");
  need(isCount(state.startedAt, now + CLOCK_SKEW_MS), "startedAt is not a time before now");
  need(isCount(state.invocations, 1_000_000) && (state.invocations as number) >= 1, "invocations is not a positive count");
  need(isCount(state.restarts, 1_000_000), "restarts is not a count");
  if (!Array.isArray(state.checks) || state.checks.length > MAX_CHECKS) problems.push(`checks is not a list of at most ${MAX_CHECKS}`);
  else state.checks.forEach((check, i) => problems.push(...checkProblems(check).map((p) => `checks.${i}.${p}`)));
  return problems;
}

function checkProblems(check: unknown): string[] {
  if (!isObject(check)) return ["(check) is not an object"];
  const c = check as Partial<Record<keyof CheckProgress, unknown>>;
  const problems: string[] = [];
  if (typeof c.name !== "string" || c.name.length > 64) problems.push("name is not a check name");
  if (!["running", "passed", "failed", "inconclusive"].includes(c.status as string)) problems.push("status is not running, passed, failed or inconclusive");
  if (!isCount(c.taken, 1_000)) problems.push("taken is not a count");
  const taken = isCount(c.taken, 1_000) ? (c.taken as number) : 0;
  if (!isCount(c.failures, 1_000) || !isCount(c.inconclusive, 1_000) || (c.failures as number) + (c.inconclusive as number) > taken) {
    problems.push("failures and inconclusive are not counts adding up to at most taken");
  }
  if (!isCount(c.nextAt, Number.MAX_SAFE_INTEGER)) problems.push("nextAt is not a time");
  if (c.reason !== undefined && (typeof c.reason !== "string" || c.reason.length > 1_000)) problems.push("reason is not a short text");
  if (!Array.isArray(c.last) || c.last.length > MAX_NOTES || !c.last.every(isNote)) problems.push(`last is not a list of at most ${MAX_NOTES} measurements`);
  return problems;
}

function isNote(note: unknown): note is MeasurementNote {
  if (!isObject(note)) return false;
  return typeof note.ok === "boolean" && typeof note.summary === "string" && note.summary.length <= MAX_SUMMARY && typeof note.at === "string" && isCount(note.ms, 86_400_000);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isCount(value: unknown, max: number, allowFraction = false): boolean {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= max && (allowFraction || Number.isInteger(value));
}

/** Text cut to `max` characters, with an ellipsis when cut. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
