/**
 * A stage's verdict in the service deployment's Slack thread, through the deploy notifier (the
 * notify queue when deployed): one reply per stage, and per traffic step of a linear or canary
 * deployment. The thread is keyed by the service deployment's id, its title names the cluster and
 * service. The notifier gets what time is left after the answer is ready, at most a few seconds,
 * and can never change the answer.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { logger } from "../../observability/logger.ts";
import { describe } from "../../errors/describe.ts";
import { verdictNotice, type DeploymentNotifier, type VerdictNotice } from "../notifier.ts";
import type { CheckResult, VerdictSubject } from "../types.ts";
import type { EcsHookEvent } from "./types.ts";

const NOTIFY_BUDGET_MS = 5_000;

/** Who a verdict is about, in the deploy notifier's terms. */
export function verdictSubject(event: EcsHookEvent, label: string): VerdictSubject {
  return {
    deploymentId: event.serviceDeploymentId,
    executionId: event.executionId,
    hook: label,
    applicationName: event.cluster,
    deploymentGroupName: event.service,
    computePlatform: "ECS",
  };
}

/**
 * Tells the notifier of a SUCCEEDED or FAILED stage; returns the evidence lines. Never throws.
 *
 * @example
 * const lines = await notifyVerdict(notifier, subject, { status: "Failed", reason, checks }, () => context.getRemainingTimeInMillis());
 */
export async function notifyVerdict(
  notifier: DeploymentNotifier,
  subject: VerdictSubject,
  verdict: { status: "Succeeded" | "Failed"; reason: string; checks: CheckResult[] },
  remaining: () => number,
): Promise<string[]> {
  const notice: VerdictNotice = verdictNotice(subject, verdict, "reported");
  const budget = Math.min(NOTIFY_BUDGET_MS, remaining() - 500);
  if (budget <= 0) return notice.lines;
  const timer = new AbortController();
  try {
    await Promise.race([notifier.verdict(notice), sleep(budget, undefined, { signal: timer.signal })]);
  } catch (error) {
    logger.warn("deployment notifier failed; the hook answered regardless", { deploymentId: subject.deploymentId, error: describe(error) });
  } finally {
    timer.abort();
  }
  return notice.lines;
}
