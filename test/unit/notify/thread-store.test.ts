import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSubject } from "../../../lib/notify/thread-state.ts";
import { dynamoThreadStore, type ThreadRecord } from "../../../lib/notify/thread-store.ts";
import { event, run } from "../../support/notify/events.ts";
import { startLocalDynamo, type LocalDynamo } from "../../support/notify/dynamodb.ts";

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

const now = () => Math.floor(Date.now() / 1000);

function record(key: string, overrides: Partial<ThreadRecord> = {}): ThreadRecord {
  return {
    key,
    channel: "C00000001",
    ts: "1700000000.000001",
    version: 0,
    status: "queued",
    subject: newSubject(event({ type: "run.queued", run })),
    seen: [],
    failureAnnounced: false,
    shown: "digest",
    expiresAt: now() + 3600,
    ...overrides,
  };
}

describe("the DynamoDB thread store", () => {
  it("creates a thread once: a second creator learns it lost and reads the winner's", async () => {
    const store = dynamoThreadStore();
    expect(await store.create(record("run:acme/api/1"))).toBe(true);
    expect(await store.create(record("run:acme/api/1", { ts: "1700000000.000002" }))).toBe(false);
    expect(await store.get("run:acme/api/1")).toMatchObject({ ts: "1700000000.000001", channel: "C00000001", subject: { kind: "run" } });
  });

  it("saves only over the version it read, so a slow writer cannot undo a fast one", async () => {
    const store = dynamoThreadStore();
    await store.create(record("run:acme/api/2"));
    expect(await store.save(record("run:acme/api/2", { version: 1, status: "running" }), 0)).toBe(true);
    expect(await store.save(record("run:acme/api/2", { version: 1, status: "queued" }), 0)).toBe(false);
    expect((await store.get("run:acme/api/2"))?.status).toBe("running");
  });

  it("treats an expired thread as gone (TTL deletes late) and lets a new one replace it", async () => {
    const store = dynamoThreadStore();
    await store.create(record("run:acme/api/3", { expiresAt: now() - 10 }));
    expect(await store.get("run:acme/api/3")).toBeUndefined();
    expect(await store.create(record("run:acme/api/3", { ts: "1700000000.000009" }))).toBe(true);
    expect((await store.get("run:acme/api/3"))?.ts).toBe("1700000000.000009");
  });

  it("says which variable to set when the table is not configured", async () => {
    const saved = process.env.RUNWAY_TABLE;
    delete process.env.RUNWAY_TABLE;
    try {
      await expect(dynamoThreadStore().get("run:a/b/1")).rejects.toThrow(/RUNWAY_TABLE is not set/);
    } finally {
      process.env.RUNWAY_TABLE = saved;
    }
  });
});
