/**
 * The one client of actions/runner's releases API (`RUNWAY_RUNNER_RELEASES_URL`, by default
 * https://api.github.com/repos/actions/runner): the latest release, or one by tag for a pin.
 *
 * Not the GitHub App's client (lib/github/octokit.ts): actions/runner is public, and on GitHub
 * Enterprise Server its releases are github.com's (or an admin's mirror), not the instance's. So
 * the calls go without credentials unless a token is configured. GitHub allows 60 unauthenticated
 * calls an hour per IP address, and Lambda shares its addresses, so a token (any personal access
 * token; it needs no permission to read a public repository) makes the hourly call dependable.
 * Octokit's retry plugin repeats 5xx and network failures; a rate limit is reported, never waited
 * out: the next hour asks again.
 */
import { Octokit } from "@octokit/core";
import { retry } from "@octokit/plugin-retry";
import { toGitHubApiError } from "../../github/api-error.ts";
import { GitHubApiError, GitHubRateLimitError } from "../../github/errors.ts";
import { GITHUB_API_VERSION } from "../../github/octokit.ts";
import { ReleaseNotFoundError, ReleasesUnavailableError } from "./errors.ts";

export const DEFAULT_RUNNER_RELEASES_URL = "https://api.github.com/repos/actions/runner";

/** Which release: GitHub's latest, or a version the stage pins. */
export type RequestedRelease = { kind: "latest" } | { kind: "pinned"; version: string };

export interface ReleasesApiOptions {
  /** The repository's API URL, without `/releases`. */
  url: string;
  /** Sent as `Authorization: token …` when set. */
  token?: string | undefined;
  /** Where the token is kept, for messages (never the token itself). */
  tokenSource?: string | undefined;
}

/** GitHub's release JSON for `requested`, as it answered (parse it with `runnerRelease`). */
export type ReleasesApi = (requested: RequestedRelease) => Promise<unknown>;

const REQUEST_TIMEOUT_MS = 10_000;
const RetryingOctokit = Octokit.plugin(retry);

/**
 * @example
 * const releases = releasesApi({ url: DEFAULT_RUNNER_RELEASES_URL });
 * const json = await releases({ kind: "pinned", version: "2.338.0" }); // GET …/releases/tags/v2.338.0
 */
export function releasesApi(options: ReleasesApiOptions): ReleasesApi {
  const url = options.url.replace(/\/+$/, "");
  const client = new RetryingOctokit({
    baseUrl: url,
    userAgent: "runway",
    ...(options.token ? { auth: options.token } : {}),
    request: { fetch: fetchWithTimeout },
    retry: { doNotRetry: [400, 401, 403, 404, 422, 429] },
  });
  client.hook.before("request", (request) => {
    request.headers["x-github-api-version"] = GITHUB_API_VERSION;
  });

  return async (requested) => {
    const path = requested.kind === "latest" ? "/releases/latest" : `/releases/tags/v${requested.version}`;
    try {
      const { data } = await client.request(`GET ${path}`);
      return data;
    } catch (error) {
      throw explain(error, requested, `${url}${path}`, options);
    }
  };
}

function explain(error: unknown, requested: RequestedRelease, where: string, options: ReleasesApiOptions): Error {
  const wanted = requested.kind === "latest" ? "the latest actions/runner release" : `actions/runner release v${requested.version}`;
  const classified = toGitHubApiError(error, {
    action: `read ${wanted} from ${where}`,
    hints: {
      404:
        requested.kind === "latest"
          ? "that repository has no published release: check RUNWAY_RUNNER_RELEASES_URL (on GitHub Enterprise Server, github.com's https://api.github.com/repos/actions/runner or an admin's mirror)"
          : `no such release: set the stage's runnerVersion param to a published version (https://github.com/actions/runner/releases) or to latest`,
      401: `GitHub refused the token${options.tokenSource ? ` in ${options.tokenSource}` : ""}: replace it, or remove it to call without one`,
    },
  });
  if (classified instanceof GitHubRateLimitError && !options.token) {
    const advice = `unauthenticated calls share GitHub's 60 an hour per IP address: store a token${options.tokenSource ? ` in ${options.tokenSource}` : ""} (a personal access token with no permissions reads public releases)`;
    return new ReleasesUnavailableError(`${classified.message}; ${advice}`, { cause: error });
  }
  if (classified instanceof GitHubApiError && classified.status === 404) return new ReleaseNotFoundError(classified.message, { cause: error });
  return new ReleasesUnavailableError(classified.message, { cause: error });
}

const fetchWithTimeout: typeof fetch = (input, init) => {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
};
