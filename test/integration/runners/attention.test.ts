/**
 * The reconciler reads what needs attention, not the table: against dynalite through the real SDK
 * client, a pass reads the launches the attention index lists (and the slot records), each
 * strongly consistently, and nothing of the Slack threads and settled launches beside them; items
 * written before the index are found by the sweep and marked; settled launches leave the index,
 * reopened ones come back; and the local table is the one serverless.yml declares.
 */
import { readFileSync } from "node:fs";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { GitHubJob } from "../../../lib/github/jobs.ts";
import { startLocalDynamo, type LocalDynamo } from "../../../lib/local/dynamodb.ts";
import { ATTENTION_INDEX, attentionKey, needsAttention } from "../../../lib/runners/attention.ts";
import { SWEEP_EVERY_MS, SWEEP_GRACE_MS, SWEEP_KEY } from "../../../lib/runners/attention-index.ts";
import { Ledger, launchKey } from "../../../lib/runners/ledger.ts";
import { reconcile, type BuildState, type ReconcileDeps } from "../../../lib/runners/reconcile.ts";
import { queuedJob } from "../../support/job-messages.ts";

const TABLE = "runway-attention";
const MIN = 60_000;
let dynamo: LocalDynamo;
let client: DynamoDBDocumentClient;
let clock = Date.parse("2026-12-01T09:00:00Z");
let ledger: Ledger;
/** Every command the ledger sent, with the keys it read (BatchGetItem) — what a pass costs. */
const sent: { command: string; keys: string[]; consistent?: boolean | undefined }[] = [];
/** What GitHub says of each job (default: queued) and CodeBuild of each build (default: running). */
const jobs = new Map<number, Partial<GitHubJob>>();
const builds = new Map<string, BuildState>();
const stopped: string[] = [];
const resent: number[] = [];
let deps: ReconcileDeps;
let nextJob = 70_000;
/** Items a test wrote, removed after it so the next starts from a table of its own making. */
const written: string[] = [];

beforeAll(async () => {
  dynamo = await startLocalDynamo(TABLE);
  const base = new DynamoDBClient({ endpoint: dynamo.endpoint, region: "eu-west-1" });
  client = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      // Whether it sees the document client's keys or the marshalled ones depends on the stack's order: read either.
      const input = args.input as { RequestItems?: Record<string, { Keys: { pk: string | { S: string } }[]; ConsistentRead?: boolean }> };
      const keys = input.RequestItems?.[TABLE]?.Keys.map((k) => (typeof k.pk === "string" ? k.pk : k.pk.S)) ?? [];
      sent.push({ command: String(context.commandName), keys, consistent: input.RequestItems?.[TABLE]?.ConsistentRead });
      return next(args);
    },
    { step: "initialize", name: "countLedgerCommands" },
  );
  ledger = new Ledger({ client, table: TABLE, now: () => clock });
  deps = {
    ledger,
    builds: {
      statuses: async (_target, ids) => new Map(ids.flatMap((id) => [[id, builds.get(id) ?? { status: "IN_PROGRESS", phase: "BUILD" }] as const])),
      stop: async (_target, id) => void stopped.push(id),
    },
    secrets: { put: async () => {}, remove: async () => {} },
    registry: { register: async () => ({ runnerId: 1, encodedJitConfig: "jit" }), unregister: async () => {} },
    jobs: { job: async ({ jobId }) => ({ id: jobId, runId: 1, runAttempt: 1, status: "queued", conclusion: null, runnerName: null, runnerId: null, ...jobs.get(jobId) }) },
    runners: { runner: async () => undefined },
    queue: { send: async (message) => void resent.push(message.job.id) },
    parking: { park: async () => {} },
    settings: { stuckAfterMs: 2 * MIN, idleMs: 10 * MIN, jitMaxAgeMs: 15 * MIN, onlineWithinMs: 30 * MIN, jitPrefix: "/runway/test/jit" },
  };
});
afterAll(async () => {
  client?.destroy();
  await dynamo?.close();
});
beforeEach(async () => {
  // Each test starts on a table that has been swept and is past the sweeps' grace: passes read the index alone.
  await client.send(new PutCommand({ TableName: TABLE, Item: { pk: SWEEP_KEY, kind: "sweep", firstSweepAt: clock - SWEEP_GRACE_MS, sweptAt: clock } }));
  sent.length = 0;
  resent.length = 0;
  stopped.length = 0;
});
afterEach(async () => {
  for (const pk of written.splice(0)) {
    await client.send(new DeleteCommand({ TableName: TABLE, Key: { pk } }));
    await ledger.releaseSlot("dev", pk);
  }
});

