/**
 * Runway as a GitHub custom deployment protection rule, end to end on the local stack: the GitHub
 * fake sends a signed `deployment_protection_rule` delivery to the real webhook handler, which
 * queues it; the protection function decides from GitHub's deployments (the real Octokit client,
 * over HTTP) and CloudWatch's alarms (the emulator), answers through the fake's
 * `deployment_callback_url`, and the decision is a reply in the run's Slack thread. A callback that
 * fails is retried; one that cannot succeed is parked, and a replay of it answers.
 */
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqsClient } from "../../../lib/aws/sqs.ts";
import { deploymentsOf, type FakeDeployments } from "../../../lib/local/github-fake/deployments.ts";
import { PROTECTION_DLQ, startLocalStack, type LocalStack } from "../../../lib/local/stack.ts";
import { protectionYaml } from "../../support/protection.ts";
import { writeConfig } from "../local-stack/temp-config.ts";

const SHA = "c0ffee0123456789c0ffee0123456789c0ffee01";

const config = writeConfig(
  protectionYaml(`      validatedIn: [{ environment: staging, soak: 30m }]
      alarms: [shop-5xx]
      window: { timeZone: Europe/Berlin, hours: "00:00-24:00" }`),
);

let stack: LocalStack;
let store: FakeDeployments;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, config: config.file, stage: "local", webhookSecret: "protection-secret", print: () => {}, simulateRunners: false, reconcileEveryMs: 3_600_000, redeliverEveryMs: 3_600_000 });
  store = deploymentsOf(stack.github.state);
});
afterAll(async () => {
  await stack?.stop();
  config.remove();
});

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

/** A run waiting on production with `sha`, the delivery sent; resolves with the webhook's answer. */
async function waitOnProduction(runId: number, sha = SHA) {
  const { payload } = store.requestGate({ owner: "acme", repo: "api", runId, environment: "production", sha, apiUrl: `${stack.url}/github/api` });
  const delivery = await stack.github.deliver("deployment_protection_rule", payload);
  return delivery;
}

const reviewsOf = (runId: number) => store.reviews.filter((r) => r.runId === runId);
const threadOf = (runId: number) => stack.slack.threads().find((t) => JSON.stringify(t.parent.blocks).includes(`/actions/runs/${runId}`));
const replies = (runId: number) => threadOf(runId)?.replies ?? [];

