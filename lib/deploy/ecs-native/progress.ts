/**
 * An analysis that spans invocations. Each invocation takes the measurements that are due (at
 * most one per check, the checks side by side) and returns; the next measurement of a check is
 * due `interval` after the start of its last one, and ECS is asked to call back when the first of
 * them is due. No invocation waits for a measurement, so none runs near its timeout, however long
 * the analysis. Each measurement is counted by the analysis loop's rule (lib/deploy/analysis.ts):
 * more than `failureLimit` failed (or `inconclusiveLimit` inconclusive) ends the check, `count`
 * taken within both passes it. The stage's verdict is verdict.ts's, as for every validator.
 */
import type { NamedEcsCheck } from "../../config/ecs-hooks-schema.ts";
import { analyse, pendingResult } from "../analysis.ts";
import type { CheckResult, Measure, Measurement } from "../types.ts";
import { failsHook, verdictOf } from "../verdict.ts";
import { AnalysisDeadlineError } from "./errors.ts";
import { cut } from "./state.ts";
import type { CheckProgress } from "./types.ts";

const NOTES_KEPT = 3;
const SUMMARY_CHARS = 300;

export type StageOutcome =
  | { status: "SUCCEEDED" | "FAILED"; reason: string; checks: CheckResult[] }
  | { status: "IN_PROGRESS"; nextAt: number; checks: CheckResult[] };

/** Every check at the start, its first measurement due after its initialDelay. */
export function freshProgress(checks: NamedEcsCheck[], now: number): CheckProgress[] {
  return checks.map((check) => ({ name: check.name, status: "running", taken: 0, failures: 0, inconclusive: 0, nextAt: now + check.initialDelay, last: [] }));
}

/**
 * Takes the measurements that are due, one per check, side by side, into `progress`. An aborted
 * signal (the invocation's own deadline) rejects with its reason once the measurements stop.
 *
 * @example
 * await measureDue(checks, state.checks, (check) => ecsMeasureFor(check, env, event, found), signal);
 */
export async function measureDue(checks: NamedEcsCheck[], progress: CheckProgress[], measureOf: (check: NamedEcsCheck) => Measure, signal: AbortSignal, now = Date.now): Promise<void> {
  const due = checks.flatMap((check, i) => {
    const p = progress[i];
    return p && p.status === "running" && p.nextAt <= now() ? [{ check, p }] : [];
  });
  await Promise.all(
    due.map(async ({ check, p }) => {
      // One measurement under the analysis loop's own timeout and error handling.
      const one = pendingResult({ name: check.name, type: check.type, count: 1, failureLimit: 1 });
      const startedAt = now();
      await analyse({ initialDelay: 0, interval: 0, count: 1, failureLimit: 1, inconclusiveLimit: 1, timeout: check.timeout }, measureOf(check), one, signal);
      if (one.status === "stopped") return;
      const measurement = one.measurements[0];
      if (!measurement) {
        // A CheckSetupError: no measurement can ever succeed.
        p.status = "failed";
        p.reason = one.reason;
        return;
      }
      count(check, p, measurement, startedAt);
    }),
  );
  if (signal.aborted) throw signal.reason;
}

/** One measurement into a check's tally, by analysis.ts's rule. */
function count(check: NamedEcsCheck, p: CheckProgress, m: Measurement, startedAt: number): void {
  p.taken += 1;
  p.last = [...p.last, { ok: m.ok, summary: cut(m.summary, SUMMARY_CHARS), at: m.startedAt, ms: m.durationMs }].slice(-NOTES_KEPT);
  const inconclusiveLimit = inconclusiveLimitOf(check);
  if (!m.ok && m.inconclusive) {
    p.inconclusive += 1;
    if (p.inconclusive > inconclusiveLimit) {
      p.status = "inconclusive";
      p.reason = `${p.inconclusive} of ${p.taken} measurements inconclusive, more than inconclusiveLimit ${inconclusiveLimit}`;
      return;
    }
  } else if (!m.ok) {
    p.failures += 1;
    if (p.failures > check.failureLimit) {
      p.status = "failed";
      p.reason = `${p.failures} of ${p.taken} measurements failed, more than failureLimit ${check.failureLimit}`;
      return;
    }
  }
  if (p.taken >= check.count) {
    p.status = "passed";
    const passed = check.count - p.failures - p.inconclusive;
    p.reason = `${passed}/${check.count} measurements passed${p.inconclusive > 0 ? `, ${p.inconclusive} inconclusive` : ""}`;
  } else {
    p.nextAt = startedAt + check.interval;
  }
}

