/**
 * A protection rule's verdict counts once GitHub has taken it: approved as HookSucceeded, rejected
 * as HookFailed. A request retried or parked has told the job nothing, and counts nothing.
 */
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import { metrics } from "../../../lib/observability/metrics.ts";
import { consumeProtectionRequests, type ConsumeProtectionDeps } from "../../../lib/protection/consume.ts";
import type { ProtectionRequest } from "../../../lib/protection/request.ts";
import { flushedFigures } from "../../support/emf.ts";
import { protectionConfig, protectionRequest } from "../../support/protection.ts";
import { alarmsOk, httpError, stubGitHub } from "./support.ts";

const NOW = new Date("2026-12-08T10:00:00Z");
const request = protectionRequest({ repositoryUrl: "https://github.com/acme/api", installationId: 42, deploymentId: 77 }, NOW);

const record = (receiveCount = 1): SQSRecord =>
  ({ messageId: "m-1", receiptHandle: "rh-1", body: JSON.stringify(request), attributes: { ApproximateReceiveCount: String(receiveCount), MessageGroupId: "g-1" } }) as SQSRecord;

/** The consumer against a GitHub kept in memory; `staged` says whether the commit succeeded in staging (the rule's condition). */
function consumer(staged: boolean) {
  const github = stubGitHub({ staging: staged ? [{ id: 5, statuses: [{ state: "success", created_at: new Date(NOW.getTime() - 3_600_000).toISOString() }] }] : [] });
  const deps: ConsumeProtectionDeps = {
    config: protectionConfig(),
    now: () => NOW,
    github: async () => github.client as never,
    alarms: alarmsOk,
    notify: async () => undefined,
    park: async () => undefined,
    visibility: { retryAfter: async () => undefined },
    backoff: { random: () => 0 },
    log: () => undefined,
  };
  return { github, run: (r: SQSRecord) => consumeProtectionRequests({ Records: [r] } as SQSEvent, deps) };
}

beforeEach(() => metrics.clearMetrics());

describe("a protection rule's verdict metric", () => {
  it("counts an approval GitHub took as HookSucceeded", async () => {
    const { github, run } = consumer(true);
    await run(record());
    expect(github.reviews[0]).toMatchObject({ state: "approved" });
    expect(flushedFigures()).toEqual({ HookSucceeded: { unit: "Count", values: [1] } });
  });

  it("counts a rejection GitHub took as HookFailed", async () => {
    const { github, run } = consumer(false);
    await run(record());
    expect(github.reviews[0]).toMatchObject({ state: "rejected" });
    expect(flushedFigures()).toEqual({ HookFailed: { unit: "Count", values: [1] } });
  });

  it("counts nothing for an answer GitHub did not take, retried or parked", async () => {
    const { github, run } = consumer(true);
    github.failReviews.push(httpError(502, "Server Error"), httpError(403, "Resource not accessible by integration"));
    expect((await run(record())).batchItemFailures).toHaveLength(1); // retried
    expect((await run(record(2))).batchItemFailures).toEqual([]); // parked
    expect(github.reviews).toEqual([]);
    expect(flushedFigures()).toEqual({});
  });
});
