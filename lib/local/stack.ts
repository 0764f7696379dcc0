/**
 * The local stack: every Runway flow on one machine with no AWS account and no internet. The real
 * handlers run through their real middy stacks; their event sources are wired in-process (the SQS
 * event source mapping, EventBridge rules); their SDK clients reach embedded local services
 * through the SDK's own endpoint configuration. Used by `npm start` and by integration tests.
 */
import type { SQSEvent } from "aws-lambda";
import { resetAwsClients } from "../aws/clients.ts";
import { setConfig } from "../config/runtime.ts";
import { startAwsEmulator, type AwsEmulator } from "./aws-emulator/server.ts";
import { createCodeBuildEmulation, type CodeBuildEmulation } from "./aws-emulator/services/codebuild.ts";
import { createSqsEmulation, type SqsEmulation } from "./aws-emulator/services/sqs.ts";
import { createStsEmulation } from "./aws-emulator/services/sts.ts";
import { LOCAL_WEBHOOK_SECRET } from "./defaults.ts";
import { describeDelivery, describeJobMessage, type Print } from "./printer.ts";
import { startLocalServer, type LocalServer } from "./server.ts";

export { LOCAL_WEBHOOK_SECRET } from "./defaults.ts";

export const JOB_QUEUE = "runway-jobs.fifo";
export const JOB_DLQ = "runway-jobs-dlq.fifo";

export interface LocalStackOptions {
  port?: number;
  host?: string;
  /** Configuration file (default: RUNWAY_CONFIG or ./runway.yml). */
  config?: string;
  /** Stage whose environments are served (default: RUNWAY_STAGE or "local"). */
  stage?: string;
  webhookSecret?: string;
  print?: Print;
}

export interface LocalStack {
  url: string;
  webhookUrl: string;
  webhookSecret: string;
  aws: AwsEmulator;
  sqs: SqsEmulation;
  codebuild: CodeBuildEmulation;
  server: LocalServer;
  stop(): Promise<void>;
}

/**
 * Start everything; resolves when `GET /healthz` answers 200.
 *
 * @example
 * const stack = await startLocalStack({ port: 0, print: () => {} });
 * await fetch(stack.webhookUrl, { method: "POST", headers, body });
 * await stack.stop();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const print = options.print ?? ((line: string) => console.log(line));
  const webhookSecret = options.webhookSecret ?? process.env.GITHUB_WEBHOOK_SECRET ?? LOCAL_WEBHOOK_SECRET;

  const sqs = createSqsEmulation();
  const codebuild = createCodeBuildEmulation();
  const aws = await startAwsEmulator({ services: [sqs, codebuild, createStsEmulation()] });

  sqs.createQueue(JOB_DLQ, { FifoQueue: "true" });
  sqs.createQueue(JOB_QUEUE, {
    FifoQueue: "true",
    VisibilityTimeout: "30",
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: sqs.queue(JOB_DLQ)!.arn, maxReceiveCount: 5 }),
  });

  // The same variables a deployed function gets from serverless.yml, pointed at local services.
  Object.assign(process.env, {
    AWS_REGION: process.env.AWS_REGION ?? "eu-west-1",
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "local",
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "local",
    AWS_ENDPOINT_URL_SQS: aws.url,
    AWS_ENDPOINT_URL_CODEBUILD: aws.url,
    AWS_ENDPOINT_URL_STS: aws.url,
    RUNWAY_JOB_QUEUE_URL: sqs.queueUrl(JOB_QUEUE, aws.url),
    RUNWAY_STAGE: options.stage ?? process.env.RUNWAY_STAGE ?? "local",
    GITHUB_WEBHOOK_SECRET: webhookSecret,
  });
  delete process.env.GITHUB_WEBHOOK_SECRET_PARAMETER;
  if (options.config) process.env.RUNWAY_CONFIG = options.config;
  resetAwsClients();
  setConfig(undefined);

  // Imported after the environment is set, as Lambda imports a handler with its environment.
  const { handler: webhook } = await import("../../functions/github-webhook.ts");
  const { jobMessageSchema } = await import("../runners/job-message-schema.ts");

  const unsubscribe = sqs.subscribe(JOB_QUEUE, async (event: SQSEvent) => {
    for (const record of event.Records) print(describeJobMessage(jobMessageSchema.parse(JSON.parse(record.body))));
  });

  const server = await startLocalServer({
    port: options.port ?? 3000,
    host: options.host ?? "127.0.0.1",
    webhook,
    onDelivery: (event, result, ms) => print(describeDelivery(event.headers, result, ms)),
  });

  return {
    url: server.url,
    webhookUrl: `${server.url}/github/webhook`,
    webhookSecret,
    aws,
    sqs,
    codebuild,
    server,
    async stop() {
      unsubscribe();
      await server.close();
      await aws.close();
    },
  };
}