/**
 * The stage's outcome so far: FAILED as soon as a deciding check fails it (the others stop),
 * SUCCEEDED once every check finished without failing it, else IN_PROGRESS until the next
 * measurement is due. A check that could not finish before `deadlineAt` fails the stage now
 * (a dry run is stopped instead), rather than when the deadline comes.
 *
 * @throws AnalysisDeadlineError naming the check that cannot finish in time.
 */
export function stageOutcome(checks: NamedEcsCheck[], progress: CheckProgress[], deadlineAt: number): StageOutcome {
  checks.forEach((check, i) => {
    const p = progress[i]!;
    if (p.status !== "running") return;
    const finishAt = p.nextAt + (check.count - p.taken - 1) * check.interval + check.timeout;
    if (finishAt <= deadlineAt) return;
    const why = `needs until ${iso(finishAt)} for ${check.count - p.taken} more measurement(s) ${check.interval / 1000}s apart, past the stage's maxDuration (${iso(deadlineAt)})`;
    if (!check.dryRun) throw new AnalysisDeadlineError(`check ${check.name} ${why}: raise the stage's maxDuration or lower count or interval`);
    p.status = "failed";
    p.reason = `stopped: it ${why}`;
  });
  const results = checkResults(checks, progress);
  const decided = results.find((r) => r.status !== "running" && failsHook(r));
  if (decided) {
    for (const r of results) {
      if (r.status === "running") Object.assign(r, { status: "stopped", reason: `stopped: check ${decided.name} ${decided.status}` });
    }
    return { ...verdictOf(results), status: "FAILED" };
  }
  const running = progress.filter((p) => p.status === "running");
  if (running.length > 0) return { status: "IN_PROGRESS", nextAt: Math.min(...running.map((p) => p.nextAt)), checks: results };
  const verdict = verdictOf(results);
  return { status: verdict.status === "Succeeded" ? "SUCCEEDED" : "FAILED", reason: verdict.reason, checks: results };
}

/**
 * The checks' results as the evidence formatters read them. Only the latest measurements travel
 * between invocations; the earlier ones stand in as counted entries so that the tally
 * ("7/10 measured") stays right.
 */
export function checkResults(checks: NamedEcsCheck[], progress: CheckProgress[]): CheckResult[] {
  return checks.map((check, i) => {
    const p: CheckProgress = progress[i] ?? { name: check.name, status: "running", taken: 0, failures: 0, inconclusive: 0, nextAt: 0, last: [] };
    const kept: Measurement[] = p.last.map((n) => ({ ok: n.ok, summary: n.summary, data: {}, startedAt: n.at, durationMs: n.ms }));
    const earlier: Measurement[] = Array.from({ length: Math.max(0, p.taken - kept.length) }, () => ({ ok: true, summary: "(counted in an earlier invocation)", data: {}, startedAt: "", durationMs: 0 }));
    return {
      ...pendingResult({
        name: check.name,
        type: check.type,
        count: check.count,
        failureLimit: check.failureLimit,
        inconclusiveLimit: inconclusiveLimitOf(check),
        ...(check.type === "cloudwatch" ? { inconclusive: check.inconclusive } : {}),
        dryRun: check.dryRun,
      }),
      status: p.status,
      reason: p.reason,
      failures: p.failures,
      inconclusive: p.inconclusive,
      measurements: [...earlier, ...kept],
    };
  });
}

function inconclusiveLimitOf(check: NamedEcsCheck): number {
  return check.type === "cloudwatch" ? check.inconclusiveLimit : 0;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
