/**
 * GitHub's own record of a job: its status, conclusion and the runner that took it. Webhooks are
 * only news of this (a delivery can be lost, and GitHub never resends one by itself), so before
 * Runway gives up on a job, or launches for it again, it asks.
 *
 * Permission of the GitHub App: Actions: Read.
 */
import type { Octokit } from "@octokit/core";
import { toGitHubApiError } from "./api-error.ts";

type Requester = Pick<Octokit, "request">;

/** A job as `GET /repos/{owner}/{repo}/actions/jobs/{job_id}` describes it. */
export interface GitHubJob {
  id: number;
  runId: number;
  runAttempt: number;
  /** `queued`, `in_progress`, `completed`, `waiting`, `requested` or `pending`. */
  status: string;
  conclusion: string | null;
  runnerName: string | null;
  runnerId: number | null;
}

/**
 * The job as GitHub has it now.
 *
 * @throws GitHubApiError: retryable for 5xx, rate limits and network errors; 404 when the App cannot see it.
 * @example
 * const job = await getJob(octokit, { owner: "acme", repo: "api", jobId: 2832853555 });
 * if (job.status === "queued") console.log("nobody has taken it yet");
 */
export async function getJob(octokit: Requester, ref: { owner: string; repo: string; jobId: number }): Promise<GitHubJob> {
  const { owner, repo, jobId } = ref;
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/actions/jobs/{job_id}", { owner, repo, job_id: jobId });
    return {
      id: Number(data.id),
      runId: Number(data.run_id),
      runAttempt: data.run_attempt ?? 1,
      status: data.status,
      conclusion: data.conclusion ?? null,
      runnerName: data.runner_name ?? null,
      runnerId: data.runner_id ?? null,
    };
  } catch (error) {
    throw toGitHubApiError(error, {
      action: `read job ${jobId} of ${owner}/${repo}`,
      hints: { 404: `the GitHub App cannot see job ${jobId} on ${owner}/${repo}: it needs the Actions: Read permission there` },
    });
  }
}
