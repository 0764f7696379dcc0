/**
 * A launcher wired to real local servers over real sockets: dynalite (DynamoDB), the AWS emulator
 * (CodeBuild, SSM, SQS, STS) and, for GitHub, a registry that records registrations. The launcher
 * code under test is the production code with its production AWS ports.
 */
import { documentClient } from "../../../lib/aws/dynamodb.ts";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { startAwsEmulator, type AwsEmulator } from "../../../lib/local/aws-emulator/server.ts";
import { createCodeBuildEmulation, type CodeBuildEmulation } from "../../../lib/local/aws-emulator/services/codebuild.ts";
import { createSqsEmulation, type SqsEmulation } from "../../../lib/local/aws-emulator/services/sqs.ts";
import { createSsmEmulation, type SsmEmulation } from "../../../lib/local/aws-emulator/services/ssm.ts";
import { createStsEmulation, type StsEmulation } from "../../../lib/local/aws-emulator/services/sts.ts";
import { startLocalDynamo } from "../../../lib/local/dynamodb.ts";
import { codeBuildStarter, deadLetterParking, ssmJitSecrets } from "../../../lib/runners/aws-ports.ts";
import { consumeJobMessages, type ConsumeDeps } from "../../../lib/runners/consume.ts";
import type { GitHubJob } from "../../../lib/github/jobs.ts";
import type { GitHubRunner } from "../../../lib/github/runner-status.ts";
import { RetryLaterError } from "../../../lib/runners/errors.ts";
import { RunnerNameConflictError } from "../../../lib/github/errors.ts";
import type { GitHubJobs, RunnerRegistry } from "../../../lib/runners/launch.ts";
import { Ledger } from "../../../lib/runners/ledger.ts";
import type { GitHubRunners } from "../../../lib/runners/reconcile.ts";

export const DLQ = "runway-jobs-dlq.fifo";
export { PROJECT } from "../../support/job-messages.ts";
import { PROJECT } from "../../support/job-messages.ts";

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
      if (registered.has(request.name)) throw new RunnerNameConflictError(`a runner named ${request.name} exists`, { status: 409, runnerName: request.name });
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

export { queuedJob, sqsEvent } from "../../support/job-messages.ts";

/** What a fake GitHub says about jobs and runners; the test sets the answers. */
export interface GitHubTruth {
  jobs: GitHubJobs;
  runners: GitHubRunners;
  /** Per job id (default: queued, no runner). */
  job: Map<number, Partial<GitHubJob>>;
  /** Per runner id (default: registered, offline, not busy); "gone" answers as GitHub's 404 does. */
  runner: Map<number, Partial<GitHubRunner> | "gone">;
  /** While true, every question fails as a rate-limited or unreachable GitHub does. */
  unreachable: boolean;
  /** The job and runner ids asked about, in order. */
  asked: { jobs: number[]; runners: number[] };
}

export function gitHubTruth(): GitHubTruth {
  const truth: GitHubTruth = {
    job: new Map(),
    runner: new Map(),
    unreachable: false,
    asked: { jobs: [], runners: [] },
    jobs: {
      async job({ jobId }) {
        truth.asked.jobs.push(jobId);
        if (truth.unreachable) throw new RetryLaterError(`GitHub's rate limit stopped the call to read job ${jobId}: retry after 60 s`);
        return { id: jobId, runId: 1, runAttempt: 1, status: "queued", conclusion: null, runnerName: null, runnerId: null, ...truth.job.get(jobId) };
      },
    },
    runners: {
      async runner({ runnerId }) {
        truth.asked.runners.push(runnerId);
        if (truth.unreachable) throw new RetryLaterError(`could not reach GitHub to read runner ${runnerId}; retry later`);
        const answer = truth.runner.get(runnerId);
        return answer === "gone" ? undefined : { id: runnerId, name: `runner-${runnerId}`, status: "offline", busy: false, ...answer };
      },
    },
  };
  return truth;
}
