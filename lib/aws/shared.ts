/**
 * What every AWS client shares: retries, the per-region memo and the reset for tests.
 *
 * Endpoints come from the SDK's own configuration (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_REGION`),
 * so the same code talks to real AWS in Lambda and to the local emulators under `npm start` and in
 * integration tests: there is no "local" branch here. Each client has its own module
 * (`lib/aws/sqs.ts`, `lib/aws/ssm.ts` …) and is created on first use, so a bundle carries only the
 * clients its function's code reaches, and a first request loads only the one it calls.
 * Clients are memoised per region, because an environment may live in another region than the
 * function. `resetAwsClients()` forgets all of them, so tests point a fresh client at a new endpoint.
 */

import { fromEnv } from "@aws-sdk/credential-providers";

/** Retries for passing faults (throttling, 5xx, timeouts) with the SDK's own backoff and jitter. */
export const AWS_MAX_ATTEMPTS = 4;

const caches = new Map<string, Map<string, unknown>>();

/**
 * The one memo behind every client: `create()` runs once per cache name and key.
 *
 * @example
 * const client = memoised("sqs", "eu-west-1", () => new SQSClient({ ...clientSettings("eu-west-1") }));
 */
export function memoised<T>(name: string, key: string, create: () => T): T {
  let cache = caches.get(name);
  if (!cache) {
    cache = new Map();
    caches.set(name, cache);
  }
  let client = cache.get(key) as T | undefined;
  if (!client) {
    client = create();
    cache.set(key, client);
  }
  return client;
}

/**
 * Memoise a client factory per region.
 *
 * @example
 * export const codeBuildClient = regional("codebuild", (region) => new CodeBuildClient({ ...clientSettings(region) }));
 * await codeBuildClient("eu-west-1").send(new StartBuildCommand({ projectName }));
 */
export function regional<T>(name: string, create: (region: string | undefined) => T): (region?: string) => T {
  return (region?: string) => memoised(name, region ?? "", () => create(region));
}

/**
 * The function's own credentials when the environment holds them, as it always does in Lambda
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN of the execution role); otherwise
 * `undefined`, so the SDK's default chain looks further (a profile, SSO, instance metadata). The
 * default chain would find the same keys first, but loading and walking it costs a first request
 * several milliseconds, and the webhook's first request is part of GitHub's 10 s budget.
 */
export function environmentCredentials(env: NodeJS.ProcessEnv = process.env): ReturnType<typeof fromEnv> | undefined {
  return env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY ? fromEnv() : undefined;
}

/**
 * The settings every client is created with: its region, the shared retries, and the function's
 * own credentials when the environment holds them.
 *
 * @example
 * new SQSClient({ ...clientSettings("eu-west-1") });
 */
export function clientSettings(region: string | undefined): { region: string | undefined; maxAttempts: number; credentials: ReturnType<typeof fromEnv> | undefined } {
  return { region, maxAttempts: AWS_MAX_ATTEMPTS, credentials: environmentCredentials() };
}

/** Forget every client, so the next call builds one from the current environment (tests). */
export function resetAwsClients(): void {
  caches.clear();
}

/** Where an environment's runners live: a region and, for another account, a role to assume. */
export interface AwsTarget {
  region?: string | undefined;
  roleArn?: string | undefined;
}
