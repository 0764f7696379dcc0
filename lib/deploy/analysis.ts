/**
 * The analysis loop, after Argo Rollouts' analysis: a check takes `count` measurements `interval`
 * apart (after `initialDelay`), each bounded by `timeout`; it fails as soon as more than
 * `failureLimit` measurements have failed, is inconclusive as soon as more than
 * `inconclusiveLimit` were inconclusive (failures are counted first, as Argo does), and passes
 * once all `count` were taken within both limits. A measurement that throws or times out counts as
 * failed; a CheckSetupError fails the check at once, since no retry can fix it. What the outcome
 * means for the hook (dry runs, the inconclusive policy) is verdict.ts's business, not the loop's.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe } from "../errors/describe.ts";
import { CheckSetupError } from "./errors.ts";
import type { CheckResult, Measure, Measurement } from "./types.ts";

export interface AnalysisSettings {
  initialDelay: number;
  interval: number;
  count: number;
  failureLimit: number;
  timeout: number;
  /** Only metric checks have inconclusive measurements; 0 when omitted. */
  inconclusiveLimit?: number;
}

/** What a check contributes to its result besides the analysis settings; the options default off. */
export interface ResultOf {
  name: string;
  type: string;
  count: number;
  failureLimit: number;
  inconclusiveLimit?: number;
  /** The check's `inconclusive:` setting. */
  inconclusive?: "fail" | "pass";
  dryRun?: boolean;
}

/** Told of every measurement as it is taken (`runway validate` prints them). */
export type MeasurementListener = (result: CheckResult, measurement: Measurement) => void;

/** A fresh, pending result for a check, to be filled in by `analyse`. */
export function pendingResult(check: ResultOf): CheckResult {
  return {
    name: check.name,
    type: check.type,
    status: "pending",
    reason: undefined,
    count: check.count,
    failureLimit: check.failureLimit,
    failures: 0,
    inconclusive: 0,
    inconclusiveLimit: check.inconclusiveLimit ?? 0,
    inconclusivePolicy: check.inconclusive ?? "fail",
    dryRun: check.dryRun ?? false,
    measurements: [],
  };
}

/**
 * Runs one check's measurements into `result` (mutated as it goes, so that evidence survives a
 * deadline). Never throws: an aborted signal leaves the result `stopped` with the abort's reason.
 *
 * @example
 * const result = pendingResult(check);
 * await analyse(check, httpMeasure(check, env), result, deadline.signal);
 * result.status; // "passed" | "failed" | "stopped"
 */
export async function analyse(
  settings: AnalysisSettings,
  measure: Measure,
  result: CheckResult,
  signal: AbortSignal,
  onMeasurement?: MeasurementListener,
): Promise<void> {
  const inconclusiveLimit = settings.inconclusiveLimit ?? 0;
  result.status = "running";
  let lastStart = 0;
  for (let n = 0; n < settings.count; n++) {
    const wait = n === 0 ? settings.initialDelay : Math.max(0, settings.interval - (Date.now() - lastStart));
    try {
      if (wait > 0) await sleep(wait, undefined, { signal });
    } catch {
      return stop(result, signal);
    }
    if (signal.aborted) return stop(result, signal);
    lastStart = Date.now();
    const outcome = await measureOnce(measure, settings.timeout, signal);
    if (signal.aborted) return stop(result, signal);
    if (outcome instanceof CheckSetupError) {
      result.status = "failed";
      result.reason = outcome.message;
      return;
    }
    result.measurements.push(outcome);
    onMeasurement?.(result, outcome);
    if (outcome.ok) continue;
    if (outcome.inconclusive) {
      result.inconclusive += 1;
      if (result.inconclusive > inconclusiveLimit) {
        result.status = "inconclusive";
        result.reason = `${result.inconclusive} of ${result.measurements.length} measurements inconclusive, more than inconclusiveLimit ${inconclusiveLimit}`;
        return;
      }
      continue;
    }
    result.failures += 1;
    if (result.failures > settings.failureLimit) {
      result.status = "failed";
      result.reason = `${result.failures} of ${result.measurements.length} measurements failed, more than failureLimit ${settings.failureLimit}`;
      return;
    }
  }
  result.status = "passed";
  const passed = settings.count - result.failures - result.inconclusive;
  result.reason = `${passed}/${settings.count} measurements passed${result.inconclusive > 0 ? `, ${result.inconclusive} inconclusive` : ""}`;
}

/** One measurement under its own timeout; errors become failed measurements. */
async function measureOnce(measure: Measure, timeoutMs: number, parent: AbortSignal): Promise<Measurement | CheckSetupError> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([parent, timeout]);
  const startedAt = new Date();
  const started = performance.now();
  const finish = (found: Omit<Measurement, "startedAt" | "durationMs">): Measurement => ({
    ...found,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
  });
  let onAbort: (() => void) | undefined;
  // A measurement that ignores its signal must still not hold the check past its timeout.
  const aborted = new Promise<"aborted">((resolve) => {
    onAbort = () => resolve("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const found = await Promise.race([measure(signal), aborted]);
    if (found !== "aborted") return finish(found);
  } catch (error) {
    if (error instanceof CheckSetupError) return error;
    if (!signal.aborted) return finish({ ok: false, summary: `error: ${describe(error)}`, data: { error: describe(error) } });
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
  return finish({ ok: false, summary: `no answer within ${timeoutMs} ms (timeout)`, data: { timeoutMs } });
}

function stop(result: CheckResult, signal: AbortSignal): void {
  result.status = "stopped";
  result.reason = `stopped after ${result.measurements.length} of ${result.count} measurements: ${describe(signal.reason)}`;
}

