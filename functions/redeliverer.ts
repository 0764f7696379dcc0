/**
 * Every few minutes: ask GitHub to redeliver the failed workflow_job webhook deliveries that
 * nothing since made good (GitHub never retries a failed delivery by itself).
 */
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { setInvocationDeadline } from "../lib/github/deadline.ts";
import { logger } from "../lib/observability/logger.ts";
import { metrics } from "../lib/observability/metrics.ts";
import { recordRedeliveryRun } from "../lib/observability/report-metrics.ts";
import { redelivererDepsFromEnv } from "../lib/runners/deps.ts";
import { redeliverFailed, type RedeliveryReport } from "../lib/runners/redeliver.ts";

const deps = redelivererDepsFromEnv((message, fields) => logger.info(message, fields));

export const handler = middy<unknown, RedeliveryReport>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler((_event, context) => {
    // GitHub's rate-limit waits, and the run itself, end inside this invocation.
    const deadline = Date.now() + context.getRemainingTimeInMillis();
    setInvocationDeadline(deadline);
    return redeliverFailed({ ...deps, deadline }).then(recordRedeliveryRun);
  });
