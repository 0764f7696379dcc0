/**
 * The local stack's AWS: one emulator serving every service Runway calls, with the queues and
 * CodeBuild projects serverless.yml would create, and the `AWS_ENDPOINT_URL_<SERVICE>` values
 * that point the real SDK clients at it.
 */
import type { EnvironmentType } from "@aws-sdk/client-codebuild";
import { curatedImageArchitecture } from "../config/codebuild-images.ts";
import type { RunwayConfig } from "../config/schema.ts";
import { startAwsEmulator, type AwsEmulator } from "./aws-emulator/server.ts";
import { createCloudWatchEmulation, type CloudWatchEmulation } from "./aws-emulator/services/cloudwatch.ts";
import { createCodeBuildEmulation, type CodeBuildEmulation } from "./aws-emulator/services/codebuild.ts";
import { createCodeDeployEmulation, type CodeDeployEmulation } from "./aws-emulator/services/codedeploy.ts";
import { createEcsEmulation, type EcsEmulation } from "./aws-emulator/services/ecs.ts";
import { createElbv2Emulation, type Elbv2Emulation } from "./aws-emulator/services/elbv2.ts";
import { createLambdaEmulation } from "./aws-emulator/services/lambda.ts";
import { createSqsEmulation, type SqsEmulation } from "./aws-emulator/services/sqs.ts";
import { createSsmEmulation, type SsmEmulation } from "./aws-emulator/services/ssm.ts";
import { createStsEmulation } from "./aws-emulator/services/sts.ts";

export const JOB_QUEUE = "runway-jobs.fifo";
export const JOB_DLQ = "runway-jobs-dlq.fifo";
export const NOTIFY_QUEUE = "runway-notify.fifo";
export const NOTIFY_DLQ = "runway-notify-dlq.fifo";
export const PROTECTION_QUEUE = "runway-protection.fifo";
export const PROTECTION_DLQ = "runway-protection-dlq.fifo";

export interface LocalAws {
  aws: AwsEmulator;
  sqs: SqsEmulation;
  codebuild: CodeBuildEmulation;
  ssm: SsmEmulation;
  codedeploy: CodeDeployEmulation;
  ecs: EcsEmulation;
  elbv2: Elbv2Emulation;
  cloudwatch: CloudWatchEmulation;
  jobQueue: string;
  notifyQueue: string;
  jobQueueUrl: string;
  jobDlqUrl: string;
  notifyQueueUrl: string;
  protectionQueueUrl: string;
  protectionDlqUrl: string;
  /** `AWS_ENDPOINT_URL_<SERVICE>` for every emulated service. */
  endpoints: Record<string, string>;
  /** The runner project of every environment, as serverless.yml creates them per stage. */
  createProjects(config: RunwayConfig): void;
  close(): Promise<void>;
}

export async function startLocalAws(): Promise<LocalAws> {
  const sqs = createSqsEmulation();
  const codebuild = createCodeBuildEmulation();
  const ssm = createSsmEmulation();
  const codedeploy = createCodeDeployEmulation();
  const ecs = createEcsEmulation();
  const elbv2 = createElbv2Emulation();
  const cloudwatch = createCloudWatchEmulation();
  const aws = await startAwsEmulator({ services: [sqs, codebuild, ssm, createStsEmulation(), codedeploy, ecs, elbv2, cloudwatch, createLambdaEmulation()] });

  const fifoWithDlq = (queue: string, dlq: string, visibility: number, maxReceiveCount: number) => {
    sqs.createQueue(dlq, { FifoQueue: "true" });
    sqs.createQueue(queue, {
      FifoQueue: "true",
      VisibilityTimeout: String(visibility),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: sqs.queue(dlq)!.arn, maxReceiveCount }),
    });
  };
  fifoWithDlq(JOB_QUEUE, JOB_DLQ, 360, 12); // as serverless.yml
  fifoWithDlq(NOTIFY_QUEUE, NOTIFY_DLQ, 60, 20);
  fifoWithDlq(PROTECTION_QUEUE, PROTECTION_DLQ, 360, 14); // above the protection function's 10 attempts

  const services = ["SQS", "CODEBUILD", "SSM", "STS", "CODEDEPLOY", "ECS", "ELASTIC_LOAD_BALANCING_V2", "CLOUDWATCH", "LAMBDA"];
  return {
    aws,
    sqs,
    codebuild,
    ssm,
    codedeploy,
    ecs,
    elbv2,
    cloudwatch,
    jobQueue: JOB_QUEUE,
    notifyQueue: NOTIFY_QUEUE,
    jobQueueUrl: sqs.queueUrl(JOB_QUEUE, aws.url),
    jobDlqUrl: sqs.queueUrl(JOB_DLQ, aws.url),
    notifyQueueUrl: sqs.queueUrl(NOTIFY_QUEUE, aws.url),
    protectionQueueUrl: sqs.queueUrl(PROTECTION_QUEUE, aws.url),
    protectionDlqUrl: sqs.queueUrl(PROTECTION_DLQ, aws.url),
    endpoints: Object.fromEntries(services.map((s) => [`AWS_ENDPOINT_URL_${s}`, aws.url])),
    createProjects(config) {
      for (const env of Object.values(config.environments)) {
        if (!codebuild.projects().some((p) => p.name === env.codebuild.project)) {
          codebuild.createProject({ name: env.codebuild.project, concurrentBuildLimit: env.concurrency, ...projectEnvironment(env.codebuild) });
        }
      }
    },
    close: () => aws.close(),
  };
}

/**
 * The project's image and environment type as the template makes them (an arm64 image runs in
 * ARM_CONTAINER): an environment with its own `codebuild.image`; else the emulator's default.
 */
function projectEnvironment(codebuild: { image?: string | undefined; architecture?: "x86_64" | "arm64" | undefined }): { environment?: { type: EnvironmentType; image: string; computeType: "BUILD_GENERAL1_SMALL" } } {
  if (!codebuild.image) return {};
  const architecture = codebuild.architecture ?? curatedImageArchitecture(codebuild.image);
  return { environment: { type: architecture === "arm64" ? "ARM_CONTAINER" : "LINUX_CONTAINER", image: codebuild.image, computeType: "BUILD_GENERAL1_SMALL" } };
}
