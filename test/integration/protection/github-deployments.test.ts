/**
 * The GitHub calls of a protection rule, with the real Octokit client over real HTTP against the
 * GitHub fake: reading a commit's deployments and their statuses, and answering the rule through
 * its callback, with GitHub's answers when that cannot be done.
 */
import { afterEach, describe, expect, it } from "vitest";
import { reviewDeploymentProtectionRule } from "../../../lib/github/deployment-callback.ts";
import { GitHubApiError } from "../../../lib/github/errors.ts";
import { githubClient } from "../../../lib/github/octokit.ts";
import { deploymentsOf } from "../../../lib/local/github-fake/deployments.ts";
import { validatedInCondition } from "../../../lib/protection/validated.ts";
import { rejection, startGitHub, type GitHubHarness } from "../github/harness.ts";

const SHA = "c0ffee0123456789c0ffee0123456789c0ffee01";
const staging = { environment: "staging", soak: 0, creators: ["github-actions[bot]"] };
let github: GitHubHarness | undefined;

afterEach(async () => {
  await github?.close();
  github = undefined;
});

const client = () => githubClient({ owner: "acme", repo: "api", installationId: 42 });

describe("GitHub's deployments, as the protection rule reads them", () => {
  it("finds the commit's successful deployment to staging among its statuses, newest first", async () => {
    github = await startGitHub();
    const store = deploymentsOf(github.fake.state);
    const at = new Date(Date.now() - 3_600_000);
    store.addDeployment({ owner: "acme", repo: "api", sha: SHA, environment: "staging", createdAt: at, statuses: [{ state: "in_progress", at }, { state: "success", at }, { state: "inactive" }] });
    store.addDeployment({ owner: "acme", repo: "api", sha: SHA, environment: "qa", statuses: [{ state: "failure" }] });
    const result = await validatedInCondition(await client(), { owner: "acme", repo: "api", sha: SHA }, staging, new Date());
    expect(result).toEqual({ name: "validatedIn staging", status: "pass", summary: expect.stringMatching(/^c0ffee0 succeeded in staging (59 min|1 h) ago \(deployment \d+\)$/) });
    expect(github.fake.state.calls.map((c) => `${c.route} ${c.status}`)).toEqual(["access-tokens 201", "list-deployments 200", "list-deployment-statuses 200"]);
    expect(github.fake.state.calls[1]!.query).toContain(`sha=${SHA}`);
  });

  it("reads a missing Deployments permission as a reason, not as a pass", async () => {
    github = await startGitHub({ installations: [{ id: 42, account: "*", permissions: { actions: "read", metadata: "read" } }] });
    const result = await validatedInCondition(await client(), { owner: "acme", repo: "api", sha: SHA }, staging, new Date());
    expect(result.status).toBe("fail");
    expect(result.summary).toContain("give the GitHub App the Deployments: Read and write permission (GitHub accepts: deployments=read)");
  });
});

describe("answering the rule through its callback", () => {
  it("approves the waiting environment once; GitHub refuses a second answer with 422", async () => {
    github = await startGitHub();
    const store = deploymentsOf(github.fake.state);
    store.requestGate({ owner: "acme", repo: "api", runId: 9001, environment: "Production", sha: SHA, apiUrl: github.apiUrl });
    const review = { owner: "acme", repo: "api", runId: 9001, environment: "production", state: "approved" as const, comment: "Runway approved: all conditions hold" };
    await reviewDeploymentProtectionRule(await client(), review);
    expect(store.reviews).toEqual([expect.objectContaining({ runId: 9001, environment: "Production", state: "approved", comment: "Runway approved: all conditions hold", installationId: 42 })]);

    const again = await rejection(async () => reviewDeploymentProtectionRule(await client(), review));
    expect(again).toBeInstanceOf(GitHubApiError);
    expect(again).toMatchObject({ status: 422, retryable: false, message: expect.stringContaining("it was answered already, the run was cancelled") });
  });

  it("cuts a comment longer than GitHub shows", async () => {
    github = await startGitHub();
    const store = deploymentsOf(github.fake.state);
    store.requestGate({ owner: "acme", repo: "api", runId: 9002, environment: "production", sha: SHA, apiUrl: github.apiUrl });
    await reviewDeploymentProtectionRule(await client(), { owner: "acme", repo: "api", runId: 9002, environment: "production", state: "rejected", comment: "x".repeat(5_000) });
    expect(store.reviews[0]!.comment).toHaveLength(1_000);
    expect(store.reviews[0]!.comment!.endsWith("…")).toBe(true);
  });

  it("says what to fix when the App may read deployments but not answer rules (403)", async () => {
    github = await startGitHub({ installations: [{ id: 42, account: "*", permissions: { actions: "read", deployments: "read", metadata: "read" } }] });
    deploymentsOf(github.fake.state).requestGate({ owner: "acme", repo: "api", runId: 9003, environment: "production", sha: SHA, apiUrl: github.apiUrl });
    const review = { owner: "acme", repo: "api", environment: "production", state: "approved" as const, comment: "ok" };
    const forbidden = await rejection(async () => reviewDeploymentProtectionRule(await client(), { ...review, runId: 9003 }));
    expect(forbidden).toMatchObject({ status: 403, retryable: false });
    expect(forbidden.message).toContain("give the GitHub App the Deployments: Read and write permission");
    expect(forbidden.message).toContain("(GitHub accepts: deployments=write)");
  });

  it("answers 404 for a run with no rule of the App", async () => {
    github = await startGitHub();
    const unseen = await rejection(async () => reviewDeploymentProtectionRule(await client(), { owner: "acme", repo: "api", runId: 404, environment: "production", state: "approved", comment: "ok" }));
    expect(unseen).toMatchObject({ status: 404, message: expect.stringContaining("install it on that repository") });
  });
});
