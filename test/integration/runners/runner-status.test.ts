/**
 * The reconciler's GitHub ports against the local GitHub over a real socket, with Runway's own
 * Octokit client: a runner's `online` and `busy` as GitHub reports them, and a runner GitHub no
 * longer has (404) read as gone rather than as an error.
 */
import { afterEach, describe, expect, it } from "vitest";
import { githubJobs, githubRegistry, githubRunners } from "../../../lib/runners/github-registry.ts";
import { connected, installationToken, queued, register } from "../github/fake-actions.ts";
import { startGitHub, type GitHubHarness } from "../github/harness.ts";

let github: GitHubHarness | undefined;
afterEach(async () => {
  await github?.fake.actions.settled();
  await github?.close();
  github = undefined;
});

let nextInstallationId = 4000;
async function start() {
  const installationId = nextInstallationId++;
  github = await startGitHub({ installations: [{ id: installationId, account: "*" }] });
  return { fake: github.fake, installationId, token: await installationToken(github, installationId) };
}

const DEV = ["self-hosted", "runway-dev"];
const repo = { owner: "acme", repo: "payments" };

describe("githubRunners()", () => {
  it("reports a registered runner offline until it connects, then online, busy once it takes a job", async () => {
    const { fake, installationId, token } = await start();
    const runners = githubRunners();
    const { runnerId } = await register(github!, token, { name: "runway-dev-1-1-aaaa", labels: DEV });
    await expect(runners.runner({ ...repo, installationId, runnerId })).resolves.toMatchObject({ id: runnerId, status: "offline", busy: false });

    const online = await connected(github!, token, { name: "runway-dev-2-1-bbbb", labels: DEV });
    await expect(runners.runner({ ...repo, installationId, runnerId: online })).resolves.toMatchObject({ status: "online", busy: false });
    fake.actions.observeQueued(queued({ id: 300, labels: DEV }));
    await expect(runners.runner({ ...repo, installationId, runnerId: online })).resolves.toMatchObject({ status: "online", busy: true });
    await expect(githubJobs().job({ ...repo, installationId, jobId: 300 })).resolves.toMatchObject({ status: "in_progress", runnerName: "runway-dev-2-1-bbbb", runnerId: online });
  });

  it("answers undefined for a runner GitHub no longer has", async () => {
    const { installationId, token } = await start();
    const runnerId = await connected(github!, token, { name: "runway-dev-3-1-cccc", labels: DEV });
    await githubRegistry().unregister({ ...repo, installationId, runnerId, name: "runway-dev-3-1-cccc" });
    await expect(githubRunners().runner({ ...repo, installationId, runnerId })).resolves.toBeUndefined();
  });

  it("reads an organisation runner under /orgs", async () => {
    const { installationId, token } = await start();
    const runnerId = await connected(github!, token, { name: "runway-prd-4-1-dddd", labels: DEV, at: "acme" });
    await expect(githubRunners().runner({ ...repo, scope: "org", installationId, runnerId })).resolves.toMatchObject({ id: runnerId, status: "online", busy: false });
    // Not a repository runner: under the repository GitHub does not have it.
    await expect(githubRunners().runner({ ...repo, scope: "repo", installationId, runnerId })).resolves.toBeUndefined();
  });
});
