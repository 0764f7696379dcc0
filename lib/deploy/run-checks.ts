/**
 * Runs a hook's checks side by side. The hook passes when every check passes; the first check to
 * fail stops the others, since the verdict is already Failed and the sooner CodeDeploy hears it
 * the sooner it rolls back.
 */
import type { NamedCheck } from "../config/deploy-schema.ts";
import { analyse } from "./analysis.ts";
import { measureFor } from "./checks/registry.ts";
import type { CheckEnv, CheckResult } from "./types.ts";

/**
 * Runs `checks` into `results` (same order, prepared with pendingResult), until all are done, one
 * fails, or `signal` aborts.
 *
 * @example
 * const results = checks.map(pendingResult);
 * await runChecks(checks, env, results, deadline.signal);
 */
export async function runChecks(checks: NamedCheck[], env: CheckEnv, results: CheckResult[], signal: AbortSignal): Promise<void> {
  const stopAll = new AbortController();
  const signalAll = AbortSignal.any([signal, stopAll.signal]);
  await Promise.all(
    checks.map(async (check, index) => {
      const result = results[index];
      if (!result) return;
      await analyse(check, measureFor(check, env), result, signalAll);
      if (result.status === "failed" && !stopAll.signal.aborted) {
        stopAll.abort(new Error(`check ${check.name} failed`));
      }
    }),
  );
}
