/**
 * The peer's webhook Lambda (terraform-aws-github-runner, direct mode: API Gateway → webhook →
 * SQS) deployed into the local AWS emulator as the module's Terraform deploys it with its defaults
 * (prefix `github-actions`, ssm_paths `/github-action-runners/github-actions/…`, runner labels
 * `self-hosted, linux, x64`, exactMatch on, 30 s webhook delay, log level info, tracing off):
 *
 * - main.tf `aws_sqs_queue.queued_builds`: a standard queue `github-actions-queued-builds`;
 * - modules/ssm: the webhook secret as a SecureString `…/app/github_app_webhook_secret`;
 * - modules/webhook/webhook.tf: the runner matcher config, JSON, as a String
 *   `…/webhook/runner-matcher-config` (one chunk: it is far below 4 KB);
 * - modules/webhook/direct/webhook.tf: the function's environment variables.
 *
 * The handler is `index.directWebhook`; its API Gateway is an HTTP API with an AWS_PROXY
 * integration and the default payload format 1.0.
 */
import type { LocalStack } from "../../../lib/local/stack.ts";
import { BENCH_SECRET, twentyKbDelivery } from "../webhook-delivery.ts";

export const PEER_HANDLER = "directWebhook";
export const PEER_QUEUE = "github-actions-queued-builds";
const SSM_ROOT = "/github-action-runners/github-actions";
export const PEER_SECRET_PARAMETER = `${SSM_ROOT}/app/github_app_webhook_secret`;
export const PEER_MATCHER_PARAMETER = `${SSM_ROOT}/webhook/runner-matcher-config`;
/** sort(concat(["self-hosted", var.runner_os, var.runner_architecture], var.runner_extra_labels)) */
export const PEER_RUNNER_LABELS = ["linux", "self-hosted", "x64"];

export interface PeerDeployment {
  /** The function's environment: Terraform's variables, region, credentials and local endpoints. */
  env: NodeJS.ProcessEnv;
  /** What the peer enqueues for an accepted `queued` job must name this queue. */
  queueUrl: string;
}

/** Create the peer's queue and parameters in the local stack's emulator; return its environment. */
export function deployPeer(stack: LocalStack): PeerDeployment {
  stack.sqs.createQueue(PEER_QUEUE, { DelaySeconds: "30", VisibilityTimeout: "60", MessageRetentionPeriod: "86400", ReceiveMessageWaitTimeSeconds: "0" });
  const queue = stack.sqs.queue(PEER_QUEUE)!;
  const queueUrl = stack.sqs.queueUrl(PEER_QUEUE, stack.aws.url);
  stack.ssm.put(PEER_SECRET_PARAMETER, BENCH_SECRET, "SecureString");
  // locals.runner_matcher_config_sorted: the map entry merged with its key and computeProvider.
  const matcher = [
    {
      id: queueUrl,
      arn: queue.arn,
      computeProvider: "ec2",
      matcherConfig: { labelMatchers: [PEER_RUNNER_LABELS], exactMatch: true, bidirectionalLabelMatch: false, priority: 999, enableDynamicLabels: false, awsDynamicLabelsPolicy: null },
      key: "github-actions-queued-builds",
    },
  ];
  stack.ssm.put(PEER_MATCHER_PARAMETER, JSON.stringify(matcher), "String");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_REGION: process.env.AWS_REGION,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
    AWS_ENDPOINT_URL_SSM: stack.aws.url,
    AWS_ENDPOINT_URL_SQS: stack.aws.url,
    LOG_LEVEL: "INFO",
    // Silenced as Runway's own first-request series is: both measure work, not log writing.
    POWERTOOLS_LOG_LEVEL: process.env.PEER_LOG_LEVEL ?? "SILENT",
    POWERTOOLS_LOGGER_LOG_EVENT: "false",
    POWERTOOLS_TRACE_ENABLED: "false",
    POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: "false",
    POWERTOOLS_TRACER_CAPTURE_ERROR: "false",
    PARAMETER_GITHUB_APP_WEBHOOK_SECRET: PEER_SECRET_PARAMETER,
    REPOSITORY_ALLOW_LIST: "[]",
    QUEUE_SELECTION_STRATEGY: "first",
    PARAMETER_RUNNER_MATCHER_CONFIG_PATH: PEER_MATCHER_PARAMETER,
    PARAMETER_RUNNER_MATCHER_VERSION: "1",
  };
  return { env, queueUrl };
}

/**
 * A signed 20 KiB `workflow_job` `queued` delivery for a job the peer's runners accept, as API
 * Gateway's payload format 1.0 hands it to the function.
 */
export function peerDeliveryEvent(jobId: number) {
  const { body, headers } = twentyKbDelivery({ id: jobId, runId: jobId, labels: ["self-hosted", "linux", "x64"] });
  return {
    version: "1.0",
    resource: "/webhook",
    path: "/webhook",
    httpMethod: "POST",
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    body,
    isBase64Encoded: false,
    requestContext: { httpMethod: "POST", path: "/webhook", stage: "$default", requestId: `bench-${jobId}` },
  };
}
