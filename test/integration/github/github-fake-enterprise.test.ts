/**
 * The GitHub fake as a GitHub Enterprise Server at its own host: the API under /api/v3, reached by
 * Runway's real client; web addresses (an installation's page, a JIT runner's GitHub) on that same
 * host, where the fake as github.com keeps them on github.com. Answers are held to GitHub's
 * OpenAPI description by the harness.
 */
import { afterEach, describe, expect, it } from "vitest";
import { generateJitConfig } from "../../../lib/github/jit-config.ts";
import { appClient, githubClient } from "../../../lib/github/octokit.ts";
import { startGitHub, type GitHubHarness } from "./harness.ts";

let github: GitHubHarness | undefined;
afterEach(async () => {
  await github?.close();
  github = undefined;
});

const jitRequest = { owner: "acme", repo: "api", name: "runner-1", runnerGroupId: 1, labels: ["runway-apps"] };

describe("the GitHub fake as an Enterprise Server", () => {
  it("serves the API under /api/v3 and puts web addresses on its own host", async () => {
    github = await startGitHub({ enterpriseServer: {} });
    const origin = new URL(github.apiUrl).origin;
    expect(github.apiUrl).toBe(`${origin}/api/v3`);
    expect(github.fake.webUrl(origin)).toBe(origin);

    const { data: installation } = await (await appClient()).request("GET /repos/{owner}/{repo}/installation", { owner: "acme", repo: "api" });
    expect(installation.html_url).toBe(`${origin}/settings/installations/42`);
    const jit = await generateJitConfig(await githubClient({ owner: "acme", repo: "api", installationId: 42 }), jitRequest);
    expect(github.fake.state.decodeJitConfig(jit.encodedJitConfig)).toMatchObject({ runnerName: "runner-1", serverUrl: origin });
  });

  it("keeps them on github.com when it plays github.com", async () => {
    github = await startGitHub();
    const origin = new URL(github.apiUrl).origin;
    expect(github.fake.webUrl(origin)).toBe("https://github.com");
    const { data: installation } = await (await appClient()).request("GET /repos/{owner}/{repo}/installation", { owner: "acme", repo: "api" });
    expect(installation.html_url).toBe("https://github.com/settings/installations/42");
    const jit = await generateJitConfig(await githubClient({ owner: "acme", repo: "api", installationId: 42 }), jitRequest);
    expect(github.fake.state.decodeJitConfig(jit.encodedJitConfig).serverUrl).toBe("https://github.com");
  });
});
