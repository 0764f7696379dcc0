/**
 * A job's log, from GitHub's API (`GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs`, which
 * redirects to a short-lived download). Needs the App's Actions: Read permission.
 */
import { githubClient } from "../github/octokit.ts";

export interface JobLogRequest {
  owner: string;
  repo: string;
  jobId: number;
  installationId?: number | undefined;
}

/** The log's text, or undefined when GitHub has none for the job (yet). */
export async function fetchJobLog(request: JobLogRequest): Promise<string | undefined> {
  const octokit = await githubClient({ owner: request.owner, repo: request.repo, installationId: request.installationId });
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs", { owner: request.owner, repo: request.repo, job_id: request.jobId });
    return typeof data === "string" ? data : data instanceof ArrayBuffer ? new TextDecoder().decode(data) : String(data ?? "");
  } catch (error) {
    if ((error as { status?: number }).status === 404 || (error as { status?: number }).status === 410) return undefined;
    throw error;
  }
}
