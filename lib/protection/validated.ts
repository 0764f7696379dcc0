/**
 * The "validated in another environment" condition: the commit being deployed was deployed to
 * that GitHub environment and the deployment succeeded, at least `soak` ago.
 *
 * The fact comes from GitHub's deployments (`GET /repos/{o}/{r}/deployments?sha=&environment=` and
 * each one's statuses), not from Runway's own records:
 * - GitHub Actions creates a deployment for every job that names an environment and sets it to
 *   `success` only when the job succeeded. A deploy job that waits for its CodeDeploy deployment
 *   (and so for Runway's hook validators) succeeds only if they passed: success there *is*
 *   "deployed and validated".
 * - It is keyed exactly by (commit, environment); a workflow run's success is not (a run may
 *   deploy several environments, or none, and workflow names change).
 * - The hook validators' verdicts live in each environment's own account and know a CodeDeploy
 *   deployment id, not a commit; the stage deciding for production must not read staging's
 *   records anyway (environments are isolated). GitHub's state is the truth Runway asks for.
 * Only deployments made by `creators` (github-actions[bot] by default) count: anyone with write
 * access can create a deployment and a success status through the API.
 *
 * Permission of the GitHub App: Deployments: Read.
 */
import type { Octokit } from "@octokit/core";
import type { ValidatedIn } from "../config/protection-schema.ts";
import { toGitHubApiError } from "../github/api-error.ts";
import { GitHubApiError } from "../github/errors.ts";
import type { ConditionResult } from "./types.ts";

type Requester = Pick<Octokit, "request">;

/** The newest deployments looked at, and statuses read per deployment. */
const MAX_DEPLOYMENTS = 10;
const FINAL_STATES = new Set(["success", "failure", "error"]);

export interface Commit {
  owner: string;
  repo: string;
  sha: string;
}

/**
 * @example
 * await validatedInCondition(octokit, { owner: "acme", repo: "api", sha }, { environment: "staging", soak: 1_800_000, creators: ["github-actions[bot]"] }, new Date());
 * // { name: "validatedIn staging", status: "pass", summary: "abc1234 succeeded in staging 2 h 5 min ago (deployment 77)" }
 */
export async function validatedInCondition(octokit: Requester, commit: Commit, wanted: ValidatedIn, now: Date): Promise<ConditionResult> {
  const name = `validatedIn ${wanted.environment}`;
  const short = commit.sha.slice(0, 7);
  const env = wanted.environment;
  try {
    const { owner, repo } = commit;
    const { data: deployments } = await octokit.request("GET /repos/{owner}/{repo}/deployments", { owner, repo, sha: commit.sha, environment: env, per_page: 30 });
    const creators = new Set(wanted.creators.map((c) => c.toLowerCase()));
    const trusted = deployments.filter((d) => d.creator && creators.has(d.creator.login.toLowerCase()));
    if (deployments.length === 0) return { name, status: "fail", summary: `${short} was never deployed to ${env}: deploy it there first` };
    if (trusted.length === 0) {
      const by = [...new Set(deployments.map((d) => d.creator?.login ?? "unknown"))].join(", ");
      return { name, status: "fail", summary: `${short} was deployed to ${env} only by ${by}, whose deployments do not count (validatedIn creators: ${wanted.creators.join(", ")})` };
    }

    let succeeded: { at: number; id: number } | undefined;
    let ended: { state: string; id: number } | undefined;
    for (const deployment of trusted.slice(0, MAX_DEPLOYMENTS)) {
      const { data: statuses } = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { owner, repo, deployment_id: Number(deployment.id), per_page: 100 });
      // Newest first; `inactive` only means a later deployment replaced this one.
      const final = statuses.find((s) => FINAL_STATES.has(s.state));
      if (final?.state === "success") {
        const at = Date.parse(final.created_at);
        if (!succeeded || at > succeeded.at) succeeded = { at, id: Number(deployment.id) };
      } else if (final) {
        ended ??= { state: final.state, id: Number(deployment.id) };
      }
    }
    if (!succeeded) {
      return ended
        ? { name, status: "fail", summary: `${short}'s deployment to ${env} ended in ${ended.state} (deployment ${ended.id}): it was not validated there` }
        : { name, status: "fail", summary: `${short}'s deployment to ${env} has not succeeded yet: wait for it, then re-run this job` };
    }
    const age = now.getTime() - succeeded.at;
    if (age < wanted.soak) {
      return {
        name,
        status: "fail",
        summary: `${short} succeeded in ${env} only ${duration(age)} ago (deployment ${succeeded.id}); the rule wants ${duration(wanted.soak)} there first: re-run this job in ${duration(wanted.soak - age)}`,
      };
    }
    return { name, status: "pass", summary: `${short} succeeded in ${env} ${duration(age)} ago (deployment ${succeeded.id})` };
  } catch (error) {
    const failure = toGitHubApiError(error, {
      action: `read the deployments of ${short} to ${env} in ${commit.owner}/${commit.repo}`,
      hints: { 403: "give the GitHub App the Deployments: Read and write permission", 404: `the GitHub App cannot see ${commit.owner}/${commit.repo}: install it there` },
    });
    // A missing permission or installation does not fix itself between retries: a reason, at once.
    const passing = !(failure instanceof GitHubApiError) || failure.retryable;
    return { name, status: passing ? "error" : "fail", summary: failure.message };
  }
}

/** "45 s", "12 min", "2 h 5 min", "3 d 4 h". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}
