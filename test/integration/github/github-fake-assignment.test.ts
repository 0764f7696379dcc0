/**
 * The local GitHub hands out jobs as GitHub does: any online idle runner in scope whose labels
 * cover the job's gets it, not the runner that was launched for it. Runners are registered over
 * real HTTP, as the launcher registers them.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { GitHubFakeOptions } from "../../../lib/local/github-fake/index.ts";
import { connected, installationToken, queued, register, startReceiver } from "./fake-actions.ts";
import { startGitHub, type GitHubHarness } from "./harness.ts";

let github: GitHubHarness | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterEach(async () => {
  await github?.fake.actions.settled();
  await github?.close();
  await receiver?.close();
  github = receiver = undefined;
});

async function start(options: GitHubFakeOptions = {}) {
  receiver = await startReceiver("s3cret");
  github = await startGitHub({ ...options, webhook: { url: receiver.url, secret: "s3cret" } });
  return { fake: github.fake, token: await installationToken(github) };
}

const DEV = ["self-hosted", "runway-dev"];
const runnerOf = (jobId: number) => github!.fake.state.job(jobId)?.runnerName;

describe("the local GitHub's job assignment", () => {
  it("hands a queued job to any idle runner that covers it, not the one launched for it", async () => {
    const { fake, token } = await start();
    await connected(github!, token, { name: "launched-for-2", labels: DEV });
    await fake.actions.queueJob(queued({ id: 1, labels: DEV }));
    expect(runnerOf(1)).toBe("launched-for-2");
    await connected(github!, token, { name: "launched-for-1", labels: DEV });
    await fake.actions.queueJob(queued({ id: 2, labels: DEV }));
    expect(runnerOf(2)).toBe("launched-for-1");
    await fake.actions.settled();
    const inProgress = receiver!.received.filter((r) => r.body.action === "in_progress");
    expect(inProgress.map((r) => [r.body.workflow_job.id, r.body.workflow_job.runner_name])).toEqual([
      [1, "launched-for-2"],
      [2, "launched-for-1"],
    ]);
  });

  it("needs every runs-on label, compared case-insensitively", async () => {
    const { fake, token } = await start();
    const runnerId = await connected(github!, token, { name: "r", labels: ["Self-Hosted", "RUNWAY-DEV"] });
    await fake.actions.queueJob(queued({ id: 3, labels: [...DEV, "gpu"] }));
    expect(fake.state.job(3)).toMatchObject({ status: "queued", runnerName: null });
    expect(fake.actions.why(runnerId, 3)).toBe("runner r lacks label gpu");
    await fake.actions.queueJob(queued({ id: 4, labels: DEV }));
    expect(fake.state.job(4)).toMatchObject({ status: "in_progress", runnerName: "r", runnerId });
  });

  it("gives a runner that connects the oldest job it covers", async () => {
    const { fake, token } = await start();
    for (const id of [10, 11, 12]) fake.actions.observeQueued(queued({ id, labels: id === 10 ? ["other"] : DEV }));
    await connected(github!, token, { name: "r", labels: DEV });
    expect(fake.state.jobs().map((j) => [j.id, j.status])).toEqual([
      [10, "queued"],
      [11, "in_progress"],
      [12, "queued"],
    ]);
  });

  it("keeps repository runners to their repository", async () => {
    const { fake, token } = await start();
    const runnerId = await connected(github!, token, { name: "api-runner", labels: DEV, at: "acme/api" });
    await fake.actions.queueJob(queued({ id: 20, labels: DEV, repository: "acme/payments" }));
    expect(fake.state.job(20)!.status).toBe("queued");
    expect(fake.actions.why(runnerId, 20)).toBe("runner api-runner is a runner of acme/api, not acme/payments");
    await fake.actions.queueJob(queued({ id: 21, labels: DEV, repository: "acme/api" }));
    expect(runnerOf(21)).toBe("api-runner");
  });

  it("lets an organisation runner take only jobs of repositories its group allows", async () => {
    const { fake, token } = await start({ runnerGroups: [{ id: 7, name: "deploy", visibility: "selected", selectedRepositories: ["payments"] }] });
    const runnerId = await connected(github!, token, { name: "org-runner", labels: DEV, at: "acme", group: 7 });
    await fake.actions.queueJob(queued({ id: 30, labels: DEV, repository: "acme/web" }));
    await fake.actions.queueJob(queued({ id: 31, labels: DEV, repository: "other/payments" }));
    await fake.actions.queueJob(queued({ id: 32, labels: DEV, repository: "acme/payments", public: true }));
    expect(fake.actions.why(runnerId, 30)).toBe("runner group deploy is not available to acme/web");
    expect(fake.actions.why(runnerId, 31)).toBe("runner org-runner belongs to acme, not other");
    expect(fake.actions.why(runnerId, 32)).toBe("runner group deploy does not allow public repositories");
    await fake.actions.queueJob(queued({ id: 33, labels: DEV, repository: "acme/payments" }));
    expect(fake.state.jobs().filter((j) => j.status === "in_progress").map((j) => j.id)).toEqual([33]);
    expect(fake.state.job(33)).toMatchObject({ runnerName: "org-runner", runnerGroupId: 7, runnerGroupName: "deploy" });
  });

  it("holds a group restricted to selected workflows to those workflows at those refs", async () => {
    const deploy = "acme/payments/.github/workflows/deploy.yml@refs/heads/main";
    const { fake, token } = await start({ runnerGroups: [{ id: 8, name: "prd", restrictedToWorkflows: true, selectedWorkflows: [deploy] }] });
    const runnerId = await connected(github!, token, { name: "prd-runner", labels: DEV, at: "acme", group: 8 });
    fake.actions.observeQueued(queued({ id: 40, labels: DEV, workflowPath: ".github/workflows/deploy.yml", headBranch: "feature" }));
    fake.actions.observeQueued(queued({ id: 41, labels: DEV, workflowPath: ".github/workflows/other.yml" }));
    expect(fake.actions.why(runnerId, 40)).toBe(`runner group prd is restricted to ${deploy}, not acme/payments/.github/workflows/deploy.yml@refs/heads/feature`);
    expect(fake.state.job(41)!.status).toBe("queued");
    // Without workflow.path the fake reads the file from the workflow's name.
    fake.actions.observeQueued(queued({ id: 42, labels: DEV, workflowName: "deploy", headBranch: "main" }));
    expect(runnerOf(42)).toBe("prd-runner");
  });

  it("keeps runners registered with a run label inside their run", async () => {
    const { fake, token } = await start();
    const run = (id: number) => [...DEV, `runway-run-${id}-1`];
    for (const [job, runId] of [[50, 1], [51, 2], [52, 1], [53, 2]] as const) fake.actions.observeQueued(queued({ id: job, runId, labels: run(runId) }));
    // Runners of run 2 connect first: they still take only run 2's jobs.
    for (const [name, runId] of [["run2-a", 2], ["run2-b", 2], ["run1-a", 1], ["run1-b", 1]] as const) await connected(github!, token, { name, labels: run(runId) });
    expect(fake.state.jobs().map((j) => [j.id, j.runnerName])).toEqual([
      [50, "run1-a"],
      [51, "run2-a"],
      [52, "run1-b"],
      [53, "run2-b"],
    ]);
  });

  it("lets a test stage who wins: assignments held, then released to the runners it names first", async () => {
    const { fake, token } = await start();
    fake.actions.holdAssignments();
    await fake.actions.queueJob(queued({ id: 60, runId: 1, labels: DEV }));
    await fake.actions.queueJob(queued({ id: 61, runId: 2, labels: DEV }));
    await connected(github!, token, { name: "for-60", labels: DEV });
    const thief = await connected(github!, token, { name: "for-61", labels: DEV });
    expect(fake.state.jobs().map((j) => j.status)).toEqual(["queued", "queued"]);
    fake.actions.releaseAssignments([thief]);
    expect([runnerOf(60), runnerOf(61)]).toEqual(["for-61", "for-60"]);
  });

  it("removes a JIT runner once its job is over, and ends the job of a runner that goes offline as cancelled", async () => {
    const { fake, token } = await start();
    const first = await connected(github!, token, { name: "first", labels: DEV });
    await fake.actions.queueJob(queued({ id: 70, labels: DEV }));
    await fake.actions.completeJob(70, { conclusion: "failure" });
    expect(fake.state.runner(first)).toBeUndefined();
    expect(fake.state.job(70)).toMatchObject({ status: "completed", conclusion: "failure", runnerName: "first" });
    expect(fake.state.job(70)!.steps.map((s) => s.conclusion)).toEqual(["success", "success", "failure", "skipped"]);

    const second = await connected(github!, token, { name: "second", labels: DEV });
    await fake.actions.queueJob(queued({ id: 71, labels: DEV }));
    const busyDelete = await fetch(`${github!.apiUrl}/repos/acme/payments/actions/runners/${second}`, { method: "DELETE", headers: { authorization: `token ${token}` } });
    expect(busyDelete.status).toBe(422);
    await fake.actions.disconnectRunner(second);
    expect(fake.state.job(71)).toMatchObject({ status: "completed", conclusion: "cancelled", runnerName: "second" });
    expect(fake.state.runner(second)).toMatchObject({ status: "offline", busy: false });
    const offlineDelete = await fetch(`${github!.apiUrl}/repos/acme/payments/actions/runners/${second}`, { method: "DELETE", headers: { authorization: `token ${token}` } });
    expect(offlineDelete.status).toBe(204);
    await fake.actions.settled();
    expect(receiver!.received.filter((r) => r.body.workflow_job.id === 71).map((r) => [r.body.action, r.body.workflow_job.conclusion, r.body.workflow_job.runner_name])).toEqual([
      ["queued", null, null],
      ["in_progress", null, "second"],
      ["completed", "cancelled", "second"],
    ]);
  });

  it("cancels a job named to be cancelled when a runner would take it; the runner stays idle", async () => {
    const { fake, token } = await start({ cancelBeforeStart: (job) => job.name.includes("cancel") });
    await fake.actions.queueJob(queued({ id: 80, labels: DEV, jobName: "deploy (cancel)" }));
    const runnerId = await connected(github!, token, { name: "r", labels: DEV });
    expect(fake.state.job(80)).toMatchObject({ status: "completed", conclusion: "cancelled", runnerName: null });
    expect(fake.state.runner(runnerId)).toMatchObject({ status: "online", busy: false });
    await fake.actions.queueJob(queued({ id: 81, labels: DEV }));
    expect(runnerOf(81)).toBe("r");
  });

  it("refuses a runner group that does not exist, or exists in another organisation: 404", async () => {
    const { token } = await start({ runnerGroups: [{ id: 9, name: "elsewhere", org: "other" }] });
    expect((await register(github!, token, { name: "a", labels: DEV, at: "acme", group: 9 })).status).toBe(404);
    expect((await register(github!, token, { name: "b", labels: DEV, at: "acme", group: 99 })).status).toBe(404);
    expect((await register(github!, token, { name: "c", labels: DEV, at: "other", group: 9 })).status).toBe(201);
  });

  it("will not connect a registration that is gone", async () => {
    const { fake, token } = await start();
    const { runnerId, encoded } = await register(github!, token, { name: "gone", labels: DEV });
    fake.state.removeRunner(runnerId);
    expect(() => fake.actions.connectRunner(encoded)).toThrow(`runner ${runnerId} is not registered`);
  });
});
