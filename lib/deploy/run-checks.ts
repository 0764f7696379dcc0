/**
 * Runs a hook's checks side by side. The hook passes when every deciding check passes; the first
 * check whose outcome fails the hook stops the others, since the verdict is already Failed and the
 * sooner CodeDeploy hears it the sooner it rolls back. Dry-run checks are measured to the end like
 * the others (as Argo Rollouts' dry-run metrics are), but their outcome stops nothing.
 */
import type { NamedCheck } from "../config/deploy-schema.ts";
import { analyse, type MeasurementListener } from "./analysis.ts";
import { measureFor } from "./checks/registry.ts";
import type { CheckEnv, CheckResult } from "./types.ts";
import { failsHook } from "./verdict.ts";

export interface RunChecksOptions {
  /** Told of each measurement as it is taken. */
  onMeasurement?: MeasurementListener;
}

/**
 * Runs `checks` into `results` (same order, prepared with pendingResult), until all are done, one
 * fails the hook, or `signal` aborts.
 *
 * @example
 * const results = checks.map(pendingResult);
 * await runChecks(checks, env, results, deadline.signal);
 */
export async function runChecks(
  checks: NamedCheck[],
  env: CheckEnv,
  results: CheckResult[],
  signal: AbortSignal,
  options: RunChecksOptions = {},
): Promise<void> {
  const stopAll = new AbortController();
  const signalAll = AbortSignal.any([signal, stopAll.signal]);
  await Promise.all(
    checks.map(async (check, index) => {
      const result = results[index];
      if (!result) return;
      await analyse(check, measureFor(check, env), result, signalAll, options.onMeasurement);
      if (failsHook(result) && !stopAll.signal.aborted) {
        stopAll.abort(new Error(`check ${check.name} ${result.status}`));
      }
    }),
  );
}
