/**
 * One CodeDeploy lifecycle hook invocation, from event to report: the code path every hook
 * function (ECS blue/green and Lambda, whatever the hook) shares.
 *
 * The guarantee it keeps is the one CodeDeploy depends on: every invocation that still has a hook
 * to settle ends with exactly one status. A broken configuration, a thrown error anywhere, or the
 * function's own timeout drawing near all become Failed with the reason; a hook that another
 * invocation already settled is left alone.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { DeployConfig } from "../config/deploy-schema.ts";
import { logger } from "../observability/logger.ts";
import { recordMetric } from "../observability/metrics.ts";
import { describe } from "../errors/describe.ts";
import { pendingResult } from "./analysis.ts";
import { Deadline } from "./deadline.ts";
import { resolveDeploymentContext } from "./deployment-context.ts";
import { ReportError } from "./errors.ts";
import { evidenceFields } from "./evidence.ts";
import { checksFor } from "./hook-checks.ts";
import { logNotifier, verdictNotice, type DeploymentNotifier } from "./notifier.ts";
import { reportHookStatus, type ReportOptions } from "./reporter.ts";
import { runChecks } from "./run-checks.ts";
import { decideHook } from "./running-hook.ts";
import { placeholderValues } from "./template.ts";
import type { CheckResult, HookEvent, HookStatus, HookVerdict, VerdictSubject } from "./types.ts";
import { verdictAfterError, verdictOf } from "./verdict.ts";

/** The part of the Lambda context the hook needs. */
export interface LambdaClock {
  getRemainingTimeInMillis(): number;
}

export interface HookDependencies {
  /** The `deploy:` section of runway.yml (undefined when the file has none). May throw. */
  loadDeployConfig: () => Promise<DeployConfig | undefined>;
  /** The function's RUNWAY_HOOK. */
  hookName?: string | undefined;
  notifier?: DeploymentNotifier;
  /** Margin when the configuration has no `deploy:` section (else its reportMargin). */
  defaultMarginMs?: number;
  report?: Pick<ReportOptions, "baseDelayMs" | "maxDelayMs" | "reserveMs">;
}

export type HookOutcome =
  | { kind: "reported"; status: HookStatus; delivery: "reported" | "already-completed"; reason: string; attempts: number; lines: string[] }
  | { kind: "skipped"; reason: string }
  | { kind: "not-delivered"; status: HookStatus; reason: string; error: string }
  | { kind: "unreportable"; reason: string };

const DEFAULT_MARGIN_MS = 10_000;
/**
 * Margin while the configuration loads, before its reportMargin is known: just enough to report.
 * Starting with the full default would fail at once a function whose timeout is shorter than
 * 10 s but longer than the reportMargin it configures.
 */
const LOADING_MARGIN_MS = 1_500;

/**
 * Validates one hook execution and reports its status to CodeDeploy.
 * Throws only a retryable ReportError (the report could not be delivered in time), so that
 * Lambda's own retry of the asynchronous invocation tries again.
 *
 * @example
 * export const handler = (event, context) =>
 *   runLifecycleHook(event, context, { loadDeployConfig, hookName: process.env.RUNWAY_HOOK });
 */
