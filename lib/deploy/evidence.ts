/**
 * Evidence, written for people: one line for the verdict and one per check with what was
 * measured. The same lines go to the log, to Slack (through the notifier) and to `npm start`.
 */
import type { CheckResult, HookVerdict, Measurement, VerdictSubject } from "./types.ts";

const MARK: Record<CheckResult["status"], string> = {
  passed: "PASS",
  failed: "FAIL",
  inconclusive: "INCONCLUSIVE",
  stopped: "STOP",
  running: "....",
  pending: "....",
};

/**
 * The verdict as readable lines.
 *
 * @example
 * formatVerdict(subject, verdict);
 * // [ "Succeeded: AfterAllowTestTraffic of shop/shop-prd (d-ABC) — 2 checks passed",
 * //   "  PASS http (3/3, failureLimit 1): GET http://…/health → 200 in 12 ms; …" ]
 */
export function formatVerdict(subject: VerdictSubject, verdict: HookVerdict): string[] {
  const where = subject.applicationName ? `${subject.applicationName}/${subject.deploymentGroupName ?? "?"}` : "unknown application";
  const lines = [`${verdict.status}: ${subject.hook ?? "hook"} of ${where} (${subject.deploymentId}) — ${verdict.reason}`];
  for (const check of verdict.checks) lines.push(`  ${formatCheck(check)}`);
  return lines;
}

/**
 * One check on one line: its outcome, its latest measurements, and why it failed if it did. A dry
 * run says so, since its outcome did not count.
 *
 * @example
 * formatCheck(result); // "FAIL error-rate [cloudwatch, dry run: not deciding] (2/5 measured, …) — …"
 */
export function formatCheck(check: CheckResult): string {
  const taken = check.measurements.length;
  const latest = check.measurements.slice(-3).map(formatMeasurement);
  const shown = (taken > 3 ? ["…", ...latest] : latest).join(" | ");
  const inconclusive =
    check.inconclusive > 0 || check.inconclusiveLimit > 0 || check.status === "inconclusive"
      ? `, ${check.inconclusive} inconclusive, inconclusiveLimit ${check.inconclusiveLimit} (inconclusive: ${check.inconclusivePolicy})`
      : "";
  const tally = `${taken}/${check.count} measured, ${check.failures} failed, failureLimit ${check.failureLimit}${inconclusive}`;
  const why = check.status === "passed" || !check.reason ? "" : ` — ${check.reason}`;
  const kind = check.dryRun ? `${check.type}, dry run: not deciding` : check.type;
  return `${MARK[check.status]} ${check.name} [${kind}] (${tally})${why}${shown ? `: ${shown}` : ""}`;
}

/** One measurement: "ok …", "FAILED …" or "INCONCLUSIVE …". */
export function formatMeasurement(measurement: Measurement): string {
  return `${measurement.ok ? "ok" : measurement.inconclusive ? "INCONCLUSIVE" : "FAILED"} ${measurement.summary}`;
}

/** The evidence as structured data for the log: what was measured, not how it was said. */
export function evidenceFields(verdict: HookVerdict): Record<string, unknown> {
  return {
    status: verdict.status,
    reason: verdict.reason,
    checks: verdict.checks.map((check) => ({
      name: check.name,
      type: check.type,
      status: check.status,
      reason: check.reason,
      failures: check.failures,
      failureLimit: check.failureLimit,
      inconclusive: check.inconclusive,
      inconclusiveLimit: check.inconclusiveLimit,
      dryRun: check.dryRun,
      count: check.count,
      measurements: check.measurements.map((m) => ({ ok: m.ok, ...(m.inconclusive ? { inconclusive: true } : {}), at: m.startedAt, ms: m.durationMs, ...m.data })),
    })),
  };
}
