/**
 * Every minute: relaunch stuck launches, give waiting ones a free slot, and — asking GitHub first —
 * stop builds whose runner took no job, relaunch jobs no build took, free the slots of ended
 * builds, delete used JIT configs. Slack hears of jobs given up on (the pass flushes its notifications);
 * the pass's actions, and whether it failed, are Runway's Reconciler* metrics.
 */
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { setInvocationDeadline } from "../lib/github/deadline.ts";
import { logger } from "../lib/observability/logger.ts";
import { metrics } from "../lib/observability/metrics.ts";
import { recordReconcilerPass } from "../lib/observability/report-metrics.ts";
import { reconcilerDepsFromEnv } from "../lib/runners/deps.ts";
import { reconcile, type ReconcileReport } from "../lib/runners/reconcile.ts";

const deps = reconcilerDepsFromEnv((message, fields) => logger.info(message, fields));

export const handler = middy<unknown, ReconcileReport>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler((_event, context) => {
    // GitHub's rate-limit waits must end inside this pass; what is not asked now is asked next minute.
    setInvocationDeadline(Date.now() + context.getRemainingTimeInMillis());
    return recordReconcilerPass(reconcile(deps));
  });
