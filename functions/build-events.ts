/**
 * EventBridge "CodeBuild Build State Change" for the runner projects: name why each finished build
 * ended, collect its artifacts as links, and tell the run's Slack thread.
 */
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { CodeBuildCloudWatchStateEvent } from "aws-lambda";
import { collectBuild, type CollectOutcome } from "../lib/artifacts/collect.ts";
import { getText, listBuildArtifacts, logExcerptKey, presign } from "../lib/artifacts/store.ts";
import { logger } from "../lib/observability/logger.ts";
import { metrics } from "../lib/observability/metrics.ts";
import { ledgerFromEnv, linkExpirySeconds, queuedNotifications } from "../lib/runners/deps.ts";

const bucket = process.env.RUNWAY_ARTIFACTS_BUCKET;
const ledger = ledgerFromEnv();
const notifications = queuedNotifications(process.env.RUNWAY_NOTIFY_QUEUE_URL);
const artifacts = bucket
  ? {
      list: (buildId: string, runnerName: string) => listBuildArtifacts(bucket, buildId, runnerName),
      link: async (key: string) => presign(bucket, key, await linkExpirySeconds()),
      readExcerpt: (buildId: string) => getText(bucket, logExcerptKey(buildId)),
    }
  : undefined;

async function collect(event: CodeBuildCloudWatchStateEvent): Promise<CollectOutcome> {
  const result = await collectBuild(event, { ledger, artifacts, notify: notifications.notify });
  await notifications.flush();
  logger.info("build collected", { ...result });
  return result;
}

export const handler = middy<CodeBuildCloudWatchStateEvent, CollectOutcome>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(collect);
