/**
 * One invocation of an ECS lifecycle hook, from event to answer: the code path behind
 * functions/ecs-hook.ts (and the local demo).
 *
 * ECS rolls the deployment back on FAILED, on an error and on an answer without a hookStatus, and
 * invokes again `callBackDelay` seconds after IN_PROGRESS with the returned hookDetails. So this
 * never throws: a broken event, configuration or state, a crash anywhere, a stage out of time and
 * the invocation's own deadline all answer FAILED, with the reason in the log and the
 * deployment's Slack thread. A rollback passes straight through: the hook never stands in its way.
 */
import type { EcsHooksConfig, NamedEcsCheck } from "../../config/ecs-hooks-schema.ts";
import { logger } from "../../observability/logger.ts";
import { recordMetric } from "../../observability/metrics.ts";
import { Deadline } from "../deadline.ts";
import { DeadlineError } from "../errors.ts";
import { logNotifier, type DeploymentNotifier } from "../notifier.ts";
import type { CheckResult } from "../types.ts";
import { verdictAfterError } from "../verdict.ts";
import { ecsCheckEnv, ecsMeasureFor } from "./check-env.ts";
import { AnalysisDeadlineError, InvocationDeadlineError } from "./errors.ts";
import { parseEcsHookEvent } from "./event.ts";
import { notifyVerdict, verdictSubject } from "./notify.ts";
import { checkResults, measureDue, stageOutcome } from "./progress.ts";
import { carriedState, resumeAnalysis } from "./resume.ts";
import { describeServiceDeployment } from "./service-deployment.ts";
import { stageChecksFor } from "./stage-checks.ts";
import { PER_STEP_STAGES, ROLLBACK_STAGES } from "./stages.ts";
import { stateDetails } from "./state.ts";
import type { AnalysisState, EcsHookEvent, EcsHookResponse, EcsHookStatus } from "./types.ts";

/** Time kept back from the function's timeout to answer and tell Slack. */
const ANSWER_MARGIN_MS = 3_000;
/** Longest callBackDelay asked for: a long interval is waited out over several invocations. */
export const MAX_CALLBACK_DELAY_SECONDS = 300;

/** The part of the Lambda context the hook needs. */
export interface EcsHookClock {
  getRemainingTimeInMillis(): number;
  /** Finds this function's hook in ECS's record of the deployment. */
  invokedFunctionArn?: string;
}

export interface EcsHookDependencies {
  /** The `deploy.ecs:` section of runway.yml (undefined when there is none). May throw. */
  loadConfig: () => Promise<EcsHooksConfig | undefined>;
  notifier?: DeploymentNotifier;
  now?: () => number;
}

export interface EcsHookResult {
  /** What ECS gets. */
  response: EcsHookResponse;
  /** Why, in one line. */
  reason: string;
  /** The evidence as readable lines, for a SUCCEEDED or FAILED stage. */
  lines: string[];
  /** The analysis as this invocation left it. */
  state: AnalysisState | undefined;
}

/** What an invocation found out, as far as it got before any error. */
interface Run {
  event?: EcsHookEvent;
  label?: string;
  /** The stage's checks, once the configuration named them. */
  stageChecks?: NamedEcsCheck[];
  /** Their results as the evidence shows them. */
  checks: CheckResult[];
  state?: AnalysisState;
  restarted?: string;
}

interface Decision {
  status: EcsHookStatus;
  reason: string;
  response: EcsHookResponse;
  /** Verdicts go to the deployment's thread; progress and rollbacks only to the log. */
  notify: boolean;
}

/**
 * Answers one invocation of the hook.
 *
 * @example
 * export const handler = async (event, context) =>
 *   (await runEcsHook(event, context, { loadConfig: async () => (await getConfig()).deploy?.ecs })).response;
 */
export async function runEcsHook(raw: unknown, context: EcsHookClock, deps: EcsHookDependencies): Promise<EcsHookResult> {
  const now = deps.now ?? Date.now;
  const remaining = () => context.getRemainingTimeInMillis();
  const run: Run = { checks: [] };
  const deadline = new Deadline(remaining, ANSWER_MARGIN_MS);
  let decision: Decision;
  try {
    decision = await deadline.run((signal) => decide(raw, context, deps, run, signal, now));
  } catch (error) {
    decision = failure(run, error);
  } finally {
    deadline.dispose();
  }
  const fields = {
    ...(run.event ? { serviceDeployment: run.event.serviceDeploymentArn, executionId: run.event.executionId, stage: run.label } : {}),
    hookStatus: decision.status,
    reason: decision.reason,
    ...(run.state ? { invocation: run.state.invocations, restarts: run.state.restarts, analysisStartedAt: new Date(run.state.startedAt).toISOString() } : {}),
    ...(decision.response.callBackDelay ? { callBackDelay: decision.response.callBackDelay } : {}),
  };
  if (decision.status === "FAILED") logger.error("ecs hook answers FAILED", fields);
  else logger.info(`ecs hook answers ${decision.status}`, fields);
  recordVerdict(decision);

  let lines: string[] = [];
  if (decision.notify && run.event && decision.status !== "IN_PROGRESS") {
    const verdict = { status: decision.status === "SUCCEEDED" ? ("Succeeded" as const) : ("Failed" as const), reason: decision.reason, checks: run.checks };
    lines = await notifyVerdict(deps.notifier ?? logNotifier, verdictSubject(run.event, run.label ?? run.event.stage), verdict, remaining);
  }
  return { response: decision.response, reason: decision.reason, lines, state: run.state };
}

