/**
 * The launcher's AWS side: CodeBuild (start a runner build, find one by runner name), SSM (the JIT
 * config as a short-lived SecureString) and the dead-letter queue. Each error is classified as
 * retryable or permanent, so the launcher knows whether to wait or to park.
 */
import { BatchGetBuildsCommand, ListBuildsForProjectCommand, StartBuildCommand, StopBuildCommand } from "@aws-sdk/client-codebuild";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { DeleteParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import { codeBuildClientFor } from "../aws/codebuild.ts";
import { type AwsTarget } from "../aws/shared.ts";
import { sqsClient } from "../aws/sqs.ts";
import { ssmClientFor } from "../aws/ssm.ts";
import { logger } from "../observability/logger.ts";
import { classifyAwsError, RetryLaterError } from "./errors.ts";
import type { JobMessage } from "../jobs/job-message.ts";
import type { BuildStarter, JitSecrets, ParkingLot } from "./launch.ts";
import type { BuildState, BuildWatcher } from "./reconcile.ts";

export interface CodeBuildStarterOptions {
  /** Bucket for failure markers and artifacts, passed to the build. */
  artifactsBucket?: string | undefined;
  idleTimeoutSeconds?: number | undefined;
}

/** Clocks of Lambda and CodeBuild disagree by a little; a build is never older than its launch by more. */
const CLOCK_SKEW_MS = 60_000;

export function codeBuildStarter(options: CodeBuildStarterOptions = {}): BuildStarter {
  return {
    async start(request) {
      const plain = (name: string, value: string | number) => ({ name, value: String(value), type: "PLAINTEXT" as const });
      try {
        const { build } = await codeBuildClientFor(request.target).send(
          new StartBuildCommand({
            projectName: request.project,
            idempotencyToken: request.idempotencyToken,
            environmentVariablesOverride: [
              // By reference: CodeBuild resolves it inside the build; it never shows in the console.
              { name: "RUNWAY_JIT_CONFIG", value: request.jitParameter, type: "PARAMETER_STORE" },
              plain("RUNWAY_RUNNER_NAME", request.runnerName),
              plain("RUNWAY_ENVIRONMENT", request.environment),
              plain("RUNWAY_JOB_ID", request.jobId),
              plain("RUNWAY_RUN_ATTEMPT", request.runAttempt),
              ...(options.artifactsBucket ? [plain("RUNWAY_ARTIFACTS_BUCKET", options.artifactsBucket)] : []),
              ...(options.idleTimeoutSeconds ? [plain("RUNWAY_IDLE_TIMEOUT_SECONDS", options.idleTimeoutSeconds)] : []),
            ],
            ...request.overrides,
          }),
        );
        if (!build?.id) throw new RetryLaterError("StartBuild answered without a build id");
        return { buildId: build.id };
      } catch (error) {
        if (error instanceof RetryLaterError) throw error;
        // Retry hints, in seconds (the consumer adds jitter, and growth with the receive count).
        const THROTTLED_RETRY_SECONDS = 2;
        const BUILD_LIMIT_RETRY_SECONDS = 60;
        const THROTTLING = ["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"];
        const e = error as Error & { $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } };
        // At the project's concurrent-build limit: a passing cause, not a broken project. A runner
        // build holds its slot for minutes, so trying again within seconds only spends attempts.
        if (e.name === "AccountLimitExceededException") {
          throw new RetryLaterError(`StartBuild on ${request.project}: ${e.message}`, { cause: error, retryAfterSeconds: BUILD_LIMIT_RETRY_SECONDS });
        }
        // Still throttled after the SDK's own retries: StartBuild's rate refills within seconds,
        // so the message comes back in seconds rather than after the queue's visibility timeout.
        if (THROTTLING.includes(e.name) || e.$metadata?.httpStatusCode === 429 || e.$retryable?.throttling) {
          throw new RetryLaterError(`StartBuild on ${request.project} failed: ${e.name}: ${e.message}`, { cause: error, retryAfterSeconds: THROTTLED_RETRY_SECONDS });
        }
        throw classifyAwsError(error, `StartBuild on ${request.project}`);
      }
    },

    stop: stopBuild,

    async findByRunner(target, project, runnerName, since) {
      try {
        const client = codeBuildClientFor(target);
        // Newest first, page by page, until the builds are older than the launch: a busy project
        // can have started hundreds since, and the build looked for may be any of them.
        let nextToken: string | undefined;
        do {
          const page = await client.send(new ListBuildsForProjectCommand({ projectName: project, sortOrder: "DESCENDING", nextToken }));
          nextToken = page.nextToken;
          const ids = page.ids ?? [];
          if (ids.length === 0) return undefined;
          const { builds = [] } = await client.send(new BatchGetBuildsCommand({ ids }));
          const found = builds.find((b) => b.environment?.environmentVariables?.some((v) => v.name === "RUNWAY_RUNNER_NAME" && v.value === runnerName));
          if (found?.id) return found.id;
          const oldest = Math.min(...builds.map((b) => b.startTime?.getTime() ?? Infinity));
          if (since !== undefined && oldest < since - CLOCK_SKEW_MS) return undefined;
        } while (nextToken);
        return undefined;
      } catch (error) {
        throw classifyAwsError(error, `looking for the build of runner ${runnerName} on ${project}`);
      }
    },
  };
}

