/**
 * Organisation runner groups by name. runway.yml names a group (`runners.group: deploy-prd`);
 * `generate-jitconfig` wants its id. The id of a name rarely changes, so answers are kept for a
 * few minutes per organisation, and a name that is not there is an error that lists the groups
 * the App can see.
 *
 * Permission of the GitHub App: Organization → Self-hosted runners: Read (Read and write is what
 * registering runners needs anyway).
 */
import type { Octokit } from "@octokit/core";
import { toGitHubApiError } from "./api-error.ts";
import { GitHubApiError } from "./errors.ts";

type Requester = Pick<Octokit, "request">;

/** GitHub's Default runner group, which every repository and organisation has. */
export const DEFAULT_RUNNER_GROUP_ID = 1;
const KEEP_MS = 5 * 60_000;
const PER_PAGE = 100;
const MAX_PAGES = 10;

/** Per organisation: its groups by lower-cased name (GitHub compares them so), with the name as written. */
const cache = new Map<string, { at: number; groups: Map<string, { id: number; name: string }> }>();

/** Forget the remembered groups (tests; a group renamed a moment ago). */
export function resetRunnerGroups(): void {
  cache.clear();
}

/**
 * The id of an organisation's runner group: a number is taken as it is, a name is looked up
 * (case-insensitively, as GitHub compares them), and no group means the Default group.
 *
 * @throws GitHubApiError (not retryable) when no group has that name; retryable when GitHub fails.
 * @example
 * await runnerGroupId(octokit, "acme", "deploy-prd"); // 7
 */
export async function runnerGroupId(octokit: Requester, org: string, group: string | number | undefined, now = Date.now()): Promise<number> {
  if (group === undefined) return DEFAULT_RUNNER_GROUP_ID;
  if (typeof group === "number") return group;
  let known = cache.get(org.toLowerCase());
  if (!known || now - known.at > KEEP_MS || !known.groups.has(group.toLowerCase())) {
    known = { at: now, groups: await listGroups(octokit, org) };
    cache.set(org.toLowerCase(), known);
  }
  const id = known.groups.get(group.toLowerCase())?.id;
  if (id === undefined) {
    const names = [...known.groups.values()].map((g) => g.name).join(", ") || "none";
    throw new GitHubApiError(
      `organization ${org} has no runner group named "${group}" that the GitHub App can see (it sees: ${names}): create the group, or fix runners.group in runway.yml`,
      { status: 404, retryable: false },
    );
  }
  return id;
}

async function listGroups(octokit: Requester, org: string): Promise<Map<string, { id: number; name: string }>> {
  const groups = new Map<string, { id: number; name: string }>();
  try {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { data } = await octokit.request("GET /orgs/{org}/actions/runner-groups", { org, per_page: PER_PAGE, page });
      for (const group of data.runner_groups) groups.set(group.name.toLowerCase(), { id: group.id, name: group.name });
      if (data.runner_groups.length < PER_PAGE) break;
    }
    return groups;
  } catch (error) {
    throw toGitHubApiError(error, {
      action: `list the runner groups of organization ${org}`,
      hints: {
        404: `the GitHub App is not installed on organization ${org}, or lacks the Organization → Self-hosted runners permission`,
        403: `give the GitHub App the Organization → Self-hosted runners: Read and write permission (and accept it on the installation)`,
      },
    });
  }
}
