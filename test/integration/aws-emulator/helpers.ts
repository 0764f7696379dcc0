/** Shared set-up for the emulator's integration tests. */
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { sqsClient } from "../../../lib/aws/sqs.ts";
import { createSqsEmulation, startAwsEmulator, type AwsEmulator, type SqsEmulation } from "../../../lib/local/aws-emulator/index.ts";

const SERVICES = ["SQS", "CODEBUILD", "STS", "LAMBDA", "CLOUDWATCH", "ELASTIC_LOAD_BALANCING_V2"] as const;

/** Point every SDK client of lib/aws/ at the emulator (the SDK's own AWS_ENDPOINT_URL_<SERVICE>). */
export function pointClientsAt(url: string): () => void {
  for (const service of SERVICES) process.env[`AWS_ENDPOINT_URL_${service}`] = url;
  resetAwsClients();
  return () => {
    for (const service of SERVICES) delete process.env[`AWS_ENDPOINT_URL_${service}`];
    resetAwsClients();
  };
}

/** Poll until `check` returns a truthy value (outcome-based waiting, no fixed sleeps). */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 8000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The error a call rejects with (fails the test if it resolves), typed as an SDK service error. */
export async function rejectionOf(call: Promise<unknown>): Promise<Error & { $metadata: { attempts?: number; httpStatusCode?: number } }> {
  try {
    await call;
  } catch (error) {
    return error as Error & { $metadata: { attempts?: number; httpStatusCode?: number } };
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/**
 * An SQS emulator of the test file's own, with every lib/aws client pointed at it for the file's
 * tests, and `createQueue` through the real SDK client.
 */
export function useEmulatedSqs(): { readonly sqs: SqsEmulation; readonly aws: AwsEmulator; createQueue(name: string, attributes?: Record<string, string>): Promise<string> } {
  const sqs = createSqsEmulation();
  let aws: AwsEmulator | undefined;
  let restore: (() => void) | undefined;
  beforeAll(async () => {
    aws = await startAwsEmulator({ services: [sqs] });
    restore = pointClientsAt(aws.url);
  });
  afterAll(async () => {
    restore?.();
    await aws?.close();
  });
  return {
    sqs,
    get aws() {
      if (!aws) throw new Error("the emulator is not started: use it inside a test, after beforeAll");
      return aws;
    },
    async createQueue(name, attributes = {}) {
      const { QueueUrl } = await sqsClient().send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      return QueueUrl!;
    },
  };
}