async function decide(raw: unknown, context: EcsHookClock, deps: EcsHookDependencies, run: Run, signal: AbortSignal, now: () => number): Promise<Decision> {
  const event = parseEcsHookEvent(raw);
  run.event = event;
  run.label = event.stage;
  const rollback = rollbackInPayload(event);
  if (rollback) return answer("SUCCEEDED", rollback, false);

  const [lookup, loaded] = await Promise.allSettled([describeServiceDeployment(event, context.invokedFunctionArn, signal), deps.loadConfig()]);
  const status = lookup.status === "fulfilled" ? lookup.value.record.status : undefined;
  // Whatever else is wrong, a rollback goes through.
  if (status === "ROLLBACK_REQUESTED" || status === "ROLLBACK_IN_PROGRESS") {
    return answer("SUCCEEDED", `ECS is rolling the deployment back (${status}): the hook lets the rollback through`, false);
  }
  if (loaded.status === "rejected") throw loaded.reason;
  const stage = stageChecksFor(loaded.value, event.cluster, event.service, event.stage);
  run.stageChecks = stage.checks;
  const step = PER_STEP_STAGES.includes(event.stage) ? (event.productionTrafficWeights[event.targetRevisionArn] ?? null) : null;
  if (step !== null) run.label = `${event.stage} at ${step}%`;
  if (lookup.status === "rejected") {
    // The measurements earlier invocations took still belong in the evidence.
    run.state = carriedState(event, stage, step, now());
    throw lookup.reason;
  }
  const found = lookup.value;

  // ECS's record says when the stage's hook began, not when a traffic step did: a step counts from its own first invocation.
  const hookStartedAt = PER_STEP_STAGES.includes(event.stage) ? undefined : found.hookStartedAt;
  const { state, restarted } = resumeAnalysis(event, stage, step, hookStartedAt, now());
  run.state = state;
  run.restarted = restarted;
  if (restarted) logger.warn("the stage's analysis starts over", { serviceDeployment: event.serviceDeploymentArn, stage: run.label, why: restarted });
  const deadlineAt = state.startedAt + stage.maxDuration;
  if (now() > deadlineAt) {
    throw new AnalysisDeadlineError(`the stage's analysis began ${new Date(state.startedAt).toISOString()} and its maxDuration (${stage.maxDuration / 1000}s) has passed`);
  }

  const env = ecsCheckEnv(event, found);
  await measureDue(stage.checks, state.checks, (check) => ecsMeasureFor(check, env, event, found), signal, now);
  const outcome = stageOutcome(stage.checks, state.checks, deadlineAt);
  run.checks = outcome.checks;
  if (outcome.status !== "IN_PROGRESS") return answer(outcome.status, withRestart(outcome.reason, run), true);

  const callBackDelay = Math.min(MAX_CALLBACK_DELAY_SECONDS, Math.max(1, Math.ceil((outcome.nextAt - now()) / 1000)));
  const finished = state.checks.filter((p) => p.status !== "running").length;
  const reason = `${finished}/${state.checks.length} checks finished after ${state.invocations} invocation(s); next measurement in ${callBackDelay}s`;
  return { status: "IN_PROGRESS", reason, response: { hookStatus: "IN_PROGRESS", callBackDelay, hookDetails: stateDetails(state) }, notify: false };
}

/** A crash, a broken configuration or state, or a deadline: FAILED with the reason and what was measured so far. */
function failure(run: Run, caught: unknown): Decision {
  const error = caught instanceof DeadlineError && !(caught instanceof InvocationDeadlineError) ? new InvocationDeadlineError(caught) : caught;
  // Measurements taken before the error count in the evidence, those cut short are stopped.
  const results = run.stageChecks && run.state ? checkResults(run.stageChecks, run.state.checks) : [];
  const verdict = verdictAfterError(results, error);
  run.checks = verdict.checks;
  return answer(verdict.status === "Succeeded" ? "SUCCEEDED" : "FAILED", withRestart(verdict.reason, run), run.event !== undefined);
}

/**
 * A verdict counts: every FAILED (ECS rolls back on it), and a SUCCEEDED that the stage's checks
 * decided. IN_PROGRESS is not one yet, and a rollback let through is not a validation.
 */
function recordVerdict(decision: Decision): void {
  if (decision.status === "FAILED") recordMetric("HookFailed", 1);
  else if (decision.status === "SUCCEEDED" && decision.notify) recordMetric("HookSucceeded", 1);
}

function answer(status: "SUCCEEDED" | "FAILED", reason: string, notify: boolean): Decision {
  return { status, reason, response: { hookStatus: status }, notify };
}

function withRestart(reason: string, run: Run): string {
  return run.restarted ? `${reason} (the analysis started over: ${run.restarted})` : reason;
}

/**
 * ECS re-invokes the TEST_TRAFFIC_SHIFT and PRODUCTION_TRAFFIC_SHIFT hooks while it rolls back,
 * with the target (green) revision's weight back at 0 and the previous revision's above it.
 */
function rollbackInPayload(event: EcsHookEvent): string | undefined {
  if (!ROLLBACK_STAGES.includes(event.stage)) return undefined;
  const traffic = event.stage === "TEST_TRAFFIC_SHIFT" ? "test" : "production";
  const weights = traffic === "test" ? event.testTrafficWeights : event.productionTrafficWeights;
  const others = Object.entries(weights).filter(([arn, weight]) => arn !== event.targetRevisionArn && weight > 0);
  if (weights[event.targetRevisionArn] !== 0 || others.length === 0) return undefined;
  return `ECS is rolling back: ${event.stage} moves ${traffic} traffic back to the previous revision (green at 0%), and the hook lets the rollback through`;
}
