/**
 * Child process of the reconcile benchmark (reconcile.ts): dynalite on a loopback port, holding
 * Runway's table, with a table history it can be told to grow. It prints `port <n>`, then for each
 * `fill <from> <to>` line on stdin adds history items from … to - 1 and answers `filled <to>`.
 *
 * The history — what a stage's table holds beside the launches in flight: 60 % Slack threads, 35 %
 * settled launches, 5 % redelivery records — is loaded straight into dynalite's store, as a restore
 * would be, rather than by 100,000 PutItems over HTTP (minutes on a shared 2-core machine). None of
 * it carries the attention key, so no index entry is skipped; everything the benchmark measures
 * goes through the real SDK client. This leans on dynalite 4's store (`db.create`, `getItemDb`,
 * `createKey`); if those move, it says so.
 */
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { createRunwayTable } from "../../lib/local/runway-table.ts";
import { launchKey } from "../../lib/runners/ledger.ts";
import { queuedJob } from "../support/job-messages.ts";

export const TABLE = "runway-bench";

interface Store {
  getTable(name: string, cb: (error: Error | null, table: unknown) => void): void;
  getItemDb(name: string): { batch(ops: { type: "put"; key: string; value: unknown }[], cb: (error?: Error | null) => void): void };
}
const require = createRequire(import.meta.url);
const db = require("dynalite/db") as { create: (options: unknown) => Store; createKey?: (item: unknown, table: unknown) => string };
const createStore = db.create;
if (typeof createStore !== "function" || typeof db.createKey !== "function") throw new Error("dynalite's store layout changed (db.create, db.createKey): update test/bench/reconcile-table.ts's history loader");
let store: Store | undefined;
// dynalite makes its store inside `dynalite()`; keep a handle on it to load the history.
db.create = (options) => (store = createStore(options));
const server = (require("dynalite") as (options: unknown) => import("node:http").Server)({ createTableMs: 0, updateTableMs: 0 });
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as import("node:net").AddressInfo;
process.env.AWS_ACCESS_KEY_ID = "local";
process.env.AWS_SECRET_ACCESS_KEY = "local";
const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: "eu-west-1" });
await createRunwayTable(client, TABLE);
client.destroy();
const table = await new Promise<unknown>((resolve, reject) => store!.getTable(TABLE, (error, t) => (error ? reject(error) : resolve(t))));

/** A plain value as DynamoDB's wire format has it (what dynalite stores). */
function attributeValue(value: unknown): unknown {
  if (typeof value === "string") return { S: value };
  if (typeof value === "number") return { N: String(value) };
  if (typeof value === "boolean") return { BOOL: value };
  if (value === null) return { NULL: true };
  if (Array.isArray(value)) return { L: value.map(attributeValue) };
  return { M: Object.fromEntries(Object.entries(value as object).flatMap(([k, v]) => (v === undefined ? [] : [[k, attributeValue(v)]]))) };
}

const now = Date.now();
const expiresAt = Math.floor(now / 1000) + 30 * 86_400;
/** History item `i`: 60 % Slack threads, 35 % settled launches, 5 % redelivery records, each as its writer leaves it. */
function historyItem(i: number): Record<string, unknown> {
  const runId = 20_000_000_000 + i;
  if (i % 20 < 12) {
    const key = `run:acme/payments/${runId}`;
    return {
      pk: `thread#${key}`,
      type: "thread",
      key,
      channel: "C08ABCDEF12",
      ts: `${Math.floor(now / 1000) - i}.000${i % 1000}`,
      version: 6,
      status: "succeeded",
      subject: {
        kind: "run",
        run: { owner: "acme", repo: "payments", runId, runAttempt: 1, workflowName: "action-payments-dev-deploy", branch: "main", sha: "9f2c1e7b4a", htmlUrl: `https://github.com/acme/payments/actions/runs/${runId}` },
        jobs: { [String(i)]: { name: "deploy", status: "succeeded", buildId: `runway-runner:${randomUUID()}` } },
      },
      seen: ["run.queued", "job.launched", "job.started", "job.completed", "run.completed"].map((e) => `${key}@1/${e}`),
      failureAnnounced: false,
      shown: "4f1b7c0d2e9a8b3c6d5e4f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c",
      updatedAt: new Date(now).toISOString(),
      expiresAt,
    };
  }
  if (i % 20 < 19) {
    const token = randomUUID();
    const runnerName = `runway-dev-${i}-1-${token.slice(0, 8)}`;
    return {
      pk: launchKey(i, 1),
      kind: "launch",
      state: "finished",
      environment: "dev",
      jobId: i,
      runAttempt: 1,
      runId,
      repository: "acme/payments",
      token,
      fence: randomUUID(),
      runnerName,
      jitParameter: `/runway/bench/jit/dev/${token}`,
      request: queuedJob(i),
      attempts: 1,
      createdAt: now,
      updatedAt: now,
      leaseUntil: now,
      jitStoredAt: now,
      runnerId: i,
      buildId: `runway-runner-dev:${randomUUID()}`,
      launchedAt: now,
      readyAt: now,
      tookJobId: i,
      tookAt: now,
      ranOn: runnerName,
      conclusion: "success",
      failedSteps: [],
      finishedAt: now,
      jitDeletedAt: now,
      reason: "build SUCCEEDED",
      expiresAt,
    };
  }
  return { pk: `redelivered#${90_000_000_000 + i}`, kind: "redelivery", state: "redelivered", token: randomUUID(), deliveryId: 90_000_000_000 + i, leaseUntil: now, createdAt: now, expiresAt };
}

async function fill(from: number, to: number) {
  const items = store!.getItemDb(TABLE);
  for (let start = from; start < to; start += 1000) {
    const ops = Array.from({ length: Math.min(1000, to - start) }, (_, k) => {
      const value = (attributeValue(historyItem(start + k)) as { M: unknown }).M;
      return { type: "put" as const, key: db.createKey!(value, table), value };
    });
    await new Promise<void>((resolve, reject) => items.batch(ops, (error) => (error ? reject(error) : resolve())));
  }
}

console.log(`port ${port}`);
for await (const line of createInterface({ input: process.stdin })) {
  const [verb, from, to] = line.split(" ");
  if (verb !== "fill") continue;
  await fill(Number(from), Number(to));
  console.log(`filled ${to}`);
}
server.close();
