/**
 * HTTP `POST /github/webhook`: GitHub `workflow_job` (and every other) delivery.
 * Verify → parse → route → enqueue; the answer never waits on CodeBuild or GitHub's API.
 */
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { getConfig } from "../lib/config/runtime.ts";
import { servedEnvironments } from "../lib/config/served.ts";
import { dispatch } from "../lib/github/dispatch.ts";
import { webhookSecrets } from "../lib/github/webhook-secret.ts";
import { jsonResponse } from "../lib/http/error-response.ts";
import { deliveryLog, type DeliveryLogContext } from "../lib/http/middleware/delivery-log.ts";
import { githubDelivery } from "../lib/http/middleware/github-delivery.ts";
import { httpErrors } from "../lib/http/middleware/http-errors.ts";
import { logger } from "../lib/observability/logger.ts";
import { sqsJobSink } from "../lib/jobs/job-queue.ts";

const jobs = sqsJobSink();

async function handleDelivery(_event: APIGatewayProxyEventV2, context: DeliveryLogContext): Promise<APIGatewayProxyStructuredResultV2> {
  const config = await getConfig();
  context.outcome = await dispatch(context.delivery!, { config, served: servedEnvironments(config), jobs });
  return jsonResponse(context.outcome.statusCode, context.outcome.body);
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, DeliveryLogContext>()
  .use(injectLambdaContext(logger))
  .use(deliveryLog({ log: (message, fields) => logger.info(message, fields) }))
  .use(httpErrors())
  .use(githubDelivery({ secrets: webhookSecrets }))
  .handler(handleDelivery);
