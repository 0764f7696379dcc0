/**
 * From the checks' results to the hook's status: the one rule every validator uses (the Lambda
 * hook functions, `runway validate` on an instance). The hook fails when a deciding check failed,
 * was stopped or never finished, or came out inconclusive under `inconclusive: fail`; dry-run
 * checks are reported with the rest and never counted.
 */
import { describe } from "../errors/describe.ts";
import { DeadlineError } from "./errors.ts";
import type { CheckResult, HookVerdict } from "./types.ts";

/**
 * Whether a check's outcome fails the hook (a dry run never does).
 *
 * @example failsHook({ ...result, status: "inconclusive", inconclusivePolicy: "pass" }) // false
 */
export function failsHook(result: CheckResult): boolean {
  if (result.dryRun) return false;
  if (result.status === "passed") return false;
  if (result.status === "inconclusive") return result.inconclusivePolicy === "fail";
  return true;
}

/**
 * The verdict of finished (or stopped) checks.
 *
 * @example
 * verdictOf(results); // { status: "Failed", reason: "check green-health failed: 2 of 3 …; last: GET … → 503", checks }
 */
export function verdictOf(results: CheckResult[]): HookVerdict {
  const deciding = results.filter((result) => !result.dryRun);
  const failing = deciding.filter(failsHook);
  const failed = failing.find((r) => r.status === "failed") ?? failing.find((r) => r.status === "inconclusive") ?? failing[0];
  if (failed) {
    const last = failed.measurements.findLast((m) => !m.ok);
    const policy = failed.status === "inconclusive" ? " (inconclusive: fail)" : "";
    const reason = `check ${failed.name} ${failed.status}${policy}: ${failed.reason ?? "no reason given"}${last ? `; last: ${last.summary}` : ""}`;
    return { status: "Failed", reason, checks: results };
  }
  return { status: "Succeeded", reason: successReason(results, deciding), checks: results };
}

function successReason(results: CheckResult[], deciding: CheckResult[]): string {
  const dryRuns = results.length - deciding.length;
  const dry = dryRuns > 0 ? `; ${dryRuns} dry run(s), not deciding` : "";
  if (results.length === 0) return "no checks configured for this hook (checks: [])";
  if (deciding.length === 0) return `no deciding checks${dry}`;
  const inconclusive = deciding.filter((r) => r.status === "inconclusive").length;
  const passed = deciding.length - inconclusive;
  if (inconclusive === 0) return `all ${deciding.length} check(s) passed${dry}`;
  return `${passed} check(s) passed, ${inconclusive} inconclusive (inconclusive: pass)${dry}`;
}

/**
 * The verdict when the checks were interrupted: checks still running are stopped with the error.
 * When only dry runs were still measuring as time ran out, the deciding checks have already said
 * everything, so their verdict stands (a dry run must not fail a hook by outlasting it); anything
 * else interrupted fails the hook with the error.
 *
 * @example
 * verdictAfterError(results, new DeadlineError(9_000, 10_000)); // { status: "Failed", reason: "stopped with 9s left …" }
 */
export function verdictAfterError(results: CheckResult[], error: unknown): HookVerdict {
  const unfinished = results.filter((result) => result.status === "running" || result.status === "pending");
  for (const result of unfinished) {
    result.status = "stopped";
    result.reason = describe(error);
  }
  const decidingCut = unfinished.some((result) => !result.dryRun);
  // No results: the error came before the checks were known (configuration, CodeDeploy), so nothing was decided.
  if (error instanceof DeadlineError && results.length > 0 && !decidingCut) return verdictOf(results);
  return { status: "Failed", reason: describe(error), checks: results };
}
