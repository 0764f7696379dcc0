/**
 * Web links to GitHub (a run's page, a repository's), for the GitHub the stage talks to. A link
 * comes from the page address GitHub itself put in the payload when there is one (a job's
 * `html_url`, a repository's), so it points at the host that sent it; otherwise from
 * `GITHUB_SERVER_URL`, which serverless.yml derives from `params.githubUrl`
 * (lib/build/serverless-github.cjs): https://github.com, or an Enterprise Server's own host.
 */

/** Used when GITHUB_SERVER_URL is not set (unit tests, a function run by hand). */
export const DEFAULT_GITHUB_SERVER_URL = "https://github.com";

/** GITHUB_SERVER_URL without a trailing slash, else https://github.com. */
export function githubServerUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.GITHUB_SERVER_URL?.trim() || DEFAULT_GITHUB_SERVER_URL).replace(/\/+$/, "");
}

/**
 * The web address `repository`'s pages live under: what precedes `/<owner>/<name>` in a page
 * address of that repository (`pageUrl`), else GITHUB_SERVER_URL.
 *
 * @example
 * githubWebBase("acme/api", "https://ghe.example.com/acme/api/actions/runs/1/job/2"); // "https://ghe.example.com"
 * githubWebBase("acme/api", undefined); // GITHUB_SERVER_URL, else "https://github.com"
 */
export function githubWebBase(repository: string, pageUrl?: string, env: NodeJS.ProcessEnv = process.env): string {
  const scheme = pageUrl ? /^https?:\/\/[^/]+/i.exec(pageUrl) : null;
  if (pageUrl && scheme) {
    // GitHub compares owner and repository names case-insensitively; a page may spell them either way.
    const needle = `/${repository.toLowerCase()}`;
    const at = pageUrl.toLowerCase().indexOf(needle, scheme[0].length);
    const after = pageUrl[at + needle.length];
    if (at >= 0 && (after === undefined || after === "/")) return pageUrl.slice(0, at);
  }
  return githubServerUrl(env);
}

/**
 * A workflow run's page: the job page's run part (`…/actions/runs/<run>/job/<job>`) when the job's
 * `html_url` has that shape; otherwise built on the job page's host (older Enterprise Server job
 * pages are `…/runs/<job>`), else on GITHUB_SERVER_URL.
 *
 * @example
 * runPageUrl({ repository: "acme/api", runId: 7, htmlUrl: "https://github.com/acme/api/actions/runs/7/job/9" }); // "https://github.com/acme/api/actions/runs/7"
 */
export function runPageUrl(job: { repository: string; runId: number; htmlUrl?: string | undefined }, env: NodeJS.ProcessEnv = process.env): string {
  const ofJob = job.htmlUrl?.match(/^(https?:\/\/.+\/actions\/runs\/\d+)\/job\/\d+$/)?.[1];
  return ofJob ?? `${githubWebBase(job.repository, job.htmlUrl, env)}/${job.repository}/actions/runs/${job.runId}`;
}
