/**
 * The webhook's side: a protection-rule delivery becomes one typed request on the protection
 * queue, or is acknowledged with the reason it cannot be answered; nothing waits on GitHub.
 */
import { describe, expect, it } from "vitest";
import { dispatch } from "../../../lib/github/dispatch.ts";
import type { Delivery } from "../../../lib/github/read-delivery.ts";
import type { ProtectionRequest } from "../../../lib/protection/request.ts";
import { QueueUnavailableError } from "../../../lib/jobs/job-queue.ts";
import { protectionConfig, protectionPayload, SHA } from "../../support/protection.ts";

const config = protectionConfig();
const now = () => new Date("2026-12-08T10:00:00Z");

async function deliver(payload: Record<string, unknown>, served: "all" | Set<string> = "all") {
  const sent: ProtectionRequest[] = [];
  const delivery: Delivery = { id: "guid-1", event: "deployment_protection_rule", action: typeof payload.action === "string" ? payload.action : undefined, payload, bytes: 100 };
  const outcome = await dispatch(delivery, { config, served, now, jobs: { send: async () => undefined }, protection: { send: async (r) => void sent.push(r) } });
  return { outcome, sent };
}

describe("a deployment_protection_rule delivery", () => {
  it("is queued as one request with what deciding and answering need, and answered 202 at once", async () => {
    const { outcome, sent } = await deliver(protectionPayload());
    expect(outcome.statusCode).toBe(202);
    expect(outcome.body).toMatchObject({ queued: true, environment: "production", runId: 9001 });
    expect(outcome.summary).toMatchObject({ decision: "queued", environment: "prd", repository: "acme/api" });
    expect(sent).toEqual([
      {
        version: 1,
        deliveryId: "guid-1",
        receivedAt: "2026-12-08T10:00:00.000Z",
        environment: "production",
        event: "push",
        sha: SHA,
        ref: "main",
        repository: "acme/api",
        owner: "acme",
        repo: "api",
        repositoryUrl: "https://github.com/acme/api",
        runId: 9001,
        callbackUrl: "https://api.github.com/repos/acme/api/actions/runs/9001/deployment_protection_rule",
        installationId: 42,
        deploymentId: 77,
        sender: "octocat",
      },
    ]);
  });

  it("takes the commit and ref from the deployment when the delivery has none at the top", async () => {
    const { sent } = await deliver(protectionPayload({ sha: undefined, ref: undefined }));
    expect(sent[0]).toMatchObject({ sha: SHA, ref: "main" });
  });

  it("queues an environment runway.yml has no rule for, to be rejected with that reason rather than left waiting", async () => {
    const { outcome, sent } = await deliver(protectionPayload({ environment: "qa" }));
    expect(sent).toHaveLength(1);
    expect(outcome.summary.reason).toContain("qa has no rule in runway.yml's protection: section");
  });

  it("leaves a rule of an environment this stage does not serve to the stage that does", async () => {
    const { outcome, sent } = await deliver(protectionPayload(), new Set(["stg"]));
    expect(sent).toEqual([]);
    expect(outcome.summary).toMatchObject({ decision: "ignored", reason: expect.stringContaining("the stage serving prd decides") });
  });

  it.each([
    ["no environment", { environment: undefined }, "names no environment"],
    ["no callback URL", { deployment_callback_url: undefined }, "has no deployment_callback_url"],
    ["a callback URL of another repository", { deployment_callback_url: "https://api.github.com/repos/evil/api/actions/runs/1/deployment_protection_rule" }, "is not GitHub's review URL of a run of acme/api"],
    ["a callback URL that is not a review URL", { deployment_callback_url: "https://example.com/hook" }, "is not GitHub's review URL"],
    ["no commit", { sha: undefined, deployment: {} }, "names no commit"],
    ["no repository", { repository: { name: "api" } }, "names no repository"],
    ["a run id that is not a number", { deployment_callback_url: "https://api.github.com/repos/acme/api/actions/runs/abc/deployment_protection_rule" }, "is not GitHub's review URL"],
  ])("with %s is acknowledged with the reason and nothing queued", async (_what, overrides, reason) => {
    const { outcome, sent } = await deliver(protectionPayload(overrides));
    expect(sent).toEqual([]);
    expect(outcome.statusCode).toBe(202);
    expect(outcome.summary).toMatchObject({ decision: "ignored", reason: expect.stringContaining(reason) });
  });

  it("needs nothing for another action, nor for a body that is not an object", async () => {
    expect((await deliver(protectionPayload({ action: "completed" }))).outcome.summary.reason).toContain("action completed needs nothing");
    const bare = await deliver({ action: "requested" });
    expect(bare.sent).toEqual([]);
    expect(bare.outcome.summary.decision).toBe("ignored");
  });

  it("is answered 503 (redeliver it) when the queue does not take it", async () => {
    const delivery: Delivery = { id: "guid-2", event: "deployment_protection_rule", action: "requested", payload: protectionPayload(), bytes: 100 };
    const refused = { send: async () => Promise.reject(new QueueUnavailableError("down")) };
    await expect(dispatch(delivery, { config, served: "all", jobs: { send: async () => undefined }, protection: refused })).rejects.toBeInstanceOf(QueueUnavailableError);
    const unset = process.env.RUNWAY_PROTECTION_QUEUE_URL;
    delete process.env.RUNWAY_PROTECTION_QUEUE_URL;
    await expect(dispatch(delivery, { config, served: "all", jobs: { send: async () => undefined } })).rejects.toThrow("RUNWAY_PROTECTION_QUEUE_URL is not set");
    if (unset !== undefined) process.env.RUNWAY_PROTECTION_QUEUE_URL = unset;
  });
});
