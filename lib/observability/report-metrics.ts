/**
 * The scheduled functions' figures, read off the report each run returns. Every run records every
 * one of its figures, zeros included: a pass that did nothing says so, and an alarm that finds no
 * data at all knows the schedule itself stopped.
 */
import type { ReconcileReport } from "../runners/reconcile.ts";
import type { RedeliveryReport } from "../runners/redeliver.ts";
import { recordMetric } from "./metrics.ts";

/**
 * Record a reconciler pass's actions; a pass that throws, or that left launches for the next pass
 * because CodeBuild or GitHub could not be asked, counts as failed. The pass's own result (or
 * error) is passed through.
 *
 * @example
 * export const handler = middy().use(logMetrics(metrics)).handler(() => recordReconcilerPass(reconcile(deps)));
 */
export async function recordReconcilerPass(pass: Promise<ReconcileReport>): Promise<ReconcileReport> {
  let report: ReconcileReport;
  try {
    report = await pass;
  } catch (error) {
    recordMetric("ReconcilerFailed", 1);
    throw error;
  }
  recordMetric("ReconcilerBuildStopped", report.stoppedIdle.length);
  // Both kinds of relaunch: a stuck launch sent again, and a job its ended build never took.
  recordMetric("ReconcilerRelaunched", report.relaunched.length + report.relaunchedBuilds.length);
  recordMetric("ReconcilerJitConfigDeleted", report.secretsDeleted.length);
  recordMetric("ReconcilerFailed", report.deferred.length > 0 ? 1 : 0);
  // A job no relaunch got a runner for is parked in the job dead-letter queue, as the launcher parks.
  recordMetric("LaunchParked", report.parked.length);
  return report;
}

/**
 * Record how many failed deliveries a redeliverer run asked GitHub to send again.
 *
 * @example
 * const report = await redeliverFailed(deps);
 * recordRedeliveryRun(report);
 */
export function recordRedeliveryRun(report: RedeliveryReport): RedeliveryReport {
  recordMetric("RedeliveryRequested", report.redelivered.length);
  return report;
}
