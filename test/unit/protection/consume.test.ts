/**
 * The protection function: every request ends answered or parked, never dropped. GitHub's callback
 * failing for a passing cause is retried with backoff (deciding again as of then); a cause a person
 * must fix parks the request at once, with the reason, and the run's thread hears of it.
 */
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_ATTEMPTS } from "../../../lib/protection/answer.ts";
import { consumeProtectionRequests, type ConsumeProtectionDeps } from "../../../lib/protection/consume.ts";
import type { ProtectionRequest } from "../../../lib/protection/request.ts";
import { parseNotification } from "../../../lib/notify/events.ts";
import { defaultEventId, runThreadKey } from "../../../lib/notify/event-keys.ts";
import type { RecordRetry } from "../../../lib/runners/visibility.ts";
import { protectionConfig, protectionRequest, SHA } from "../../support/protection.ts";
import { alarmsOk, httpError, stubGitHub } from "./support.ts";

const NOW = new Date("2026-12-08T10:00:00Z");
const request = protectionRequest({ repositoryUrl: "https://github.com/acme/api", installationId: 42, deploymentId: 77 }, NOW);

function record(body: unknown, receiveCount = 1, id = "m-1", group = "g-1"): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: String(receiveCount), MessageGroupId: group } as SQSRecord["attributes"],
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:runway-test-protection.fifo",
    awsRegion: "eu-west-1",
  };
}

function setup(options: { staging?: boolean; park?: ConsumeProtectionDeps["park"] } = {}) {
  const github = stubGitHub({ staging: options.staging === false ? [] : [{ id: 5, statuses: [{ state: "success", created_at: new Date(NOW.getTime() - 3_600_000).toISOString() }] }] });
  const notices: unknown[] = [];
  const parked: Array<{ body: string; reason: string }> = [];
  const retried: RecordRetry[] = [];
  const deps: ConsumeProtectionDeps = {
    config: protectionConfig(),
    now: () => NOW,
    github: async () => github.client as never,
    alarms: alarmsOk,
    notify: async (event) => void notices.push(event),
    park:
      options.park ??
      (async (r, reason) => {
        parked.push({ body: "body" in r ? r.body : JSON.stringify(r), reason });
      }),
    visibility: { retryAfter: async (retries) => void retried.push(...retries) },
    backoff: { random: () => 0 },
    log: () => undefined,
  };
  return { github, notices, parked, retried, deps, run: (...records: SQSRecord[]) => consumeProtectionRequests({ Records: records } as SQSEvent, deps) };
}

