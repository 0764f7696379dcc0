import { afterEach, describe, expect, it, vi } from "vitest";
import { GitHubApiError, GitHubRateLimitError, RunnerNameConflictError } from "../../../lib/github/errors.ts";
import { deleteRunner, findRunnerByName, generateJitConfig } from "../../../lib/github/jit-config.ts";
import { githubClient } from "../../../lib/github/octokit.ts";
import { logger } from "../../../lib/observability/logger.ts";
import type { FakeInstallation, GitHubFakeOptions } from "../../../lib/local/github-fake/index.ts";
import { rejection, startGitHub, type GitHubHarness } from "./harness.ts";

let github: GitHubHarness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await github?.close();
  github = undefined;
});

// A fresh installation per test: the client spaces writes per installation (GitHub's advice of a
// second between mutating requests), and that pacing is process-wide, so tests would wait on each other.
let nextInstallationId = 1000;
async function client(options: Omit<GitHubFakeOptions, "installations"> & { installation?: Partial<FakeInstallation> } = {}) {
  const id = nextInstallationId++;
  github = await startGitHub({ ...options, installations: [{ id, account: "*", ...options.installation }] });
  return githubClient({ owner: "acme", repo: "api", installationId: id });
}

const request = (name = "runway-dev-2832853555-1") => ({ owner: "acme", repo: "api", name, runnerGroupId: 1, labels: ["runway-dev", "codebuild-runner-dev-123-1"] });
const jitCalls = () => github!.fake.state.calls.filter((c) => c.route === "generate-jitconfig").map((c) => c.status);

