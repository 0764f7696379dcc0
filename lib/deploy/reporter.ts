/**
 * Delivers a hook's status to CodeDeploy (PutLifecycleEventHookExecutionStatus) — the one thing a
 * hook function must never fail to do, or the deployment hangs for an hour.
 *
 * The SDK client already retries passing faults a few times; a throttled CodeDeploy during a
 * large release can outlast that, so this keeps trying with jittered backoff for as long as the
 * function has time. "Already completed" means an earlier invocation (or CodeDeploy itself) has
 * settled the hook: that counts as done, which is what makes a second invocation harmless.
 */
import { PutLifecycleEventHookExecutionStatusCommand } from "@aws-sdk/client-codedeploy";
import { setTimeout as sleep } from "node:timers/promises";
import { codeDeployClient } from "../aws/codedeploy.ts";
import { isRetryableAwsError } from "../errors/aws-retryable.ts";
import { logger } from "../observability/logger.ts";
import { describe } from "../errors/describe.ts";
import { ReportError } from "./errors.ts";
import type { HookStatus } from "./types.ts";

export interface ReportInput {
  deploymentId: string;
  executionId: string;
  status: HookStatus;
}

export interface ReportOptions {
  /** Time the function has left; retrying stops while there is still `reserveMs` of it. */
  timeLeftMs: () => number;
  reserveMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Longest a single attempt may take. */
  attemptTimeoutMs?: number;
}

export interface ReportOutcome {
  /** `already-completed`: the hook was settled before this report; nothing new was said. */
  delivery: "reported" | "already-completed";
  attempts: number;
}

/**
 * Reports the status once, retrying throttling, 5xx and network faults until time runs out.
 * Throws ReportError: `retryable` when time ran out on passing faults (another invocation may
 * succeed), not retryable when CodeDeploy refused the report (unknown deployment or execution id).
 *
 * @example
 * await reportHookStatus({ deploymentId, executionId, status: "Failed" }, { timeLeftMs: () => context.getRemainingTimeInMillis() });
 */
export async function reportHookStatus(input: ReportInput, options: ReportOptions): Promise<ReportOutcome> {
  const reserveMs = options.reserveMs ?? 1_000;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
  const command = new PutLifecycleEventHookExecutionStatusCommand({
    deploymentId: input.deploymentId,
    lifecycleEventHookExecutionId: input.executionId,
    status: input.status,
  });
  for (let attempt = 1; ; attempt++) {
    const budget = Math.min(attemptTimeoutMs, options.timeLeftMs() - reserveMs);
    try {
      await codeDeployClient().send(command, { abortSignal: AbortSignal.timeout(Math.max(budget, 250)) });
      return { delivery: "reported", attempts: attempt };
    } catch (error) {
      if ((error as Error).name === "LifecycleEventAlreadyCompletedException") return { delivery: "already-completed", attempts: attempt };
      if (!isRetryableAwsError(error)) {
        throw new ReportError(`CodeDeploy refused the ${input.status} report: ${describe(error)}`, false, attempt, { cause: error });
      }
      const delay = Math.round(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
      if (options.timeLeftMs() - delay - reserveMs < 250) {
        throw new ReportError(
          `could not deliver the ${input.status} report in ${attempt} attempts before the function's timeout: ${describe(error)}`,
          true,
          attempt,
          { cause: error },
        );
      }
      logger.warn("hook report not delivered yet; retrying", { deploymentId: input.deploymentId, attempt, delayMs: delay, error: describe(error) });
      await sleep(delay);
    }
  }
}
