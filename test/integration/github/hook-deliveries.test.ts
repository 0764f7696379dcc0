/**
 * The App's webhook delivery log through Runway's own client (lib/github/deliveries.ts, the App's
 * JWT from lib/github/octokit.ts) against the local GitHub over real HTTP: pages newest first by
 * cursor, one delivery with its payload and the answer it got, and a redelivery that sends the
 * same body under the same guid as a new delivery.
 */
import { afterEach, describe, expect, it } from "vitest";
import { getDelivery, listDeliveries, redeliver, type HookDelivery } from "../../../lib/github/deliveries.ts";
import { appClient } from "../../../lib/github/octokit.ts";
import { installationToken, queued, startReceiver } from "./fake-actions.ts";
import { rejection, startGitHub, type GitHubHarness } from "./harness.ts";

let github: GitHubHarness | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterEach(async () => {
  await github?.fake.actions.settled();
  await github?.close();
  await receiver?.close();
  github = receiver = undefined;
});

const DEV = ["self-hosted", "runway-dev"];

async function start() {
  receiver = await startReceiver("hook-secret");
  github = await startGitHub({ webhook: { url: receiver.url, secret: "hook-secret" } });
  return github.fake;
}

describe("the App's webhook deliveries, through Runway's App client", () => {
  it("lists every delivery newest first, a page at a time by cursor", async () => {
    const fake = await start();
    for (const id of [301, 302, 303, 304, 305]) {
      receiver!.status.next = id === 303 ? 503 : 202;
      await fake.deliver("workflow_job", queued({ id, labels: DEV }));
    }
    const app = await appClient();
    const seen: HookDelivery[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listDeliveries(app, { perPage: 2, cursor });
      seen.push(...page.deliveries);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    const logged = fake.state.deliveries;
    expect(seen.map((d) => d.id)).toEqual(logged.map((d) => d.id).reverse());
    expect(seen.find((d) => d.id === logged[2]!.id)).toEqual({
      id: logged[2]!.id,
      guid: logged[2]!.guid,
      deliveredAt: Date.parse(logged[2]!.delivered_at),
      redelivery: false,
      statusCode: 503,
      status: "Invalid HTTP Response: 503",
      event: "workflow_job",
      action: "queued",
      installationId: 42,
      repositoryId: 1,
    });
    // Each call was the App's own (its JWT), answered 200.
    expect(fake.state.calls.filter((c) => c.route === "list-deliveries").map((c) => c.status)).toEqual([200, 200, 200]);
  });

  it("reads one delivery: the job it was about, and, as GitHub shows it, the request sent and the answer got", async () => {
    const fake = await start();
    receiver!.status.next = 503;
    const sent = await fake.deliver("workflow_job", queued({ id: 310, runId: 31, runAttempt: 2, labels: DEV }));
    const app = await appClient();
    const detail = await getDelivery(app, sent.id);
    expect(detail).toMatchObject({ id: sent.id, guid: sent.guid, statusCode: 503, action: "queued", job: { jobId: 310, runId: 31, runAttempt: 2, runnerName: undefined } });
    const { data } = await app.request("GET /app/hook/deliveries/{delivery_id}", { delivery_id: sent.id });
    expect(data.request.headers).toMatchObject({ "x-github-event": "workflow_job", "x-github-delivery": sent.guid, "x-hub-signature-256": expect.stringMatching(/^sha256=/) });
    expect(data.request.payload).toMatchObject({ action: "queued", workflow_job: { id: 310 } });
    expect(data.response).toMatchObject({ payload: "" });
    expect(data.url).toBe(receiver!.url);
    const missing = await rejection(() => getDelivery(app, 999_999));
    expect(missing).toMatchObject({ name: "GitHubApiError", status: 404, retryable: false });
  });

  it("redelivers: the same body under the same guid, as a new delivery marked redelivery", async () => {
    const fake = await start();
    receiver!.status.next = 503;
    const failed = await fake.deliver("workflow_job", queued({ id: 320, labels: DEV }));
    receiver!.status.next = 202;
    await redeliver(await appClient(), failed.id);
    await fake.actions.settled();
    const [, again] = fake.state.deliveries;
    expect(again).toMatchObject({ guid: failed.guid, redelivery: true, status: "OK", status_code: 202, jobId: 320 });
    expect(again!.id).toBeGreaterThan(failed.id);
    expect(receiver!.received.map((r) => [r.guid, r.signed, r.body.workflow_job.id])).toEqual([
      [failed.guid, true, 320],
      [failed.guid, true, 320],
    ]);
    expect(fake.state.calls.find((c) => c.route === "redeliver")).toMatchObject({ method: "POST", path: `/app/hook/deliveries/${failed.id}/attempts`, status: 202 });
  });

  it("answers only the App's JWT, and a rate limit as retryable", async () => {
    const fake = await start();
    const token = await installationToken(github!);
    const withToken = await fetch(`${github!.apiUrl}/app/hook/deliveries`, { headers: { authorization: `token ${token}` } });
    expect(withToken.status).toBe(401);
    // A secondary rate limit longer than the client waits inside a call: the run ends, retryable.
    fake.failures.add({ route: "list-deliveries", status: 403, retryAfter: 120 });
    const limited = await rejection(async () => listDeliveries(await appClient()));
    expect(limited).toMatchObject({ name: "GitHubRateLimitError", status: 403, retryable: true, retryAfterSeconds: 120 });
  });

  it("signs, sends and logs a delivery given by hand, and answers what the webhook answered", async () => {
    const fake = await start();
    receiver!.status.next = 503;
    const response = await fetch(`${github!.apiUrl}/_fake/deliveries`, { method: "POST", headers: { "x-github-event": "workflow_job" }, body: JSON.stringify(queued({ id: 330, labels: DEV })) });
    expect(response.status).toBe(503);
    expect(fake.state.deliveries).toMatchObject([{ jobId: 330, status_code: 503, guid: response.headers.get("x-github-delivery") }]);
    expect(receiver!.received).toMatchObject([{ signed: true, body: { workflow_job: { id: 330 } } }]);
    // Signed with another secret, as a webhook configured with the wrong one (`runway deliver --secret`).
    await fetch(`${github!.apiUrl}/_fake/deliveries`, { method: "POST", headers: { "x-runway-sign-with": "not-the-secret" }, body: JSON.stringify(queued({ id: 331, labels: DEV })) });
    expect(receiver!.received.map((r) => r.signed)).toEqual([true, false]);
    const notJson = await fetch(`${github!.apiUrl}/_fake/deliveries`, { method: "POST", body: "nope" });
    expect(notJson.status).toBe(400);
  });
});
