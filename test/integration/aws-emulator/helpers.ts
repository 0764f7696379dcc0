/** Shared set-up for the emulator's integration tests. */
import { resetAwsClients } from "../../../lib/aws/shared.ts";

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