export async function runLifecycleHook(event: unknown, context: LambdaClock, deps: HookDependencies): Promise<HookOutcome> {
  const ids = hookEvent(event);
  if (!ids) {
    logger.error("not a CodeDeploy hook event: nothing can be reported without DeploymentId and LifecycleEventHookExecutionId");
    return { kind: "unreportable", reason: "the event has no DeploymentId or LifecycleEventHookExecutionId" };
  }
  const subject: VerdictSubject = {
    deploymentId: ids.DeploymentId,
    executionId: ids.LifecycleEventHookExecutionId,
    hook: deps.hookName || undefined,
    applicationName: undefined,
    deploymentGroupName: undefined,
    computePlatform: undefined,
  };
  const remaining = () => context.getRemainingTimeInMillis();
  const deadline = new Deadline(remaining, LOADING_MARGIN_MS);
  const results: CheckResult[] = [];
  let verdict: HookVerdict;
  try {
    const decided = await deadline.run(async (signal) => {
      const config = await deps.loadDeployConfig();
      deadline.setMargin(config?.reportMargin ?? deps.defaultMarginMs ?? DEFAULT_MARGIN_MS);
      const deployment = await resolveDeploymentContext(ids.DeploymentId, signal);
      subject.applicationName = deployment.applicationName;
      subject.deploymentGroupName = deployment.deploymentGroupName;
      subject.computePlatform = deployment.computePlatform;
      const decision = decideHook(deps.hookName, deployment.lifecycleEvents);
      subject.hook = decision.hook;
      if (!decision.run) return decision;
      const checks = checksFor(config, deployment.applicationName, deployment.deploymentGroupName, decision.hook);
      results.push(...checks.map(pendingResult));
      logger.info("validating hook", { ...subject, checks: checks.map((check) => check.name) });
      await runChecks(checks, { deployment, hook: decision.hook, values: placeholderValues(deployment, decision.hook) }, results, signal);
      return decision;
    });
    if (!decided.run) {
      logger.info("hook already settled; nothing to report", { ...subject, reason: decided.reason });
      return { kind: "skipped", reason: decided.reason };
    }
    verdict = verdictOf(results);
  } catch (error) {
    verdict = verdictAfterError(results, error);
    if (verdict.status === "Failed") logger.error("hook failed before a verdict from its checks", { ...subject, error: describe(error) });
    else logger.warn("time ran out while only dry-run checks were measuring; the deciding checks' verdict stands", { ...subject });
  } finally {
    deadline.dispose();
  }
  return deliver(subject, verdict, remaining, deps);
}

/** Reports, logs the evidence, tells the notifier; the report always comes first. */
async function deliver(subject: VerdictSubject, verdict: HookVerdict, remaining: () => number, deps: HookDependencies): Promise<HookOutcome> {
  let outcome: HookOutcome;
  try {
    const sent = await reportHookStatus(
      { deploymentId: subject.deploymentId, executionId: subject.executionId, status: verdict.status },
      { timeLeftMs: remaining, ...deps.report },
    );
    // Counted when CodeDeploy takes the verdict; "already completed" was counted by whoever settled it.
    if (sent.delivery === "reported") recordMetric(verdict.status === "Succeeded" ? "HookSucceeded" : "HookFailed", 1);
    const notice = verdictNotice(subject, verdict, sent.delivery);
    logger.info(sent.delivery === "reported" ? "hook verdict reported" : "hook verdict not needed: already completed", {
      ...subject,
      delivery: sent.delivery,
      attempts: sent.attempts,
      ...evidenceFields(verdict),
    });
    await notify(deps.notifier ?? logNotifier, notice, remaining);
    outcome = { kind: "reported", status: verdict.status, delivery: sent.delivery, reason: verdict.reason, attempts: sent.attempts, lines: notice.lines };
  } catch (error) {
    logger.error("hook verdict NOT delivered to CodeDeploy", { ...subject, error: describe(error), ...evidenceFields(verdict) });
    await notify(deps.notifier ?? logNotifier, verdictNotice(subject, verdict, "not-delivered"), remaining);
    if (error instanceof ReportError && error.retryable) throw error;
    outcome = { kind: "not-delivered", status: verdict.status, reason: verdict.reason, error: describe(error) };
  }
  return outcome;
}

/** A notifier gets what time is left after the report, and never more than a few seconds. */
async function notify(notifier: DeploymentNotifier, notice: ReturnType<typeof verdictNotice>, remaining: () => number): Promise<void> {
  const budget = Math.min(5_000, remaining() - 500);
  if (budget <= 0) return;
  const timer = new AbortController();
  try {
    await Promise.race([notifier.verdict(notice), sleep(budget, undefined, { signal: timer.signal })]);
  } catch (error) {
    logger.warn("deployment notifier failed; the verdict was reported regardless", { deploymentId: notice.subject.deploymentId, error: describe(error) });
  } finally {
    timer.abort();
  }
}

function hookEvent(event: unknown): HookEvent | undefined {
  const candidate = event as Partial<HookEvent> | null | undefined;
  if (typeof candidate?.DeploymentId !== "string" || typeof candidate.LifecycleEventHookExecutionId !== "string") return undefined;
  if (!candidate.DeploymentId || !candidate.LifecycleEventHookExecutionId) return undefined;
  return { DeploymentId: candidate.DeploymentId, LifecycleEventHookExecutionId: candidate.LifecycleEventHookExecutionId };
}
