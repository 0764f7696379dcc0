/**
 * Answering a custom deployment protection rule: `POST
 * /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule` with
 * `{ environment_name, state, comment }`, as the App's installation ("Review custom deployment
 * protection rules for a workflow run"). That is the URL a `deployment_protection_rule` delivery
 * names in `deployment_callback_url`; GitHub waits for the answer for up to 30 days.
 *
 * The URL is read for its owner, repository and run id only, and the request goes to the client's
 * own API base (GITHUB_API_URL): the installation token is never sent to a host a payload names.
 *
 * Permission of the GitHub App: Deployments: Read and write.
 */
import type { Octokit } from "@octokit/core";
import { toGitHubApiError } from "./api-error.ts";

type Requester = Pick<Octokit, "request">;

/** What a callback URL identifies. */
export interface CallbackTarget {
  owner: string;
  repo: string;
  runId: number;
}

export interface ProtectionReview extends CallbackTarget {
  /** The GitHub environment whose rule is answered, as the delivery named it. */
  environment: string;
  state: "approved" | "rejected";
  /** Shown on the run's page beside the decision. */
  comment: string;
}

/** GitHub shows the comment on the run's page; a longer one is cut rather than refused. */
export const MAX_COMMENT_CHARS = 1_000;

const CALLBACK_PATH = /\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/deployment_protection_rule\/?$/;

/**
 * The run a `deployment_callback_url` points at, or undefined when it is not GitHub's review URL
 * (`https://api.github.com/repos/acme/api/actions/runs/123/deployment_protection_rule`, or the same
 * path under a GitHub Enterprise Server's `/api/v3`).
 *
 * @example
 * parseDeploymentCallbackUrl("https://api.github.com/repos/acme/api/actions/runs/123/deployment_protection_rule");
 * // { owner: "acme", repo: "api", runId: 123 }
 */
export function parseDeploymentCallbackUrl(url: string): CallbackTarget | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return undefined;
  const match = CALLBACK_PATH.exec(parsed.pathname);
  if (!match) return undefined;
  const runId = Number(match[3]);
  if (!Number.isSafeInteger(runId) || runId <= 0) return undefined;
  return { owner: decodeURIComponent(match[1]!), repo: decodeURIComponent(match[2]!), runId };
}

/**
 * Approve or reject the run's wait on this App's rule for one environment.
 *
 * @throws GitHubApiError: retryable for 5xx, rate limits and network errors; permanent for
 * 401/403/404 and 422 (GitHub has nothing of this App's pending there: answered already, the run
 * was cancelled, or the delivery came before the rule was pending).
 * @example
 * await reviewDeploymentProtectionRule(octokit, { owner: "acme", repo: "api", runId: 123, environment: "production", state: "approved", comment: "…" });
 */
export async function reviewDeploymentProtectionRule(octokit: Requester, review: ProtectionReview): Promise<void> {
  const { owner, repo, runId, environment, state } = review;
  const comment = review.comment.length > MAX_COMMENT_CHARS ? `${review.comment.slice(0, MAX_COMMENT_CHARS - 1)}…` : review.comment;
  try {
    await octokit.request("POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule", {
      owner,
      repo,
      run_id: runId,
      environment_name: environment,
      state,
      comment,
    });
  } catch (error) {
    throw toGitHubApiError(error, {
      action: `${state === "approved" ? "approve" : "reject"} the deployment of run ${runId} of ${owner}/${repo} to ${environment}`,
      hints: {
        403: "give the GitHub App the Deployments: Read and write permission (Settings → Developer settings → GitHub Apps → Permissions), and accept it on the installation",
        404: `the GitHub App cannot see run ${runId} of ${owner}/${repo}: install it on that repository`,
        422: `GitHub has no rule of this App waiting on ${environment} in run ${runId}: it was answered already, the run was cancelled, or the App is not enabled as a protection rule of ${environment}`,
      },
    });
  }
}
