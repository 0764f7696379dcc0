/**
 * What can be wrong with a webhook delivery. Each error carries the HTTP status it is answered with
 * (mapped in one place, lib/http/error-response.ts) and a message safe to show the sender: none of
 * them ever includes the body or a secret.
 */

/** A delivery Runway refuses; `statusCode` is what GitHub is answered. */
export class DeliveryError extends Error {
  override name = "DeliveryError";
  readonly statusCode: number = 400;
}

/** `X-Hub-Signature-256` is missing, malformed, or does not match the body: 401, nothing changes. */
export class SignatureError extends DeliveryError {
  override name = "SignatureError";
  override readonly statusCode = 401;
}

/** A required header (`X-GitHub-Event`) is missing, or is not an event name: 400. */
export class MissingHeaderError extends DeliveryError {
  override name = "MissingHeaderError";
}

/** The body is not the JSON (or `payload=` form) it claims to be: 400. */
export class MalformedPayloadError extends DeliveryError {
  override name = "MalformedPayloadError";
}

/** The body is larger than GitHub ever sends (25 MiB): 413. */
export class PayloadTooLargeError extends DeliveryError {
  override name = "PayloadTooLargeError";
  override readonly statusCode = 413;
}

/** A content type other than JSON or GitHub's form encoding: 415. */
export class UnsupportedMediaTypeError extends DeliveryError {
  override name = "UnsupportedMediaTypeError";
  override readonly statusCode = 415;
}

/** The webhook secret is not configured where the function looks for it: an operator's fix, 500. */
export class WebhookSecretError extends Error {
  override name = "WebhookSecretError";
}

/*
 * Calling GitHub's REST API as the GitHub App (lib/github/octokit.ts, jit-config.ts). Messages name
 * the repository or organisation and what to fix; they never include a token, the App's key, a
 * JIT runner configuration or a request body. `cause` keeps Octokit's error, whose copy of the
 * request has its Authorization header redacted.
 */

/** Options of every GitHub API error: the HTTP status (absent when GitHub was not reached). */
export interface GitHubApiErrorOptions extends ErrorOptions {
  status?: number | undefined;
  retryable: boolean;
  /** GitHub's `x-github-request-id`, for a support ticket. */
  requestId?: string | undefined;
}

/**
 * A GitHub API call that failed. `retryable` is true for 5xx, rate limits and network errors
 * (try again later, the same request can succeed) and false for 401/403/404/422 (a person must
 * change the App, its installation or Runway's configuration first).
 */
export class GitHubApiError extends Error {
  override name = "GitHubApiError";
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly requestId: string | undefined;

  constructor(message: string, options: GitHubApiErrorOptions) {
    super(message, options);
    this.status = options.status;
    this.retryable = options.retryable;
    this.requestId = options.requestId;
  }
}

/** GitHub's primary or secondary rate limit, still in force after the client's own short waits. */
export class GitHubRateLimitError extends GitHubApiError {
  override name = "GitHubRateLimitError";
  /** How long GitHub asked to wait before the next call. */
  readonly retryAfterSeconds: number;

  constructor(message: string, options: Omit<GitHubApiErrorOptions, "retryable"> & { retryAfterSeconds: number }) {
    super(message, { ...options, retryable: true });
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/**
 * A runner with this name is already registered (409). Retryable, but only under a new name: a
 * retried request whose first attempt GitHub did register ends here too, so the old registration
 * may be an orphan worth deleting (`findRunnerByName` then `deleteRunner`).
 */
export class RunnerNameConflictError extends GitHubApiError {
  override name = "RunnerNameConflictError";
  readonly runnerName: string;

  constructor(message: string, options: Omit<GitHubApiErrorOptions, "retryable"> & { runnerName: string }) {
    super(message, { ...options, retryable: true });
    this.runnerName = options.runnerName;
  }
}

/** The GitHub App's id or private key is not configured where Runway looks: an operator's fix. */
export class GitHubAppConfigError extends Error {
  override name = "GitHubAppConfigError";
}
