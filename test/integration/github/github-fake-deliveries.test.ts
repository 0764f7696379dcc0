/**
 * The local GitHub as the App's webhook sender: deliveries signed over their raw bytes, sent once,
 * in order per job, each attempt logged in GitHub's hook-delivery shape, and deliveries that can
 * be lost on purpose.
 */
import { afterEach, describe, expect, it } from "vitest";
import { connected, installationToken, queued, startReceiver } from "./fake-actions.ts";
import { startGitHub, type GitHubHarness } from "./harness.ts";

let github: GitHubHarness | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterEach(async () => {
  await github?.fake.actions.settled();
  await github?.close();
  await receiver?.close();
  github = receiver = undefined;
});

async function start() {
  receiver = await startReceiver("hook-secret");
  github = await startGitHub({ webhook: { url: receiver.url, secret: "hook-secret" } });
  return { fake: github.fake, token: await installationToken(github) };
}

const DEV = ["self-hosted", "runway-dev"];
const ITEM_KEYS = ["action", "delivered_at", "duration", "event", "guid", "id", "installation_id", "redelivery", "repository_id", "status", "status_code", "throttled_at"];

describe("the local GitHub's webhook deliveries", () => {
  it("sends queued, in_progress and completed, signed, in order, built from the queued delivery", async () => {
    const { fake, token } = await start();
    await fake.actions.queueJob(queued({ id: 200, runId: 5, labels: DEV }));
    await connected(github!, token, { name: "r", labels: DEV });
    await fake.actions.completeJob(200, { conclusion: "success" });
    await fake.actions.settled();

    const got = receiver!.received;
    expect(got.map((r) => [r.event, r.body.action, r.signed])).toEqual([
      ["workflow_job", "queued", true],
      ["workflow_job", "in_progress", true],
      ["workflow_job", "completed", true],
    ]);
    expect(got[1]!.body.workflow_job).toMatchObject({ id: 200, run_id: 5, status: "in_progress", runner_name: "r", runner_group_name: "Default", steps: [{ status: "completed" }, { status: "completed" }, { status: "in_progress" }, { status: "in_progress" }] });
    expect(got[2]!.body).toMatchObject({ repository: { full_name: "acme/payments" }, installation: { id: 42 }, workflow_job: { status: "completed", conclusion: "success", runner_name: "r" } });
    // Each delivery has its own GUID, which the log keeps.
    expect(new Set(got.map((r) => r.guid)).size).toBe(3);
    expect(fake.state.deliveries.map((d) => d.guid)).toEqual(got.map((r) => r.guid));
  });

  it("logs each attempt in GitHub's hook-delivery shape, with the webhook's answer", async () => {
    const { fake } = await start();
    await fake.deliver("workflow_job", queued({ id: 201, labels: DEV }));
    receiver!.status.next = 503;
    await fake.deliver("workflow_job", queued({ id: 202, labels: DEV }));
    const [ok, failed] = fake.state.deliveries;
    expect(Object.keys(ok!).filter((k) => !["request", "response", "url", "jobId"].includes(k)).sort()).toEqual(ITEM_KEYS);
    expect(ok).toMatchObject({ event: "workflow_job", action: "queued", status: "OK", status_code: 202, redelivery: false, installation_id: 42, repository_id: 1, jobId: 201 });
    expect(ok!.delivered_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(failed).toMatchObject({ status: "Invalid HTTP Response: 503", status_code: 503, jobId: 202 });
    expect(failed!.id).toBeGreaterThan(ok!.id);
  });

  it("loses the delivery a fault names: logged as failed, never received, and the next one still goes", async () => {
    const { fake, token } = await start();
    fake.dropDelivery({ action: "in_progress", jobId: 203 });
    fake.actions.observeQueued(queued({ id: 203, labels: DEV }));
    await connected(github!, token, { name: "r", labels: DEV });
    await fake.actions.completeJob(203, { conclusion: "success" });
    await fake.actions.settled();
    expect(receiver!.received.map((r) => r.body.action)).toEqual(["completed"]);
    expect(fake.state.deliveries.map((d) => [d.action, d.status, d.status_code])).toEqual([
      ["in_progress", "failed to connect", 0],
      ["completed", "OK", 202],
    ]);
  });

  it("logs deliveries it could not send anywhere", async () => {
    github = await startGitHub();
    await github.fake.deliver("workflow_job", queued({ id: 204, labels: DEV }));
    expect(github.fake.state.deliveries).toMatchObject([{ status: "not sent: no webhook URL configured", status_code: 0 }]);
  });
});
