import { afterEach, describe, expect, it } from "vitest";
import { GitHubApiError } from "../../../lib/github/errors.ts";
import { generateJitConfig } from "../../../lib/github/jit-config.ts";
import { githubClient, resetGitHubClients } from "../../../lib/github/octokit.ts";
import { generateLocalAppKey } from "../../../lib/local/github-fake/index.ts";
import { rejection, startGitHub, type GitHubHarness } from "./harness.ts";

let github: GitHubHarness | undefined;
afterEach(async () => {
  await github?.close();
  github = undefined;
});

const jitRequest = (name: string) => ({ owner: "acme", repo: "api", name, runnerGroupId: 1, labels: ["runway-dev"] });
const callsTo = (route: string) => github!.fake.state.calls.filter((c) => c.route === route);

describe("githubClient() against the local GitHub", () => {
  it("fetches one installation token and reuses it for every later call", async () => {
    github = await startGitHub();
    const octokit = await githubClient({ owner: "acme", repo: "api", installationId: 42 });
    for (const name of ["runner-1", "runner-2", "runner-3"]) await generateJitConfig(octokit, jitRequest(name));
    // A second lookup in the same container is the same client with the same cached token.
    const again = await githubClient({ owner: "acme", repo: "api", installationId: 42 });
    expect(again).toBe(octokit);
    await again.request("GET /repos/{owner}/{repo}/actions/runners", { owner: "acme", repo: "api" });

    expect(callsTo("access-tokens")).toEqual([expect.objectContaining({ method: "POST", path: "/app/installations/42/access_tokens", status: 201 })]);
    expect(callsTo("generate-jitconfig").map((c) => c.status)).toEqual([201, 201, 201]);
    expect(callsTo("installation")).toHaveLength(0);
  });

  it("asks for a new token when the cached one expires within five minutes", async () => {
    github = await startGitHub({ tokenLifetimeSeconds: 240 });
    const octokit = await githubClient({ owner: "acme", repo: "api", installationId: 42 });
    await octokit.request("GET /repos/{owner}/{repo}/actions/runners", { owner: "acme", repo: "api" });
    await octokit.request("GET /repos/{owner}/{repo}/actions/runners", { owner: "acme", repo: "api" });
    expect(callsTo("access-tokens")).toHaveLength(2);
  });

  it("looks up the installation once when the job message carries none", async () => {
    github = await startGitHub({ installations: [{ id: 7, account: "acme" }] });
    const first = await githubClient({ owner: "acme", repo: "api" });
    const second = await githubClient({ owner: "ACME", repo: "api" });
    expect(second).toBe(first);
    await generateJitConfig(first, jitRequest("runner-1"));
    expect(callsTo("installation")).toEqual([expect.objectContaining({ method: "GET", path: "/repos/acme/api/installation", status: 200 })]);
    expect(callsTo("access-tokens")[0]).toMatchObject({ path: "/app/installations/7/access_tokens", status: 201 });
  });

  it("says the App is not installed when the repository has no installation", async () => {
    github = await startGitHub({ installations: [{ id: 7, account: "someone-else" }] });
    const error = await rejection(() => githubClient({ owner: "acme", repo: "api" }));
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error).toMatchObject({ status: 404, retryable: false });
    expect(error.message).toContain("the GitHub App is not installed on acme/api");
  });

  it("is refused, permanently, when the private key is not the App's", async () => {
    github = await startGitHub();
    process.env.GITHUB_APP_PRIVATE_KEY = generateLocalAppKey().privateKey;
    resetGitHubClients();
    const octokit = await githubClient({ owner: "acme", repo: "api", installationId: 42 });
    const error = await rejection(() => generateJitConfig(octokit, jitRequest("runner-1")));
    expect(error).toMatchObject({ name: "GitHubApiError", status: 401, retryable: false });
    expect(error.message).toContain("could not get an installation token");
    expect(error.message).toContain("GITHUB_APP_ID");
    expect(callsTo("generate-jitconfig")).toHaveLength(0);
  });

  it("reaches GitHub Enterprise Server's /api/v3 base path the same way", async () => {
    github = await startGitHub({ basePath: "/api/v3" });
    expect(process.env.GITHUB_API_URL).toMatch(/\/api\/v3$/);
    const octokit = await githubClient({ owner: "acme", repo: "api", installationId: 42 });
    const jit = await generateJitConfig(octokit, jitRequest("runner-1"));
    expect(github.fake.state.decodeJitConfig(jit.encodedJitConfig)).toMatchObject({ runnerName: "runner-1", owner: "acme", repo: "api" });
  });
});