describe("a deployment protection rule", () => {
  it("approves a commit validated in staging with its alarm OK, through GitHub's callback, and says so in the run's thread", async () => {
    stack.cloudwatch.putAlarm("shop-5xx", "OK");
    store.addDeployment({ owner: "acme", repo: "api", sha: SHA, environment: "staging", createdAt: hoursAgo(3), statuses: [{ state: "in_progress", at: hoursAgo(3) }, { state: "success", at: hoursAgo(2) }] });

    const delivery = await waitOnProduction(9001);
    expect(delivery.status_code).toBe(202);

    await expect.poll(() => reviewsOf(9001), { timeout: 15_000 }).toHaveLength(1);
    expect(reviewsOf(9001)[0]).toMatchObject({
      environment: "production",
      state: "approved",
      installationId: 42,
      comment: expect.stringMatching(/^Runway approved the deployment of c0ffee0 to production: c0ffee0 succeeded in staging 2 h ago \(deployment \d+\); alarms OK: shop-5xx OK; inside the deploy window/),
    });
    expect(store.gatesOf("acme", "api", 9001)[0]!.state).toBe("approved");

    await expect.poll(() => replies(9001).map((r) => r.text), { timeout: 15_000 }).toContain("Deployment to production approved by Runway's protection rule");
    expect(threadOf(9001)?.channelName).toBe("#deploys-prd");
  }, 40_000);

  it("rejects a commit whose alarm is in ALARM, with the reason GitHub shows, in the thread too", async () => {
    stack.cloudwatch.putAlarm("shop-5xx", "ALARM");
    await waitOnProduction(9002);
    await expect.poll(() => reviewsOf(9002), { timeout: 15_000 }).toHaveLength(1);
    expect(reviewsOf(9002)[0]).toMatchObject({ state: "rejected", comment: expect.stringMatching(/^Runway rejected the deployment of c0ffee0 to production: shop-5xx ALARM: shop-5xx is in ALARM\. Held: c0ffee0 succeeded in staging/) });
    await expect.poll(() => JSON.stringify(replies(9002)), { timeout: 15_000 }).toContain("shop-5xx is in ALARM");
    stack.cloudwatch.putAlarm("shop-5xx", "OK");
  }, 40_000);

  it("rejects a commit never deployed to staging, and one that succeeded there too recently", async () => {
    await waitOnProduction(9003, "dead0000dead0000dead0000dead0000dead0000");
    store.addDeployment({ owner: "acme", repo: "api", sha: "beef0000beef0000beef0000beef0000beef0000", environment: "staging", statuses: [{ state: "success", at: new Date() }] });
    await waitOnProduction(9004, "beef0000beef0000beef0000beef0000beef0000");
    await expect.poll(() => reviewsOf(9003).length + reviewsOf(9004).length, { timeout: 15_000 }).toBe(2);
    expect(reviewsOf(9003)[0]!.comment).toContain("dead000 was never deployed to staging: deploy it there first");
    expect(reviewsOf(9004)[0]!.comment).toMatch(/beef000 succeeded in staging only \d+ s ago \(deployment \d+\); the rule wants 30 min there first: re-run this job in 30 min/);
  }, 40_000);

  it("acknowledges a partial delivery with the reason, and answers nothing", async () => {
    const { payload } = store.requestGate({ owner: "acme", repo: "api", runId: 9005, environment: "production", sha: SHA, apiUrl: `${stack.url}/github/api` });
    const delivery = await stack.github.deliver("deployment_protection_rule", { ...payload, deployment_callback_url: undefined });
    expect(delivery.status_code).toBe(202);
    expect(delivery.response.payload).toContain("has no deployment_callback_url");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(reviewsOf(9005)).toEqual([]);
  });

  it("retries a callback GitHub refused for a passing cause, answering once", async () => {
    stack.github.failures.add({ route: "review-protection-rule", status: 422, times: 1 });
    await waitOnProduction(9006);
    await expect.poll(() => reviewsOf(9006), { timeout: 20_000 }).toHaveLength(1);
    expect(reviewsOf(9006)[0]!.state).toBe("approved");
    const calls = stack.github.state.calls.filter((c) => c.route === "review-protection-rule" && c.path.includes("/9006/"));
    expect(calls.map((c) => c.status)).toEqual([422, 204]);
  }, 40_000);

  it("parks a request it cannot answer (no Deployments permission), tells the thread, and a replay once fixed answers it", async () => {
    const installation = stack.github.state.installations[0]!;
    installation.permissions = { administration: "write", actions: "read", metadata: "read" };
    try {
      await waitOnProduction(9007);
      await expect.poll(() => stack.sqs.messages(PROTECTION_DLQ).length, { timeout: 15_000 }).toBe(1);
    } finally {
      delete installation.permissions;
    }
    const parked = stack.sqs.messages(PROTECTION_DLQ)[0]!;
    expect(parked.messageAttributes.reason?.StringValue).toContain("give the GitHub App the Deployments: Read and write permission");
    expect(reviewsOf(9007)).toEqual([]);
    await expect.poll(() => JSON.stringify(replies(9007)), { timeout: 15_000 }).toContain("did not reach GitHub");

    // What an operator's redrive does: the parked request back on the protection queue.
    await sqsClient().send(new SendMessageCommand({ QueueUrl: process.env.RUNWAY_PROTECTION_QUEUE_URL, MessageBody: parked.body, MessageGroupId: "replay", MessageDeduplicationId: "replay-9007" }));
    await expect.poll(() => reviewsOf(9007), { timeout: 15_000 }).toHaveLength(1);
    expect(reviewsOf(9007)[0]!.state).toBe("approved");
  }, 60_000);
});