const item = async (pk: string) => (await client.send(new GetCommand({ TableName: TABLE, Key: { pk }, ConsistentRead: true }))).Item;
/** A launch claimed now through the ledger (so with its attention key), holding a slot. */
async function claimed() {
  const id = ++nextJob;
  const claim = await ledger.claim(queuedJob(id), { leaseMs: MIN, jitPrefix: "/runway/test/jit" });
  await ledger.acquireSlot("dev", 500, claim.record.pk);
  written.push(claim.record.pk);
  return { id, record: claim.record };
}
/** What the table also holds, none of it the reconciler's business: Slack threads and settled launches. Returns their keys. */
async function fillWithHistory(count: number): Promise<Set<string>> {
  const keys = new Set<string>();
  for (let i = 0; i < count; i++) {
    keys.add(`thread#run/acme/payments/${clock}-${i}`).add(launchKey(900_000 + i, 1));
    written.push(`thread#run/acme/payments/${clock}-${i}`, launchKey(900_000 + i, 1));
    await client.send(new PutCommand({ TableName: TABLE, Item: { pk: `thread#run/acme/payments/${clock}-${i}`, type: "thread", channel: "C1", ts: `${i}.000100`, expiresAt: 2_000_000_000 } }));
    await client.send(
      new PutCommand({ TableName: TABLE, Item: { pk: launchKey(900_000 + i, 1), kind: "launch", state: "finished", jitParameter: "/runway/test/jit/dev/x", jitDeletedAt: clock, expiresAt: 2_000_000_000 } }),
    );
  }
  return keys;
}
/** The commands of one operation (the document client's name or the low-level one). */
const readsOf = (operation: "BatchGet" | "Query" | "Scan") => sent.filter((s) => s.command.startsWith(operation));
const keysRead = () => new Set(readsOf("BatchGet").flatMap((s) => s.keys));

describe("the attention index", () => {
  it("is all a pass reads: the open launches and the slot records, not the threads and settled launches beside them", async () => {
    const history = await fillWithHistory(150);
    const open = [await claimed(), await claimed(), await claimed()];
    clock += 5 * MIN; // their leases ran out long enough ago: stuck
    sent.length = 0;

    const report = await reconcile(deps);

    expect(report.relaunched).toEqual(expect.arrayContaining(open.map((l) => l.record.pk)));
    expect(resent).toEqual(expect.arrayContaining(open.map((l) => l.id)));
    expect(readsOf("Scan")).toEqual([]);
    expect(readsOf("Query")).toHaveLength(4); // one per shard, each page of keys only
    const read = keysRead();
    for (const l of open) expect(read.has(l.record.pk)).toBe(true);
    expect(read.has("slots#dev")).toBe(true);
    expect([...read].filter((pk) => history.has(pk))).toEqual([]);
  });

  it("reads what it lists strongly consistently, in batches of at most 100 keys", async () => {
    for (let i = 0; i < 120; i++) await claimed();
    sent.length = 0;

    await reconcile(deps);

    const batches = readsOf("BatchGet");
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...batches.map((b) => b.keys.length))).toBeLessThanOrEqual(100);
    expect(batches.every((b) => b.consistent === true)).toBe(true);
    expect(keysRead().size).toBeGreaterThanOrEqual(121);
  });

  it("dismisses a launch once it is settled, and lists it again when it is reopened", async () => {
    const { id, record } = await claimed();
    await ledger.update(record, { state: "launched", buildId: `b-${id}`, launchedAt: clock });
    builds.set(`b-${id}`, { status: "SUCCEEDED" });
    jobs.set(id, { status: "completed", conclusion: "success" });

    const report = await reconcile(deps);

    expect(report.finished).toContain(record.pk);
    expect(report.secretsDeleted).toContain(record.pk);
    expect(await item(record.pk)).toMatchObject({ state: "finished", jitDeletedAt: clock });
    expect((await item(record.pk))!.attention).toBeUndefined();

    sent.length = 0;
    await reconcile(deps);
    expect(keysRead().has(record.pk)).toBe(false);

    // Caught running a foreign job, then begun again under a new token: listed again.
    const reopened = await ledger.reopen((await ledger.getByKey(record.pk))!, "/runway/test/jit");
    expect(reopened).toMatchObject({ state: "launching", attention: attentionKey(record.pk) });
    sent.length = 0;
    await reconcile(deps);
    expect(keysRead().has(record.pk)).toBe(true);
  });

  it("never takes an open launch or a slot record off the index, whatever the caller read", async () => {
    const { record } = await claimed();
    expect(await ledger.dismiss(record.pk)).toBe(false);
    expect(await ledger.dismiss("slots#dev")).toBe(false);
    expect(await ledger.dismiss("thread#never-listed")).toBe(false);
    expect((await item(record.pk))!.attention).toBe(attentionKey(record.pk));
    expect((await item("slots#dev"))!.attention).toBe(attentionKey("slots#dev"));
    expect(await item("thread#never-listed")).toBeUndefined(); // an UpdateItem that failed its condition created nothing
  });

  it("takes an item off exactly when needsAttention says it is settled (the condition DynamoDB evaluates agrees)", async () => {
    const cases: Record<string, unknown>[] = [
      { kind: "launch", state: "launching" },
      { kind: "launch", state: "waiting", jitParameter: "/p" },
      { kind: "launch", state: "launched", jitParameter: "/p", jitDeletedAt: 1 },
      { kind: "launch", state: "finished", jitParameter: "/p" },
      { kind: "launch", state: "failed", jitParameter: "/p" },
      { kind: "launch", state: "finished", jitParameter: "/p", jitDeletedAt: 1 },
      { kind: "launch", state: "failed" },
      { kind: "launch", state: "finished" },
      { kind: "slots", holders: new Set(["x"]) },
    ];
    for (const [i, fields] of cases.entries()) {
      const pk = `case#${i}`;
      await client.send(new PutCommand({ TableName: TABLE, Item: { pk, ...fields, attention: attentionKey(pk) } }));
      expect(await ledger.dismiss(pk), JSON.stringify(fields)).toBe(!needsAttention(fields));
      await client.send(new DeleteCommand({ TableName: TABLE, Key: { pk } }));
    }
  });
});

