/**
 * Turns what Octokit throws into Runway's GitHub errors (errors.ts): retryable or permanent, the
 * HTTP status, and a message that names the repository and what to fix. Only GitHub's own short
 * `message` field and non-secret headers are read from the response; the request's body and its
 * Authorization header never reach a message.
 */
import { GitHubApiError, GitHubAppConfigError, GitHubRateLimitError } from "./errors.ts";

/** What was being attempted, and what to fix for the statuses the caller knows better. */
export interface GitHubCallContext {
  /** Completes "could not …": "generate a JIT runner config for acme/api". */
  action: string;
  /** The fix to name per HTTP status, e.g. `{ 404: "install the App on acme/api" }`. */
  hints?: Partial<Record<number, string>>;
}

/** Seconds to wait when GitHub signals a rate limit but says nothing about how long. */
const DEFAULT_RETRY_AFTER_SECONDS = 60;

interface OctokitErrorShape {
  name?: string;
  message?: string;
  status?: number;
  request?: { url?: string; method?: string };
  response?: { status?: number; headers?: Record<string, string | undefined>; data?: unknown };
}

/** The HTTP status GitHub answered, or undefined when it did not answer. */
export function githubStatus(error: unknown): number | undefined {
  const e = error as OctokitErrorShape | undefined;
  return e?.response ? (e.response.status ?? e.status) : undefined;
}

/** GitHub's `x-github-request-id` of the answer, for a support ticket. */
export function githubRequestId(error: unknown): string | undefined {
  return (error as OctokitErrorShape | undefined)?.response?.headers?.["x-github-request-id"];
}

/**
 * Classify an error thrown by an Octokit request. Runway's own errors pass through unchanged.
 *
 * @example
 * try { await octokit.request("GET /repos/{owner}/{repo}/installation", { owner, repo }); }
 * catch (error) { throw toGitHubApiError(error, { action: `find the installation on ${owner}/${repo}` }); }
 */
export function toGitHubApiError(error: unknown, context: GitHubCallContext): Error {
  if (error instanceof GitHubApiError || error instanceof GitHubAppConfigError) return error;
  const e = (error ?? {}) as OctokitErrorShape;
  const response = e.response;
  if (!response) {
    // fetch failed or timed out: GitHub may be fine, the path to it was not.
    const reason = e.message ? `: ${e.message}` : "";
    return new GitHubApiError(`could not reach GitHub to ${context.action}${reason}; retry later`, { retryable: true, cause: error });
  }
  const status = response.status ?? e.status ?? 0;
  const headers = response.headers ?? {};
  const requestId = headers["x-github-request-id"];
  const said = githubMessage(response.data);
  const answered = `GitHub answered ${status}${said ? ` (${said})` : ""}`;
  const base = { status, requestId, cause: error };

  if (isRateLimit(status, headers, said)) {
    const retryAfterSeconds = retryAfter(headers);
    const kind = /secondary rate limit/i.test(said) ? "secondary rate limit" : "rate limit";
    return new GitHubRateLimitError(`GitHub's ${kind} stopped the call to ${context.action}: retry after ${retryAfterSeconds} s`, {
      ...base,
      retryAfterSeconds,
    });
  }

  const tokenRequest = /\/app\/installations\/(\d+)\/access_tokens/.exec(e.request?.url ?? "");
  if (tokenRequest && status < 500) {
    const id = tokenRequest[1];
    const fix =
      status === 401
        ? "check that GITHUB_APP_ID is the App's id and that the private key is one of the App's current keys"
        : status === 404
          ? `installation ${id} does not exist: the App was uninstalled, or GITHUB_APP_ID names another App`
          : `installation ${id} cannot get a token (suspended, or its permissions are pending approval)`;
    return new GitHubApiError(`could not get an installation token to ${context.action}: ${answered}; ${fix}`, { ...base, retryable: false });
  }

  if (status >= 500) {
    return new GitHubApiError(`could not ${context.action}: ${answered}; GitHub is having trouble, retry later`, { ...base, retryable: true });
  }

  const accepted = headers["x-accepted-github-permissions"];
  const hint =
    context.hints?.[status] ??
    (status === 401
      ? "the installation token was rejected: the App may have been uninstalled or suspended"
      : status === 403
        ? "the GitHub App lacks a permission this call needs"
        : undefined);
  const needs = status === 403 && accepted ? ` (GitHub accepts: ${accepted})` : "";
  return new GitHubApiError(`could not ${context.action}: ${answered}${hint ? `; ${hint}` : ""}${needs}`, { ...base, retryable: false });
}

/** GitHub's primary limit (remaining 0) or secondary limit (its message), on 403 or 429. */
function isRateLimit(status: number, headers: Record<string, string | undefined>, said: string): boolean {
  if (status !== 403 && status !== 429) return false;
  return status === 429 || headers["x-ratelimit-remaining"] === "0" || /rate limit/i.test(said);
}

/** `retry-after`, else the primary limit's reset time, else a minute. */
function retryAfter(headers: Record<string, string | undefined>): number {
  const after = Number(headers["retry-after"]);
  if (Number.isFinite(after) && after >= 0) return Math.ceil(after);
  const reset = Number(headers["x-ratelimit-reset"]);
  if (headers["x-ratelimit-remaining"] === "0" && Number.isFinite(reset) && reset > 0) {
    return Math.max(0, Math.ceil(reset - Date.now() / 1000)) + 1;
  }
  return DEFAULT_RETRY_AFTER_SECONDS;
}

/** The `message` of GitHub's JSON error body, on one short line. */
function githubMessage(data: unknown): string {
  const message = typeof data === "object" && data !== null && "message" in data ? (data as { message: unknown }).message : undefined;
  if (typeof message !== "string") return "";
  const line = message.replace(/\s+/g, " ").trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
