/**
 * What the local GitHub says about jobs, runners and runner groups, read with Runway's own Octokit
 * client: the job's status and runner, a runner's busy flag, and runner groups by name.
 */
import { afterEach, describe, expect, it } from "vitest";
import { githubClient } from "../../../lib/github/octokit.ts";
import { resetRunnerGroups, runnerGroupId } from "../../../lib/github/runner-groups.ts";
import type { GitHubFakeOptions } from "../../../lib/local/github-fake/index.ts";
import { connected, installationToken, queued } from "./fake-actions.ts";
import { rejection, startGitHub, type GitHubHarness } from "./harness.ts";

let github: GitHubHarness | undefined;
afterEach(async () => {
  resetRunnerGroups();
  await github?.fake.actions.settled();
  await github?.close();
  github = undefined;
});

// A fresh installation per test: the client's token cache and write pacing are per installation.
let nextInstallationId = 3000;
async function start(options: Omit<GitHubFakeOptions, "installations"> & { permissions?: Record<string, "read" | "write"> } = {}) {
  const id = nextInstallationId++;
  github = await startGitHub({ ...options, installations: [{ id, account: "*", ...(options.permissions ? { permissions: options.permissions } : {}) }] });
  const octokit = await githubClient({ owner: "acme", repo: "payments", installationId: id });
  return { fake: github.fake, octokit, token: await installationToken(github, id) };
}

const DEV = ["self-hosted", "runway-dev"];

describe("GET /repos/{owner}/{repo}/actions/jobs/{job_id}", () => {
  it("follows the job from queued to in progress on its runner to completed", async () => {
    const { fake, octokit, token } = await start();
    fake.actions.observeQueued(queued({ id: 100, runId: 9, labels: DEV, workflowName: "action-payments-dev-deploy", headBranch: "main" }));
    const read = async () => (await octokit.request("GET /repos/{owner}/{repo}/actions/jobs/{job_id}", { owner: "acme", repo: "payments", job_id: 100 })).data;

    expect(await read()).toMatchObject({ id: 100, run_id: 9, run_attempt: 1, status: "queued", conclusion: null, runner_name: null, labels: DEV, workflow_name: "action-payments-dev-deploy", head_branch: "main" });
    const runnerId = await connected(github!, token, { name: "r-1", labels: DEV });
    expect(await read()).toMatchObject({ status: "in_progress", runner_id: runnerId, runner_name: "r-1", runner_group_id: 1, runner_group_name: "Default" });
    await fake.actions.completeJob(100, { conclusion: "success" });
    const done = await read();
    expect(done).toMatchObject({ status: "completed", conclusion: "success", runner_name: "r-1", html_url: expect.stringContaining("/job/100") });
    expect(done.completed_at).toEqual(expect.any(String));
  });

  it("answers 404 for a job of another repository", async () => {
    const { fake, octokit } = await start();
    fake.actions.observeQueued(queued({ id: 101, labels: DEV }));
    const error = await rejection(() => octokit.request("GET /repos/{owner}/{repo}/actions/jobs/{job_id}", { owner: "acme", repo: "web", job_id: 101 }));
    expect(error).toMatchObject({ status: 404 });
  });

  it("answers 403 without Actions: read", async () => {
    const { fake, token } = await start({ permissions: { administration: "write", metadata: "read" } });
    fake.actions.observeQueued(queued({ id: 102, labels: DEV }));
    const response = await fetch(`${github!.apiUrl}/repos/acme/payments/actions/jobs/102`, { headers: { authorization: `token ${token}` } });
    expect(response.status).toBe(403);
    expect(response.headers.get("x-accepted-github-permissions")).toBe("actions=read");
  });
});

