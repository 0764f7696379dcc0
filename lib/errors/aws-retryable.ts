/**
 * The one answer to "can trying this AWS call again help?", shared by the runner launcher
 * (lib/runners/errors.ts) and the CodeDeploy hook reporter (lib/deploy/reporter.ts).
 *
 * Throttling, server faults and calls that got no HTTP answer at all (a reset connection, a DNS
 * hiccup, an attempt that timed out) pass; anything else is what the service meant. A missing
 * credential is not passing: another try finds the same configuration.
 */

const PASSING_AWS_ERRORS = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "RequestThrottledException",
  "RequestThrottled",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
  "ProvisionedThroughputExceededException",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "InternalServerError",
  "InternalFailure",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
]);

/**
 * Whether an error thrown by an AWS SDK call is worth another try.
 *
 * @example
 * try { await client.send(command); } catch (error) { if (!isRetryableAwsError(error)) throw error; }
 */
export function isRetryableAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = error as Error & { $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (PASSING_AWS_ERRORS.has(error.name) || meta.$retryable) return true;
  if (error.name === "CredentialsProviderError") return false;
  const status = meta.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  return true;
}
