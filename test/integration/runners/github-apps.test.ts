/**
 * Two GitHub Apps share a stage's JIT registrations, end to end: the production launcher and its
 * production GitHub port (githubRegistry) against the local GitHub over a real socket, the second
 * App configured as an operator would (its id listed in SSM, its key beside it), the AWS emulator
 * and dynalite behind the launcher. The fake keeps each App's registration budget as GitHub does.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetAppPicker } from "../../../lib/github/app-pool.ts";
import { resetGitHubApps } from "../../../lib/github/apps.ts";
import { resetGitHubClients } from "../../../lib/github/octokit.ts";
import { resetSsmSecrets } from "../../../lib/github/ssm-secret-provider.ts";
import { metrics } from "../../../lib/observability/metrics.ts";
import { consumeJobMessages, type ConsumeDeps } from "../../../lib/runners/consume.ts";
import { githubRegistry } from "../../../lib/runners/github-registry.ts";
import { startGitHub, type GitHubHarness } from "../github/harness.ts";
import { queuedJob, sqsEvent, startHarness, type Harness } from "./harness.ts";

const APPS = "/runway/test/github-apps";
const SECOND_APP = 2;

let h: Harness;
let github: GitHubHarness;
let deps: ConsumeDeps;
let nextJob = 8100;

beforeAll(async () => {
  h = await startHarness({ table: "runway-apps" });
  github = await startGitHub({ apps: [{ id: SECOND_APP }] });
  // As README "Several GitHub Apps" says: the list of extra Apps, and each one's key beside it.
  h.ssm.put(APPS, String(SECOND_APP), "StringList");
  h.ssm.put(`${APPS}/${SECOND_APP}`, github.fake.apps[1]!.privateKey!, "SecureString");
  process.env.GITHUB_APPS_PARAMETER = APPS;
  deps = { ...h.deps, registry: githubRegistry() };
});
afterAll(async () => {
  delete process.env.GITHUB_APPS_PARAMETER;
  await github?.close();
  await h?.stop();
});
beforeEach(() => {
  resetGitHubClients();
  resetGitHubApps();
  resetSsmSecrets();
  resetAppPicker(0);
  github.fake.state.calls.length = 0;
  metrics.clearMetrics();
});

/** Launch these jobs as one batch from the job queue; the records the launcher wants retried. */
async function launchJobs(count: number): Promise<{ ids: number[]; retried: string[] }> {
  const ids = Array.from({ length: count }, () => ++nextJob);
  const { batchItemFailures } = await consumeJobMessages(sqsEvent(...ids.map((id) => queuedJob(id))), deps);
  return { ids, retried: batchItemFailures.map((f) => f.itemIdentifier) };
}

/** The registrations GitHub answered, by App: status → count. */
function registrations(): Record<string, Record<number, number>> {
  const seen: Record<string, Record<number, number>> = {};
  for (const call of github.fake.state.calls.filter((c) => c.route === "generate-jitconfig")) {
    const byStatus = (seen[call.app ?? "?"] ??= {});
    byStatus[call.status] = (byStatus[call.status] ?? 0) + 1;
  }
  return seen;
}

const buildsFor = (jobId: number) => h.codebuild.builds().filter((b) => b.environment?.environmentVariables?.some((v) => v.name === "RUNWAY_JOB_ID" && v.value === String(jobId)));

async function expectLaunched(ids: number[]): Promise<void> {
  for (const id of ids) {
    expect(await h.ledger.get(id, 1), `job ${id}`).toMatchObject({ state: "launched" });
    expect(buildsFor(id)).toHaveLength(1);
  }
}

const recorded = (name: string): number[] => {
  const value = (metrics.serializeMetrics() as unknown as Record<string, unknown>)[name];
  return value === undefined ? [] : ((Array.isArray(value) ? value : [value]) as number[]);
};

describe("a stage with two GitHub Apps", () => {
  it("spreads registrations across both Apps, each through its own installation", async () => {
    const { ids, retried } = await launchJobs(6);

    expect(retried).toEqual([]);
    await expectLaunched(ids);
    expect(registrations()).toEqual({ "1": { 201: 3 }, "2": { 201: 3 } });
    // The delivery's installation id is the webhook App's: the second App looked its own up, once.
    const lookups = github.fake.state.calls.filter((c) => c.route === "installation");
    expect(lookups).toEqual([expect.objectContaining({ app: "2", path: "/repos/acme/payments/installation", status: 200 })]);
    const tokens = github.fake.state.calls.filter((c) => c.route === "access-tokens").map((c) => [c.app, c.path]);
    expect(tokens.sort()).toEqual([
      ["1", "/app/installations/42/access_tokens"],
      ["2", "/app/installations/1042/access_tokens"],
    ]);
    // Each answer's remaining registration budget, for the headroom alarm.
    expect(recorded("GitHubRateLimitRemaining").length).toBeGreaterThanOrEqual(6);
  });

  it("goes on through the other App when one is rate-limited, losing no launch, and uses it again after its reset", async () => {
    github.fake.setRateLimit({ app: 1, remaining: 0, resetInSeconds: 2 });

    const limited = await launchJobs(6);

    expect(limited.retried).toEqual([]);
    await expectLaunched(limited.ids);
    const during = registrations();
    expect(during["2"]).toEqual({ 201: 6 });
    // App 1 is refused until the container has learnt its limit, then not asked again.
    expect(Object.keys(during["1"] ?? {})).not.toContain("201");
    expect(during["1"]?.[403] ?? 0).toBeGreaterThanOrEqual(1);
    expect(during["1"]?.[403] ?? 0).toBeLessThanOrEqual(3);
    expect(recorded("GitHubAppRateLimited")).toEqual([1]);
    expect(recorded("GitHubRateLimitRemaining")).toContain(0);

    const refusedBefore = during["1"]?.[403] ?? 0;
    const skipped = await launchJobs(2);
    await expectLaunched(skipped.ids);
    expect(registrations()["1"]).toEqual({ 403: refusedBefore }); // skipped, not asked

    // GitHub's window resets (x-ratelimit-reset, then a second): App 1 takes its turns again.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    github.fake.state.calls.length = 0;
    const after = await launchJobs(4);
    expect(after.retried).toEqual([]);
    await expectLaunched(after.ids);
    expect(registrations()).toEqual({ "1": { 201: 2 }, "2": { 201: 2 } });
  }, 30_000);

  it("retries later, with GitHub's earliest reset as the delay, when both Apps are limited", async () => {
    github.fake.setRateLimit({ app: 1, remaining: 0, resetInSeconds: 600 });
    github.fake.setRateLimit({ app: SECOND_APP, remaining: 0, resetInSeconds: 300 });
    const logs: Record<string, unknown>[] = [];
    const id = ++nextJob;

    const { batchItemFailures } = await consumeJobMessages(sqsEvent(queuedJob(id)), { ...deps, log: (message, fields) => logs.push({ message, ...fields }) });

    expect(batchItemFailures).toHaveLength(1);
    const retry = logs.find((l) => l.message === "job message will be retried");
    expect(retry).toMatchObject({ jobId: id, error: "RetryLaterError" });
    expect(String(retry!.reason)).toMatch(/^GitHub Apps 1, 2 are rate-limited: the first is free again in 30[01] s/);
    // Not before the first reset (300 s and a second), a little after it at most.
    expect(retry!.retryInSeconds).toBeGreaterThanOrEqual(300);
    expect(retry!.retryInSeconds).toBeLessThanOrEqual(312);
    expect(await h.ledger.get(id, 1)).toMatchObject({ state: "launching" });
    expect(buildsFor(id)).toHaveLength(0);
  });
});