describe("GET …/actions/runners/{runner_id}", () => {
  it("says whether a repository runner is busy", async () => {
    const { fake, octokit, token } = await start();
    const runnerId = await connected(github!, token, { name: "idle", labels: DEV });
    const read = async () => (await octokit.request("GET /repos/{owner}/{repo}/actions/runners/{runner_id}", { owner: "acme", repo: "payments", runner_id: runnerId })).data;
    expect(await read()).toMatchObject({ id: runnerId, name: "idle", status: "online", busy: false, ephemeral: true });
    fake.actions.observeQueued(queued({ id: 110, labels: DEV }));
    expect(await read()).toMatchObject({ status: "online", busy: true });
    await fake.actions.disconnectRunner(runnerId);
    expect(await read()).toMatchObject({ status: "offline", busy: false });
  });

  it("answers an organisation runner under /orgs, and 404 for it under a repository", async () => {
    const { octokit, token } = await start();
    const runnerId = await connected(github!, token, { name: "org", labels: DEV, at: "acme" });
    const { data } = await octokit.request("GET /orgs/{org}/actions/runners/{runner_id}", { org: "acme", runner_id: runnerId });
    expect(data).toMatchObject({ id: runnerId, name: "org", runner_group_id: 1, busy: false });
    const error = await rejection(() => octokit.request("GET /repos/{owner}/{repo}/actions/runners/{runner_id}", { owner: "acme", repo: "payments", runner_id: runnerId }));
    expect(error).toMatchObject({ status: 404 });
  });
});

describe("GET /orgs/{org}/actions/runner-groups", () => {
  it("lists the organisation's groups in GitHub's shape, Default first", async () => {
    const workflows = ["acme/payments/.github/workflows/deploy.yml@refs/heads/main"];
    const { octokit } = await start({ runnerGroups: [{ id: 7, name: "runway-prd", visibility: "selected", selectedRepositories: ["payments"], restrictedToWorkflows: true, selectedWorkflows: workflows }, { id: 8, name: "theirs", org: "other" }] });
    const { data } = await octokit.request("GET /orgs/{org}/actions/runner-groups", { org: "acme" });
    expect(data.total_count).toBe(2);
    expect(data.runner_groups[0]).toMatchObject({ id: 1, name: "Default", visibility: "all", default: true, restricted_to_workflows: false, selected_workflows: [] });
    expect(data.runner_groups[1]).toMatchObject({
      id: 7,
      name: "runway-prd",
      visibility: "selected",
      default: false,
      allows_public_repositories: false,
      restricted_to_workflows: true,
      selected_workflows: workflows,
      selected_repositories_url: expect.stringContaining("/orgs/acme/actions/runner-groups/7/repositories"),
    });
    const visible = await octokit.request("GET /orgs/{org}/actions/runner-groups", { org: "acme", visible_to_repository: "web" });
    expect(visible.data.runner_groups.map((g) => g.name)).toEqual(["Default"]);
  });

  it("pages with a link header, and the launcher's lookup finds a group on a later page", async () => {
    const groups = Array.from({ length: 120 }, (_, i) => ({ id: 100 + i, name: `team-${i}` }));
    const { octokit, token } = await start({ runnerGroups: groups });
    const first = await fetch(`${github!.apiUrl}/orgs/acme/actions/runner-groups?per_page=2`, { headers: { authorization: `token ${token}` } });
    expect(((await first.json()) as { total_count: number }).total_count).toBe(121);
    expect(first.headers.get("link")).toContain('page=2>; rel="next"');
    await expect(runnerGroupId(octokit, "acme", "TEAM-115")).resolves.toBe(215);
    const error = await rejection(() => runnerGroupId(octokit, "acme", "nope"));
    expect(error.message).toContain('has no runner group named "nope"');
  });

  it("needs Organization self-hosted runners: read", async () => {
    const { token } = await start({ permissions: { administration: "write", actions: "read" } });
    const response = await fetch(`${github!.apiUrl}/orgs/acme/actions/runner-groups`, { headers: { authorization: `token ${token}` } });
    expect(response.status).toBe(403);
    expect(response.headers.get("x-accepted-github-permissions")).toBe("organization_self_hosted_runners=read");
  });
});
