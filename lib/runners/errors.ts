import { isRetryableAwsError } from "../errors/aws-retryable.ts";

/**
 * Why a launch did not happen. `LaunchError` says whether trying again can help: a retryable one
 * returns the message to the queue (and, after the queue's retries, to the dead-letter queue); a
 * permanent one is recorded in the ledger with its reason and parked in the dead-letter queue at
 * once, where `runway replay` can send it again after the cause is fixed.
 */
export class LaunchError extends Error {
  override name = "LaunchError";
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.retryable = retryable;
  }
}

export interface RetryLaterOptions extends ErrorOptions {
  /**
   * How long the cause is known to last, in seconds: a throttle's few seconds, GitHub's
   * `retry-after`, the time left on another worker's lease. The consumer brings the message back
   * no sooner (lib/runners/visibility.ts); absent, it backs off by the message's receive count.
   */
  retryAfterSeconds?: number | undefined;
}

/** A passing cause (throttling, 5xx, a lease held by another worker): try again later. */
export class RetryLaterError extends LaunchError {
  override name = "RetryLaterError";
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, options?: RetryLaterOptions) {
    super(message, true, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** A cause that another try cannot fix (no such project, access denied, a forbidden label). */
export class PermanentLaunchError extends LaunchError {
  override name = "PermanentLaunchError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, false, options);
  }
}

/** Turn an AWS SDK error into a LaunchError that says what to do. */
export function classifyAwsError(error: unknown, doing: string): LaunchError {
  const e = error as { name?: string; message?: string };
  const message = `${doing} failed: ${e.name ?? "Error"}: ${e.message ?? String(error)}`;
  return isRetryableAwsError(error) ? new RetryLaterError(message, { cause: error }) : new PermanentLaunchError(message, { cause: error });
}
