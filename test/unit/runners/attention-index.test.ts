/**
 * What dynalite cannot show: its index is never behind the table, its BatchGetItem leaves keys
 * unprocessed only past 1 MB, and a test table never fills a 1 MB page of keys. Here the real
 * document client is mocked (aws-sdk-client-mock) to answer as DynamoDB may: an index row for an
 * item that has since settled, a Query that pages, keys left unprocessed, no index at all.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { attentionKey } from "../../../lib/runners/attention.ts";
import { SWEEP_EVERY_MS, SWEEP_GRACE_MS, SWEEP_KEY, sweepDue } from "../../../lib/runners/attention-index.ts";
import { Ledger, launchKey } from "../../../lib/runners/ledger.ts";
import { reconcile, type ReconcileDeps } from "../../../lib/runners/reconcile.ts";
import { queuedJob } from "../../support/job-messages.ts";

const TABLE = "runway-unit";
const NOW = Date.parse("2026-12-01T09:00:00Z");
const ddb = mockClient(DynamoDBDocumentClient);
const ledger = new Ledger({ client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" })), table: TABLE, now: () => NOW });

/** A launch item as the table holds it. */
const launch = (jobId: number, fields: Record<string, unknown>) => ({
  pk: launchKey(jobId, 1),
  kind: "launch",
  environment: "dev",
  jobId,
  runAttempt: 1,
  token: "t",
  fence: "f",
  runnerName: `runway-dev-${jobId}-1-0123abcd`,
  request: queuedJob(jobId),
  createdAt: NOW - 60_000,
  leaseUntil: NOW + 60_000,
  attention: attentionKey(launchKey(jobId, 1)),
  ...fields,
});
/** The index lists `pks` (each under its own shard); the table answers `items` to a consistent BatchGetItem. */
function table(pks: string[], items: Record<string, unknown>[]) {
  ddb.on(GetCommand, { Key: { pk: SWEEP_KEY } }).resolves({ Item: { pk: SWEEP_KEY, firstSweepAt: NOW - 2 * SWEEP_GRACE_MS, sweptAt: NOW - 60_000 } });
  ddb.on(QueryCommand).callsFake(async (input: { ExpressionAttributeValues: { ":shard": string } }) => ({
    Items: pks.filter((pk) => attentionKey(pk) === input.ExpressionAttributeValues[":shard"]).map((pk) => ({ pk, attention: attentionKey(pk) })),
  }));
  ddb.on(BatchGetCommand).callsFake(async (input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => {
    const wanted = new Set(input.RequestItems[TABLE]!.Keys.map((k) => k.pk));
    return { Responses: { [TABLE]: items.filter((i) => wanted.has(String(i.pk))) } };
  });
}

beforeEach(() => ddb.reset());

describe("a reconciler pass on the attention index", () => {
  it("decides on the item as a consistent read finds it, not on the index row: a launch settled since it was listed is left alone and dismissed", async () => {
    const settled = launch(1, { state: "finished", buildId: "b-1", jitParameter: "/p", jitDeletedAt: NOW - 1000 });
    table([settled.pk], [settled]);
    ddb.on(UpdateCommand).resolves({});
    const stopped: string[] = [];
    const sent: number[] = [];
    const deps: ReconcileDeps = {
      ledger,
      builds: { statuses: async () => new Map([["b-1", { status: "IN_PROGRESS", phase: "BUILD" }]]), stop: async (_t, id) => void stopped.push(id) },
      secrets: { put: async () => {}, remove: async () => {} },
      registry: { register: async () => ({ runnerId: 1, encodedJitConfig: "x" }), unregister: async () => {} },
      jobs: { job: async ({ jobId }) => ({ id: jobId, runId: 1, runAttempt: 1, status: "queued", conclusion: null, runnerName: null, runnerId: null }) },
      runners: { runner: async () => undefined },
      queue: { send: async (m) => void sent.push(m.job.id) },
      parking: { park: async () => {} },
      settings: { stuckAfterMs: 0, idleMs: 0, jitMaxAgeMs: 0, onlineWithinMs: 0, jitPrefix: "/runway/test/jit" },
    };

    const report = await reconcile(deps);

    expect(Object.values(report).flat()).toEqual([]);
    expect(stopped).toEqual([]);
    expect(sent).toEqual([]);
    for (const call of ddb.commandCalls(BatchGetCommand)) expect(call.args[0].input.RequestItems![TABLE]!.ConsistentRead).toBe(true);
    // DynamoDB refuses a consistent read on a global secondary index (ValidationException).
    for (const call of ddb.commandCalls(QueryCommand)) expect(call.args[0].input.ConsistentRead).toBeUndefined();
    const dismissals = ddb.commandCalls(UpdateCommand).filter((c) => c.args[0].input.UpdateExpression === "REMOVE #attention");
    expect(dismissals.map((c) => c.args[0].input.Key)).toEqual([{ pk: settled.pk }]);
    expect(dismissals[0]!.args[0].input.ConditionExpression).toMatch(/^attribute_exists\(#attention\) AND NOT /);
  });

  it("pages through each shard of the index until DynamoDB gives no LastEvaluatedKey", async () => {
    const [a, b] = [launch(2, { state: "launching" }), launch(3, { state: "launching" })];
    table([], [a, b]);
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ":shard": "attention#0" } })
      .resolvesOnce({ Items: [{ pk: a.pk }], LastEvaluatedKey: { pk: a.pk, attention: "attention#0" } })
      .resolvesOnce({ Items: [{ pk: b.pk }] });

    const { launches } = await ledger.attention();

    expect(launches.map((l) => l.pk)).toEqual([a.pk, b.pk]);
    const shard0 = ddb.commandCalls(QueryCommand).filter((c) => c.args[0].input.ExpressionAttributeValues![":shard"] === "attention#0");
    expect(shard0.map((c) => c.args[0].input.ExclusiveStartKey)).toEqual([undefined, { pk: a.pk, attention: "attention#0" }]);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(5); // shards 1-3 once each, shard 0 twice
  });

  it("reads again the keys DynamoDB left unprocessed, and says so when it keeps leaving them", async () => {
    const [a, b] = [launch(4, { state: "waiting" }), launch(5, { state: "waiting" })];
    table([a.pk, b.pk], []);
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { [TABLE]: [a] }, UnprocessedKeys: { [TABLE]: { Keys: [{ pk: b.pk }], ConsistentRead: true } } })
      .resolves({ Responses: { [TABLE]: [b] } });

    expect((await ledger.attention()).launches.map((l) => l.pk).sort()).toEqual([a.pk, b.pk].sort());
    expect(ddb.commandCalls(BatchGetCommand)[1]!.args[0].input.RequestItems![TABLE]!.Keys).toEqual([{ pk: b.pk }]);

    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: { Keys: [{ pk: a.pk }] } } });
    await expect(ledger.launchesAt([a.pk])).rejects.toThrow(/left 1 ledger reads unprocessed after 6 rounds of BatchGetItem on runway-unit \(is the table throttled\?\)/);
  }, 10_000);

  it("says what to deploy when the table has no attention index yet", async () => {
    table([], []);
    ddb.on(QueryCommand).rejects(Object.assign(new Error("The table does not have the specified index: attention"), { name: "ValidationException" }));
    await expect(ledger.attention()).rejects.toThrow("the ledger table runway-unit has no attention index: deploy serverless.yml's RunwayTable (it adds the index) with this release");
  });
});

describe("sweepDue", () => {
  it("sweeps a table never swept, every pass for the grace after the first sweep, then once a day", () => {
    const first = NOW;
    expect(sweepDue(undefined, NOW)).toBe(true);
    expect(sweepDue({ firstSweepAt: first, sweptAt: first }, first + 60_000)).toBe(true);
    expect(sweepDue({ firstSweepAt: first, sweptAt: first + SWEEP_GRACE_MS - 1 }, first + SWEEP_GRACE_MS)).toBe(true);
    expect(sweepDue({ firstSweepAt: first, sweptAt: first + SWEEP_GRACE_MS }, first + SWEEP_GRACE_MS + 60_000)).toBe(false);
    expect(sweepDue({ firstSweepAt: first, sweptAt: first + SWEEP_GRACE_MS }, first + SWEEP_GRACE_MS + SWEEP_EVERY_MS - 1)).toBe(false);
    expect(sweepDue({ firstSweepAt: first, sweptAt: first + SWEEP_GRACE_MS }, first + SWEEP_GRACE_MS + SWEEP_EVERY_MS)).toBe(true);
  });
});