describe("the sweep, for items written without the key", () => {
  /** A launch as a release before the index wrote it: no attention key, stuck in launching. */
  async function legacyLaunch() {
    const id = ++nextJob;
    const pk = launchKey(id, 1);
    const request = queuedJob(id);
    await client.send(
      new PutCommand({
        TableName: TABLE,
        Item: { pk, kind: "launch", state: "launching", environment: "dev", jobId: id, runAttempt: 1, runId: 1, repository: "acme/payments", token: "t", fence: "f", runnerName: "r", request, attempts: 1, createdAt: clock - 10 * MIN, updatedAt: clock - 10 * MIN, leaseUntil: clock - 9 * MIN, expiresAt: 2_000_000_000 },
      }),
    );
    written.push(pk);
    return { id, pk };
  }

  it("finds them on the first pass on a table never swept, marks them, and acts on them", async () => {
    await client.send(new DeleteCommand({ TableName: TABLE, Key: { pk: SWEEP_KEY } }));
    const legacy = await legacyLaunch();

    const report = await reconcile(deps);

    expect(readsOf("Scan").length).toBeGreaterThanOrEqual(1);
    expect(report.relaunched).toContain(legacy.pk);
    expect(resent).toContain(legacy.id);
    expect((await item(legacy.pk))!.attention).toBe(attentionKey(legacy.pk));
    expect(await item(SWEEP_KEY)).toMatchObject({ firstSweepAt: clock, sweptAt: clock });
  });

  it("sweeps every pass for the grace after the first, then not for a day; what was written without the key meanwhile waits for that sweep", async () => {
    await client.send(new DeleteCommand({ TableName: TABLE, Key: { pk: SWEEP_KEY } }));
    const start = clock;
    const swept: boolean[] = [];
    for (const at of [0, 5 * MIN, SWEEP_GRACE_MS, SWEEP_GRACE_MS + MIN]) {
      clock = start + at;
      swept.push((await ledger.attention()).swept);
    }
    expect(swept).toEqual([true, true, true, false]);

    const late = await legacyLaunch();
    const report = await reconcile(deps);
    expect(report.relaunched).not.toContain(late.pk);
    expect(readsOf("Scan")).toHaveLength(3);

    clock = start + SWEEP_GRACE_MS + SWEEP_EVERY_MS;
    const daily = await reconcile(deps);
    expect(daily.relaunched).toContain(late.pk);
    expect((await item(late.pk))!.attention).toBe(attentionKey(late.pk));
  });
});

describe("the local table", () => {
  it("is the table serverless.yml declares: its attributes and its keys-only attention index", async () => {
    const yml = parse(readFileSync(new URL("../../../serverless.yml", import.meta.url), "utf8"), { logLevel: "silent" }) as {
      resources: ({ Resources?: Record<string, { Properties: Record<string, unknown> }> } | string)[];
    };
    const declared = yml.resources.flatMap((r) => (typeof r === "object" && r.Resources?.RunwayTable ? [r.Resources.RunwayTable.Properties] : []))[0]!;
    const { Table } = await new DynamoDBClient({ endpoint: dynamo.endpoint, region: "eu-west-1" }).send(new DescribeTableCommand({ TableName: TABLE }));

    const byName = (list: { AttributeName?: string }[]) => [...list].sort((a, b) => String(a.AttributeName).localeCompare(String(b.AttributeName)));
    expect(byName(Table!.AttributeDefinitions!)).toEqual(byName(declared.AttributeDefinitions as { AttributeName: string }[]));
    expect(Table!.KeySchema).toEqual(declared.KeySchema);
    const local = Table!.GlobalSecondaryIndexes!.map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection }));
    expect(local).toEqual(declared.GlobalSecondaryIndexes);
    expect(local[0]).toMatchObject({ IndexName: ATTENTION_INDEX, Projection: { ProjectionType: "KEYS_ONLY" } });
  });
});