/** CodeBuild for the reconciler: build statuses and phases, and stopping an idle runner's build. */
export function codeBuildWatcher(): BuildWatcher {
  return {
    async statuses(target, buildIds) {
      const statuses = new Map<string, BuildState>();
      const client = codeBuildClientFor(target);
      for (let i = 0; i < buildIds.length; i += 100) {
        const { builds = [] } = await client.send(new BatchGetBuildsCommand({ ids: buildIds.slice(i, i + 100) }));
        for (const build of builds) {
          if (!build.id || !build.buildStatus) continue;
          // Out of CodeBuild's queue once PROVISIONING began: from then on the runner is on its way.
          const provisioning = build.phases?.find((p) => p.phaseType === "PROVISIONING")?.startTime;
          statuses.set(build.id, {
            status: build.buildStatus,
            ...(build.currentPhase ? { phase: build.currentPhase } : {}),
            ...(provisioning ? { leftQueueAt: provisioning.getTime() } : {}),
          });
        }
      }
      return statuses;
    },
    stop: stopBuild,
  };
}

/** Stop a runner's build; one that has already ended is fine (CodeBuild answers InvalidInputException). */
async function stopBuild(target: AwsTarget, buildId: string): Promise<void> {
  try {
    await codeBuildClientFor(target).send(new StopBuildCommand({ id: buildId }));
  } catch (error) {
    if ((error as Error).name === "InvalidInputException") return;
    throw classifyAwsError(error, `stopping build ${buildId}`);
  }
}

export function ssmJitSecrets(): JitSecrets {
  return {
    async put(target, name, value) {
      try {
        await ssmClientFor(target).send(new PutParameterCommand({ Name: name, Value: value, Type: "SecureString", Overwrite: true, Tier: "Standard" }));
      } catch (error) {
        // At the account's 10,000 standard parameters: passing (launches free theirs), and an alarm.
        if ((error as Error).name === "ParameterLimitExceeded") {
          logger.error("SSM parameter limit reached: JIT configs cannot be stored until others are deleted", { alarm: "ParameterLimitExceeded", parameter: name });
          throw new RetryLaterError(`storing the JIT config as ${name}: the account's SSM parameter limit is reached; retrying later`, { cause: error });
        }
        // The message never carries the value: only the parameter's name.
        throw classifyAwsError(error, `storing the JIT config as ${name}`);
      }
    },
    async remove(target, name) {
      try {
        await ssmClientFor(target).send(new DeleteParameterCommand({ Name: name }));
      } catch (error) {
        if ((error as Error).name === "ParameterNotFound") return;
        throw classifyAwsError(error, `deleting ${name}`);
      }
    },
  };
}

/** The job queue's dead-letter queue, named by RUNWAY_JOB_DLQ_URL. */
export function deadLetterParking(queueUrl = process.env.RUNWAY_JOB_DLQ_URL): ParkingLot {
  return {
    async park(message: JobMessage, reason: string) {
      if (!queueUrl) throw new RetryLaterError("RUNWAY_JOB_DLQ_URL is not set: a failed launch has nowhere to be parked");
      await sqsClient().send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(message),
          MessageGroupId: String(message.job.id),
          MessageDeduplicationId: `${message.job.id}-${message.job.runAttempt}-parked-${Date.now()}`,
          MessageAttributes: { reason: { DataType: "String", StringValue: reason.slice(0, 1000) } },
        }),
      );
    },
  };
}
