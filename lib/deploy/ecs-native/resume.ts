/**
 * Where an invocation's analysis starts: the state hookDetails carried back, or a fresh one.
 *
 * A hook invoked without its state (no hookDetails.runway) long after ECS started the hook has
 * lost it: ECS's record of the hook (its expiresAt, less its timeout) says when the hook began,
 * and that survives what hookDetails does not. Such an analysis starts over, and safely so: every
 * measurement is a read, a fresh start takes all `count` measurements again under the same
 * failureLimit (so it can never pass a release on fewer), and its deadline stays where ECS's
 * record puts the hook's start plus the stage's maxDuration (so losing state over and over cannot
 * keep a deployment waiting). When too little of maxDuration is left for the checks, the stage
 * fails at once with the reason (progress.ts). The same holds when the stage's checks changed
 * between two invocations (a Runway deploy mid-analysis): the analysis starts over, same deadline.
 * At the per-step stages of a linear or canary deployment ECS's record does not say when a step
 * began, so a step's analysis counts from its first invocation (run-hook.ts passes no start).
 */
import { createHash } from "node:crypto";
import type { EcsStageConfig } from "../../config/ecs-hooks-schema.ts";
import { HookStateError } from "./errors.ts";
import { freshProgress } from "./progress.ts";
import { readState } from "./state.ts";
import type { AnalysisState, EcsHookEvent } from "./types.ts";

/** No state this long after ECS started the hook: it was lost, not never written. */
export const LOST_STATE_AFTER_MS = 2 * 60_000;

export interface Resumed {
  state: AnalysisState;
  /** Why the analysis started over, when it did. */
  restarted: string | undefined;
}

/**
 * The analysis state of this invocation.
 *
 * @param hookStartedAt when ECS started the hook, from its record (undefined when it does not say)
 * @throws HookStateError when hookDetails carries a state that cannot be trusted
 */
export function resumeAnalysis(event: EcsHookEvent, stage: EcsStageConfig, step: number | null, hookStartedAt: number | undefined, now: number): Resumed {
  const config = fingerprint(stage);
  const binding = { deployment: event.serviceDeploymentArn, stage: event.stage, revision: event.targetRevisionArn, step };
  const fresh = (startedAt: number, restarts: number, invocations = 1): AnalysisState => ({
    v: 1,
    ...binding,
    config,
    startedAt,
    invocations,
    restarts,
    checks: freshProgress(stage.checks, now),
  });
  const reading = readState(event.hookDetails, binding, now);
  if (reading.kind === "found") {
    const previous = reading.state;
    // The state cannot put its own start later than ECS's record of the hook does.
    const startedAt = Math.min(previous.startedAt, hookStartedAt ?? Number.POSITIVE_INFINITY);
    if (previous.config !== config) {
      return { state: fresh(startedAt, previous.restarts + 1, previous.invocations + 1), restarted: "the stage's checks changed since the analysis began" };
    }
    assertConsistent(previous, stage);
    return { state: { ...previous, startedAt, invocations: previous.invocations + 1 }, restarted: undefined };
  }
  if (reading.kind === "other-step" || hookStartedAt === undefined) return { state: fresh(hookStartedAt ?? now, 0), restarted: undefined };
  const since = now - hookStartedAt;
  if (since <= LOST_STATE_AFTER_MS) return { state: fresh(hookStartedAt, 0), restarted: undefined };
  return {
    state: fresh(hookStartedAt, 1),
    restarted: `the hook was invoked without its state ${Math.round(since / 1000)}s after ECS started it (hookDetails.runway lost)`,
  };
}

/** The state hookDetails carried, for the evidence of an invocation that failed before it could resume; never throws. */
export function carriedState(event: EcsHookEvent, stage: EcsStageConfig, step: number | null, now: number): AnalysisState | undefined {
  try {
    const reading = readState(event.hookDetails, { deployment: event.serviceDeploymentArn, stage: event.stage, revision: event.targetRevisionArn, step }, now);
    if (reading.kind !== "found" || reading.state.config !== fingerprint(stage)) return undefined;
    assertConsistent(reading.state, stage);
    return reading.state;
  } catch {
    return undefined;
  }
}

/** A state whose tallies its configuration could not have produced is not one Runway wrote. */
function assertConsistent(state: AnalysisState, stage: EcsStageConfig): void {
  const problems: string[] = [];
  if (state.checks.length !== stage.checks.length) problems.push(`${state.checks.length} checks, the stage has ${stage.checks.length}`);
  stage.checks.forEach((check, i) => {
    const p = state.checks[i];
    if (!p) return;
    const limit = check.type === "cloudwatch" ? check.inconclusiveLimit : 0;
    if (p.name !== check.name) problems.push(`check ${i} is ${p.name}, not ${check.name}`);
    else if (p.taken > check.count) problems.push(`${p.name} took ${p.taken} of ${check.count} measurements`);
    else if (p.status === "running" && (p.taken >= check.count || p.failures > check.failureLimit || p.inconclusive > limit)) problems.push(`${p.name} is still running with a finished tally`);
    else if (p.status === "passed" && (p.taken !== check.count || p.failures > check.failureLimit || p.inconclusive > limit)) problems.push(`${p.name} passed with a tally that fails it`);
  });
  if (problems.length > 0) throw new HookStateError(`hookDetails.runway does not fit the stage's checks: ${problems.slice(0, 3).join("; ")}`);
}

/** Identifies the stage's configuration: a change to its checks starts the analysis over. */
function fingerprint(stage: EcsStageConfig): string {
  const text = JSON.stringify(stage, (_key, value: unknown) => (value instanceof RegExp ? `/${value.source}/${value.flags}` : value));
  return createHash("sha256").update(text).digest("base64url").slice(0, 16);
}
