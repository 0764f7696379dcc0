/**
 * GitHub's own record of one self-hosted runner: whether it is connected and whether it is running
 * a job. The reconciler asks this before it stops a build as idle, since the `in_progress` delivery
 * that would have said "busy" can be lost (GitHub never resends one by itself).
 *
 * Permission of the GitHub App: repository scope needs Administration: Read; organisation scope
 * needs Organization → Self-hosted runners: Read.
 */
import type { Octokit } from "@octokit/core";
import { githubStatus, toGitHubApiError } from "./api-error.ts";
import type { RunnerScope } from "./jit-config.ts";

type Requester = Pick<Octokit, "request">;

/** A runner as `GET …/actions/runners/{runner_id}` describes it. */
export interface GitHubRunner {
  id: number;
  name: string;
  /** `online` (connected to GitHub) or `offline` (not yet, or no longer). */
  status: string;
  /** Running a job now. */
  busy: boolean;
}

/**
 * The runner as GitHub has it now, or undefined when GitHub has no such runner (404: a JIT runner
 * is removed once its job ends, or it was removed by hand).
 *
 * @throws GitHubApiError: retryable for 5xx, rate limits and network errors.
 * @example
 * const runner = await getRunner(octokit, { owner: "acme", repo: "payments", runnerId: 42 });
 * if (runner?.busy) console.log("running a job: leave its build alone");
 */
export async function getRunner(octokit: Requester, ref: { owner: string; repo: string; scope?: RunnerScope | undefined; runnerId: number }): Promise<GitHubRunner | undefined> {
  const { owner, repo, runnerId } = ref;
  const org = ref.scope === "org";
  try {
    const { data } = org
      ? await octokit.request("GET /orgs/{org}/actions/runners/{runner_id}", { org: owner, runner_id: runnerId })
      : await octokit.request("GET /repos/{owner}/{repo}/actions/runners/{runner_id}", { owner, repo, runner_id: runnerId });
    return { id: data.id, name: data.name, status: data.status, busy: data.busy };
  } catch (error) {
    if (githubStatus(error) === 404) return undefined;
    throw toGitHubApiError(error, {
      action: `read runner ${runnerId} on ${org ? `organization ${owner}` : `${owner}/${repo}`}`,
      hints: {
        403: org
          ? "give the GitHub App the Organization → Self-hosted runners: Read permission"
          : "give the GitHub App the Administration: Read permission (self-hosted runners)",
      },
    });
  }
}