describe("generateJitConfig()", () => {
  it("registers a runner with the name, labels, runner group and work folder sent", async () => {
    const octokit = await client({ runnerGroups: [1, 5] });
    const jit = await generateJitConfig(octokit, { ...request(), runnerGroupId: 5, workFolder: "work" });

    const [runner] = github!.fake.state.runners();
    expect(runner).toMatchObject({
      id: jit.runnerId,
      name: "runway-dev-2832853555-1",
      scope: "repo",
      owner: "acme",
      repo: "api",
      runnerGroupId: 5,
      labels: ["runway-dev", "codebuild-runner-dev-123-1"],
      workFolder: "work",
      status: "offline",
    });
    expect(jit.runnerName).toBe("runway-dev-2832853555-1");
    expect(github!.fake.state.decodeJitConfig(jit.encodedJitConfig)).toMatchObject({
      runnerId: jit.runnerId,
      runnerName: "runway-dev-2832853555-1",
      runnerGroupId: 5,
      labels: ["runway-dev", "codebuild-runner-dev-123-1"],
    });
  });

  it("keeps the configuration out of JSON and inspection of the result", async () => {
    const octokit = await client();
    const jit = await generateJitConfig(octokit, request());
    expect(JSON.parse(JSON.stringify(jit))).toEqual({ runnerId: jit.runnerId, runnerName: jit.runnerName });
    const { inspect } = await import("node:util");
    expect(inspect(jit, { depth: 5, showHidden: true })).not.toContain(jit.encodedJitConfig);
  });

  it("registers an organisation runner with scope: org", async () => {
    const octokit = await client();
    const jit = await generateJitConfig(octokit, { ...request(), scope: "org" });
    expect(github!.fake.state.runners()).toEqual([expect.objectContaining({ id: jit.runnerId, scope: "org", owner: "acme" })]);
    expect(github!.fake.state.calls.at(-1)).toMatchObject({ path: "/orgs/acme/actions/runners/generate-jitconfig", status: 201 });
  });

  it.each([500, 502])("retries a %i and succeeds", async (status) => {
    const octokit = await client();
    github!.fake.failures.add({ route: "generate-jitconfig", status });
    const jit = await generateJitConfig(octokit, request());
    expect(jit.runnerId).toBeGreaterThan(0);
    expect(jitCalls()).toEqual([status, 201]);
  });

  it("waits out a secondary rate limit with a short retry-after, then succeeds", async () => {
    const warn = vi.spyOn(logger, "warn");
    const octokit = await client();
    github!.fake.failures.add({ route: "generate-jitconfig", status: 403, retryAfter: 1 });
    await generateJitConfig(octokit, request());
    expect(jitCalls()).toEqual([403, 201]);
    expect(warn).toHaveBeenCalledWith(
      "GitHub secondary rate limit: waiting, then retrying",
      expect.objectContaining({ method: "POST", route: "/repos/{owner}/{repo}/actions/runners/generate-jitconfig", retryAfterSeconds: 1 }),
    );
  });

  it("waits out a used-up rate limit (429) that resets soon", async () => {
    const octokit = await client();
    github!.fake.failures.add({ route: "generate-jitconfig", status: 429, retryAfter: 1 });
    await generateJitConfig(octokit, request());
    expect(jitCalls()).toEqual([429, 201]);
  });

  it("gives up at once on a rate limit longer than a minute, saying when to retry", async () => {
    const octokit = await client();
    github!.fake.failures.add({ route: "generate-jitconfig", status: 403, retryAfter: 120 });
    const error = await rejection(() => generateJitConfig(octokit, request()));
    expect(error).toBeInstanceOf(GitHubRateLimitError);
    expect(error).toMatchObject({ status: 403, retryable: true, retryAfterSeconds: 120 });
    expect(error.message).toContain("secondary rate limit");
    expect(jitCalls()).toEqual([403]);
  });

  it("turns a 404 into a permanent error that names the App's permission", async () => {
    const octokit = await client({ installation: { account: "acme", repositories: ["other-repo"] } });
    const error = await rejection(() => generateJitConfig(octokit, request()));
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error).toMatchObject({ status: 404, retryable: false });
    expect(error.message).toContain("the GitHub App is not installed on acme/api, or lacks the Administration: Read and write (self-hosted runners) permission");
    expect((error as GitHubApiError).requestId).toMatch(/^[0-9A-F:]+$/);
    expect(jitCalls()).toEqual([404]);
  });

  it("turns a 403 for a missing permission into a permanent error naming it", async () => {
    const octokit = await client({ installation: { permissions: { metadata: "read" } } });
    const error = await rejection(() => generateJitConfig(octokit, request()));
    expect(error).toMatchObject({ name: "GitHubApiError", status: 403, retryable: false });
    expect(error.message).toContain("Administration: Read and write");
    expect(error.message).toContain("administration=write");
  });

  it("turns a 409 into RunnerNameConflictError; the old registration can be found and deleted", async () => {
    const octokit = await client();
    const first = await generateJitConfig(octokit, request("runway-dev-1"));
    const error = await rejection(() => generateJitConfig(octokit, request("runway-dev-1")));
    expect(error).toBeInstanceOf(RunnerNameConflictError);
    expect(error).toMatchObject({ status: 409, retryable: true, runnerName: "runway-dev-1" });
    expect(jitCalls()).toEqual([201, 409]);

    const orphan = await findRunnerByName(octokit, { owner: "acme", repo: "api", name: "runway-dev-1" });
    expect(orphan).toEqual({ id: first.runnerId, name: "runway-dev-1", status: "offline", busy: false, labels: request().labels });
    await expect(deleteRunner(octokit, { owner: "acme", repo: "api", runnerId: first.runnerId })).resolves.toBe(true);
    await expect(generateJitConfig(octokit, request("runway-dev-1"))).resolves.toMatchObject({ runnerName: "runway-dev-1" });
  });

  it("turns a 422 into a permanent error about the runner group and labels", async () => {
    const octokit = await client();
    github!.fake.failures.add({ route: "generate-jitconfig", status: 422 });
    const error = await rejection(() => generateJitConfig(octokit, request()));
    expect(error).toMatchObject({ status: 422, retryable: false });
    expect(error.message).toContain("runner group 1 does not exist or the labels are invalid");
  });

  it("refuses labels GitHub would refuse without calling it", async () => {
    const octokit = await client();
    await expect(generateJitConfig(octokit, { ...request(), labels: [] })).rejects.toThrow(RangeError);
    await expect(generateJitConfig(octokit, { ...request(), labels: ["ok", " "] })).rejects.toThrow(RangeError);
    expect(jitCalls()).toEqual([]);
  });
});

describe("deleteRunner() and findRunnerByName()", () => {
  it("treat a runner that is already gone as done", async () => {
    const octokit = await client();
    await expect(deleteRunner(octokit, { owner: "acme", repo: "api", runnerId: 999 })).resolves.toBe(false);
    await expect(findRunnerByName(octokit, { owner: "acme", repo: "api", name: "nobody" })).resolves.toBeUndefined();
  });

  it("work on organisation runners", async () => {
    const octokit = await client();
    const jit = await generateJitConfig(octokit, { ...request("org-runner"), scope: "org" });
    await expect(findRunnerByName(octokit, { owner: "acme", repo: "api", name: "org-runner", scope: "org" })).resolves.toMatchObject({ id: jit.runnerId });
    await expect(deleteRunner(octokit, { owner: "acme", repo: "api", runnerId: jit.runnerId, scope: "org" })).resolves.toBe(true);
    expect(github!.fake.state.runners()).toEqual([]);
  });

  it("surface a refusal to delete a busy runner with what to do", async () => {
    const octokit = await client();
    const jit = await generateJitConfig(octokit, request());
    github!.fake.state.updateRunner(jit.runnerId, { status: "online", busy: true });
    const error = await rejection(() => deleteRunner(octokit, { owner: "acme", repo: "api", runnerId: jit.runnerId }));
    expect(error).toMatchObject({ status: 422, retryable: false });
    expect(error.message).toContain("still running a job");
  });
});
