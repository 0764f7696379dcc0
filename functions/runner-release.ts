/**
 * Every hour: copy the current actions/runner release (or the stage's pinned one) into the
 * artifacts bucket, checksums verified, and record it in runner/current.json for the runner
 * builds to install. RunnerReleaseBehind says whether it could.
 */
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { logger } from "../lib/observability/logger.ts";
import { metrics } from "../lib/observability/metrics.ts";
import { runnerReleaseDepsFromEnv } from "../lib/runners/release/deps.ts";
import { runnerReleasePass, type RunnerReleaseReport } from "../lib/runners/release/resolve.ts";

const log = (message: string, fields: Record<string, unknown>) => logger.info(message, fields);
const logFailure = (message: string, fields: Record<string, unknown>) => logger.error(message, fields);

export const handler = middy<unknown, RunnerReleaseReport>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(() => runnerReleasePass(() => runnerReleaseDepsFromEnv(process.env, log), logFailure));
