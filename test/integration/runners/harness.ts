/**
 * A launcher wired to real local servers over real sockets: dynalite (DynamoDB), the AWS emulator
 * (CodeBuild, SSM, SQS, STS) and, for GitHub, a registry that records registrations. The launcher
 * code under test is the production code with its production AWS ports.
 */
import type { SQSEvent } from "aws-lambda";
import { documentClient, resetAwsClients } from "../../../lib/aws/clients.ts";
import { startAwsEmulator, type AwsEmulator } from "../../../lib/local/aws-emulator/server.ts";
import { createCodeBuildEmulation, type CodeBuildEmulation } from "../../../lib/local/aws-emulator/services/codebuild.ts";
import { createSqsEmulation, type SqsEmulation } from "../../../lib/local/aws-emulator/services/sqs.ts";
import { createSsmEmulation, type SsmEmulation } from "../../../lib/local/aws-emulator/services/ssm.ts";
import { createStsEmulation, type StsEmulation } from "../../../lib/local/aws-emulator/services/sts.ts";
import { startLocalDynamo } from "../../../lib/local/dynamodb.ts";
import { codeBuildStarter, deadLetterParking, ssmJitSecrets } from "../../../lib/runners/aws-ports.ts";
import { consumeJobMessages, type ConsumeDeps } from "../../../lib/runners/consume.ts";
import type { JobMessage } from "../../../lib/runners/job-message.ts";
import { RunnerNameTakenError, type RunnerRegistry } from "../../../lib/runners/launch.ts";
import { Ledger } from "../../../lib/runners/ledger.ts";

export const DLQ = "runway-jobs-dlq.fifo";
export const PROJECT = "runway-runner-dev";

export interface Harness {
  aws: AwsEmulator;
  codebuild: CodeBuildEmulation;
  ssm: SsmEmulation;
  sqs: SqsEmulation;
  sts: StsEmulation;
  ledger: Ledger;
  registry: RunnerRegistry & { registered: Map<string, number>; removed: string[] };
  logs: Record<string, unknown>[];
  deps: ConsumeDeps;
  stop(): Promise<void>;
}

export async function startHarness(options: { table?: string; leaseMs?: number } = {}): Promise<Harness> {
  const table = options.table ?? "runway-test";
  const dynamo = await startLocalDynamo(table);
  const codebuild = createCodeBuildEmulation();
  const ssm = createSsmEmulation();
  const sqs = createSqsEmulation();
  const sts = createStsEmulation();
  const aws = await startAwsEmulator({ services: [codebuild, ssm, sqs, sts] });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_CODEBUILD: aws.url,
    AWS_ENDPOINT_URL_SSM: aws.url,
    AWS_ENDPOINT_URL_SQS: aws.url,
    AWS_ENDPOINT_URL_STS: aws.url,
  });
  resetAwsClients();
  codebuild.createProject({ name: PROJECT, concurrentBuildLimit: 100 });
  sqs.createQueue(DLQ, { FifoQueue: "true" });

  const registered = new Map<string, number>();
  const removed: string[] = [];
  let nextId = 1;
  const registry: Harness["registry"] = {
    registered,
    removed,
    async register(request) {
      if (registered.has(request.name)) throw new RunnerNameTakenError(`a runner named ${request.name} exists`);
      const runnerId = nextId++;
      registered.set(request.name, runnerId);
      return { runnerId, encodedJitConfig: `jit-secret-${request.name}-${runnerId}` };
    },
    async unregister(request) {
      registered.delete(request.name);
      removed.push(request.name);
    },
  };

  const ledger = new Ledger({ client: documentClient(), table });
  const logs: Record<string, unknown>[] = [];
  const deps: ConsumeDeps = {
    ledger,
    registry,
    secrets: ssmJitSecrets(),
    builds: codeBuildStarter({ artifactsBucket: "runway-artifacts-test", idleTimeoutSeconds: 600 }),
    parking: deadLetterParking(sqs.queueUrl(DLQ, aws.url)),
    settings: { leaseMs: options.leaseMs ?? 60_000, jitPrefix: "/runway/test/jit" },
    log: (message, fields) => logs.push({ message, ...fields }),
  };
  return {
    aws,
    codebuild,
    ssm,
    sqs,
    sts,
    ledger,
    registry,
    logs,
    deps,
    async stop() {
      await aws.close();
      await dynamo.close();
    },
  };
}

let sequence = 0;

/** An SQS event carrying job messages, as Lambda's event source mapping delivers it. */
export function sqsEvent(...messages: JobMessage[]): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: `m-${++sequence}`,
      receiptHandle: `r-${sequence}`,
      body: JSON.stringify(m),
      attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(Date.now()), SenderId: "x", ApproximateFirstReceiveTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:eu-west-1:000000000000:runway-jobs.fifo",
      awsRegion: "eu-west-1",
    })),
  };
}

/** A queued job message for dev, as the webhook builds it. */
export function queuedJob(jobId: number, overrides: Partial<JobMessage> & { labels?: string[]; runAttempt?: number } = {}): JobMessage {
  const { labels, runAttempt, ...rest } = overrides;
  return {
    version: 1,
    action: "queued",
    deliveryId: `d-${jobId}`,
    receivedAt: new Date().toISOString(),
    environment: "dev",
    codebuild: { project: PROJECT, region: "eu-west-1", allowOverrides: ["instance-size"] },
    runnerGroupId: 1,
    concurrency: 50,
    job: {
      id: jobId,
      runId: 9000 + jobId,
      runAttempt: runAttempt ?? 1,
      name: "deploy",
      workflowName: "action-payments-dev-deploy",
      labels: labels ?? ["self-hosted", "runway"],
      repository: "acme/payments",
      owner: "acme",
      repo: "payments",
      installationId: 42,
      steps: [],
    },
    ...rest,
  };
}
