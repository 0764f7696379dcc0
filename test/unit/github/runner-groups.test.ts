/** Runner groups named in runway.yml become the ids generate-jitconfig wants. */
import { beforeEach, describe, expect, it } from "vitest";
import { GitHubApiError } from "../../../lib/github/errors.ts";
import { resetRunnerGroups, runnerGroupId } from "../../../lib/github/runner-groups.ts";

/** A requester answering GitHub's `GET /orgs/{org}/actions/runner-groups` pages. */
function groups(names: string[], pageSize = 100) {
  const calls: { org: string; page: number }[] = [];
  const all = names.map((name, i) => ({ id: i + 1, name }));
  const octokit = {
    request: async (_route: string, params: { org: string; page: number; per_page: number }) => {
      calls.push({ org: params.org, page: params.page });
      const start = (params.page - 1) * pageSize;
      return { data: { total_count: all.length, runner_groups: all.slice(start, start + Math.min(pageSize, params.per_page)) } };
    },
  };
  return { octokit: octokit as never, calls };
}

beforeEach(() => resetRunnerGroups());

describe("runnerGroupId()", () => {
  it("uses GitHub's Default group when none is named, and a number as it is, without asking", async () => {
    const { octokit, calls } = groups(["Default"]);
    expect(await runnerGroupId(octokit, "acme", undefined)).toBe(1);
    expect(await runnerGroupId(octokit, "acme", 7)).toBe(7);
    expect(calls).toEqual([]);
  });

  it("finds a group by name, case-insensitively, across pages, and remembers it", async () => {
    const names = ["Default", ...Array.from({ length: 150 }, (_, i) => `team-${i}`), "Runway-Prd"];
    const { octokit, calls } = groups(names);
    expect(await runnerGroupId(octokit, "acme", "runway-prd")).toBe(152);
    expect(calls.map((c) => c.page)).toEqual([1, 2]);
    expect(await runnerGroupId(octokit, "ACME", "runway-prd")).toBe(152);
    expect(calls).toHaveLength(2);
  });

  it("refuses a group the App cannot see, listing the ones it can, as a permanent error", async () => {
    const { octokit } = groups(["Default", "runway-dev"]);
    const error = await runnerGroupId(octokit, "acme", "runway-prd").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).retryable).toBe(false);
    expect((error as Error).message).toBe(
      'organization acme has no runner group named "runway-prd" that the GitHub App can see (it sees: Default, runway-dev): create the group, or fix runners.group in runway.yml',
    );
  });
});