describe("answering a protection request", () => {
  it("approves through the run's callback, with the comment, and tells the run's thread in the environment's channel", async () => {
    const { github, notices, run } = setup();
    expect(await run(record(request))).toEqual({ batchItemFailures: [] });
    expect(github.reviews).toEqual([
      { owner: "acme", repo: "api", run_id: 9001, environment_name: "production", state: "approved", comment: expect.stringMatching(/^Runway approved the deployment of 0123456 to production: 0123456 succeeded in staging 1 h ago/) },
    ]);
    expect(notices).toHaveLength(1);
    const event = parseNotification({ ...(notices[0] as object), id: "x", at: NOW.toISOString(), thread: runThreadKey("acme/api", 9001) });
    expect(event).toMatchObject({
      type: "deploy.protection",
      channel: "#deploys-prd",
      run: { repository: "acme/api", runId: 9001, url: "https://github.com/acme/api/actions/runs/9001", sha: SHA, environment: "prd" },
      environment: "production",
      state: "approved",
      delivered: true,
      evidence: ["✓ 0123456 succeeded in staging 1 h ago (deployment 5)", "✓ alarms OK: shop-5xx OK", expect.stringMatching(/^✓ inside the deploy window/)],
    });
    expect(defaultEventId(notices[0] as never)).toBe("run:acme/api/9001/protection:production:77/approved");
  });

  it("rejects with the reason when a condition fails", async () => {
    const { github, notices, run } = setup({ staging: false });
    await run(record(request));
    expect(github.reviews[0]).toMatchObject({ state: "rejected", comment: expect.stringContaining("0123456 was never deployed to staging") });
    expect(notices[0]).toMatchObject({ state: "rejected", delivered: true, evidence: expect.arrayContaining(["✗ 0123456 was never deployed to staging: deploy it there first"]) });
  });

  it("retries a callback GitHub failed for a passing cause, after a backoff, and tells nobody yet", async () => {
    const { github, notices, parked, retried, run } = setup();
    github.failReviews.push(httpError(502, "Server Error"));
    expect(await run(record(request, 3))).toEqual({ batchItemFailures: [{ itemIdentifier: "m-1" }] });
    expect(retried.map((r) => r.seconds)).toEqual([4]); // 2 s doubled per receive, halved by jitter 0
    expect(github.reviews).toEqual([]);
    expect(notices).toEqual([]);
    expect(parked).toEqual([]);
  });

  it("waits as long as GitHub's rate limit asks", async () => {
    const { github, retried, run } = setup();
    github.failReviews.push(httpError(429, "API rate limit exceeded for installation.", { "retry-after": "90" }));
    await run(record(request));
    expect(retried[0]!.seconds).toBe(90);
  });

  it("retries GitHub's 'nothing pending' (a delivery can come before the rule is), and parks it once attempts run out", async () => {
    const { github, parked, notices, run } = setup();
    github.failReviews.push(httpError(422, "No pending custom deployment protection rule"), httpError(422, "No pending custom deployment protection rule"));
    expect((await run(record(request, 1))).batchItemFailures).toHaveLength(1);
    expect(await run(record(request, DEFAULT_MAX_ATTEMPTS))).toEqual({ batchItemFailures: [] });
    expect(parked).toEqual([{ body: JSON.stringify(request), reason: expect.stringMatching(/GitHub answered 422 .*it was answered already, the run was cancelled.*\(after 10 attempts\)$/) }]);
    expect(notices).toEqual([
      expect.objectContaining({ type: "deploy.protection", state: "approved", delivered: false, note: expect.stringContaining("parked in the protection dead-letter queue: once fixed, redrive it") }),
    ]);
    expect(defaultEventId(notices[0] as never)).toBe("run:acme/api/9001/protection:production:77/approved/undelivered");
  });

  it("parks at once, with GitHub's hint, what no retry can fix (a missing permission)", async () => {
    const { github, parked, notices, run } = setup();
    github.failReviews.push(httpError(403, "Resource not accessible by integration", { "x-accepted-github-permissions": "deployments=write" }));
    expect(await run(record(request, 1))).toEqual({ batchItemFailures: [] });
    expect(parked[0]!.reason).toContain("give the GitHub App the Deployments: Read and write permission");
    expect(parked[0]!.reason).toContain("(GitHub accepts: deployments=write)");
    expect(notices[0]).toMatchObject({ delivered: false, note: expect.stringContaining("Deployments: Read and write") });
  });

  it("decides again on each attempt: the retry answers as of its own moment", async () => {
    const { github, deps, run } = setup();
    github.failReviews.push(httpError(503, "Service Unavailable"));
    await run(record(request, 1));
    deps.alarms = async () => ({ name: "alarms", status: "fail", summary: "shop-5xx ALARM: shop-5xx is in ALARM" });
    await run(record(request, 2));
    expect(github.reviews).toEqual([expect.objectContaining({ state: "rejected" })]);
  });

  it("parks a record that is not a protection request rather than dropping it", async () => {
    const { parked, run } = setup();
    expect(await run(record("{not json"), record({ version: 1, environment: "" }, 1, "m-2", "g-2"))).toEqual({ batchItemFailures: [] });
    expect(parked.map((p) => p.reason)).toEqual([expect.stringContaining("not a protection request: (message)"), expect.stringContaining("not a protection request: deliveryId")]);
  });

  it("retries a record it could not park, so nothing is lost", async () => {
    const { github, run } = setup({ park: async () => Promise.reject(new Error("the dead-letter queue is down")) });
    github.failReviews.push(httpError(404, "Not Found"));
    expect(await run(record(request, 1))).toEqual({ batchItemFailures: [{ itemIdentifier: "m-1" }] });
  });

  it("keeps a group's order: a later request waits as long as the one retried before it", async () => {
    const { github, retried, run } = setup();
    github.failReviews.push(httpError(500, "Server Error"));
    const later = { ...request, deliveryId: "guid-2", deploymentId: 78 };
    const result = await run(record(request, 2, "m-1"), record(later, 1, "m-2"));
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["m-1", "m-2"]);
    expect(retried.map((r) => r.seconds)).toEqual([2, 2]);
    expect(github.reviews).toEqual([]);
  });
});
