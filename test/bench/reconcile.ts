/**
 * Child process of the benchmark: what one reconciler pass costs as Runway's table grows. The
 * table (dynalite in a process of its own, reconcile-table.ts, reached through the real SDK client)
 * is grown to each size with what a stage's table really holds — mostly Slack threads and settled
 * launches, some redelivery records — beside the same few dozen launches in flight and their slot
 * records. Per size:
 *
 * - a pass on the attention index (the marker says the table was swept): wall time, median of
 *   several, and the read units DynamoDB would charge for it;
 * - a sweep pass (the first after the index is deployed, then one a day): an eventually consistent
 *   scan of the whole table for items without the key, and the index;
 * - what a pass read before the index: two strongly consistent scans for launches and one for slot
 *   records. A scan is charged for every item it evaluates, whatever its filter, and a strongly
 *   consistent read twice an eventually consistent one: so three times twice the sweep's scan
 *   (counted by that rule: dynalite would bill a strongly consistent scan as the other, below).
 *
 * Read units are what dynalite reports with ReturnConsumedCapacity, which follows DynamoDB's
 * published rules (a strongly consistent read unit per 4 KB, half for eventually consistent;
 * GetItem and each item of a BatchGetItem rounded up to 4 KB on its own; a Query's or Scan's page
 * summed, then rounded up). Where dynalite departs from them: it drops a Scan's `ConsistentRead`
 * (its Scan validation does not list the field), billing every scan as eventually consistent;
 * and it charges nothing for a Query that finds nothing, where DynamoDB charges at least half a
 * unit, so a Query is counted at no less. Writes results to argv[2].
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { SWEEP_GRACE_MS, SWEEP_KEY } from "../../lib/runners/attention-index.ts";
import { Ledger } from "../../lib/runners/ledger.ts";
import { reconcile, type ReconcileDeps } from "../../lib/runners/reconcile.ts";
import { queuedJob } from "../support/job-messages.ts";
import { median } from "./stats.ts";

// Local fakes only: never a real account's credentials.
process.env.AWS_ACCESS_KEY_ID = "local";
process.env.AWS_SECRET_ACCESS_KEY = "local";

const [out, sizesArg, runsArg] = process.argv.slice(2) as [string, string | undefined, string | undefined];
const SIZES = (sizesArg ?? "1000,10000,100000").split(",").map(Number);
const RUNS = Number(runsArg ?? 5);
const TABLE = "runway-bench"; // reconcile-table.ts creates it
/** Launches in flight: a third each launching, waiting at their environment's cap, and launched (their runners busy). */
const IN_FLIGHT = 36;
const DAY_MS = 24 * 60 * 60_000;

export interface ReconcileFigures {
  inFlight: number;
  sizes: {
    items: number;
    /** A pass on the index: median wall time, read units per pass, requests per pass. */
    index: { ms: number; readUnits: number; requests: number };
    /** A pass that sweeps (first after deploy, then daily); `scanMs` of it the scan's pages. */
    sweep: { ms: number; readUnits: number; scanMs: number; scanReadUnits: number; pages: number };
    /** What a pass read before the index: three strongly consistent scans, from the sweep's (see above). */
    before: { readUnits: number; pages: number };
  }[];
  fillMs: number;
}

// dynalite in its own process, so the server and this client each have a core.
const tableProcess = spawn(process.execPath, [fileURLToPath(new URL("./reconcile-table.ts", import.meta.url))], { stdio: ["pipe", "pipe", "inherit"] });
const answers = createInterface({ input: tableProcess.stdout! })[Symbol.asyncIterator]();
const answer = async (expected: string) => {
  const { value } = await answers.next();
  if (typeof value !== "string" || !value.startsWith(expected)) throw new Error(`reconcile-table.ts answered ${JSON.stringify(value)}, not "${expected} …"`);
  return value.slice(expected.length + 1);
};
const endpoint = `http://127.0.0.1:${await answer("port")}`;
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: "eu-west-1" }), { marshallOptions: { removeUndefinedValues: true } });

/** What the calls since the last reset cost: DynamoDB's own account of it, asked on every call. */
const meter = { readUnits: 0, requests: 0, scanMs: 0, scanReadUnits: 0, pages: 0 };
client.middlewareStack.add(
  (next, context) => async (args) => {
    (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = "TOTAL";
    const start = performance.now();
    const result = await next(args);
    const name = String(context.commandName);
    if (/^(Get|BatchGet|Query|Scan)/.test(name)) {
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
      const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      const charged = name.startsWith("Query") ? Math.max(units, 0.5) : units;
      meter.readUnits += charged;
      meter.requests++;
      if (name.startsWith("Scan")) {
        meter.scanMs += performance.now() - start;
        meter.scanReadUnits += charged;
        meter.pages++;
      }
    }
    return result;
  },
  { step: "initialize", name: "meterReadUnits" },
);

const ledger = new Ledger({ client, table: TABLE });
// Every port but the ledger answers in process: what is measured is the ledger's reads.
const deps: ReconcileDeps = {
  ledger,
  builds: { statuses: async (_target, ids) => new Map(ids.map((id) => [id, { status: "IN_PROGRESS", phase: "BUILD" }])), stop: async () => {} },
  secrets: { put: async () => {}, remove: async () => {} },
  registry: { register: async () => ({ runnerId: 1, encodedJitConfig: "x" }), unregister: async () => {} },
  jobs: { job: async ({ jobId }) => ({ id: jobId, runId: 1, runAttempt: 1, status: "queued", conclusion: null, runnerName: null, runnerId: null }) },
  runners: { runner: async () => undefined },
  queue: { send: async () => {} },
  parking: { park: async () => {} },
  settings: { stuckAfterMs: 2 * 60_000, idleMs: 10 * 60_000, jitMaxAgeMs: 15 * 60_000, jitPrefix: "/runway/bench/jit" },
};

/**
 * The launches in flight, through the ledger as the launcher writes them, in a state no pass
 * changes: launching under a live lease, waiting at the cap, launched with busy runners and their
 * JIT configs already deleted. So every pass reads the same and writes nothing.
 */
async function launchesInFlight() {
  const perState = IN_FLIGHT / 3;
  const environments = ["dev", "stg", "prd"];
  // Each environment's launched builds hold all its slots, so its waiting launches stay waiting.
  const concurrency = perState / environments.length;
  for (let i = 0; i < IN_FLIGHT; i++) {
    const jobId = 1_000_000 + i;
    const environment = environments[i % environments.length]!;
    const { record } = await ledger.claim(queuedJob(jobId, { environment, concurrency }), { leaseMs: DAY_MS, jitPrefix: "/runway/bench/jit" });
    if (i < perState) continue;
    if (i < 2 * perState) {
      await ledger.update(record, { state: "waiting", reason: "at its concurrency cap" });
      continue;
    }
    if (!(await ledger.acquireSlot(environment, concurrency, record.pk))) throw new Error(`bench setup: ${environment} has no slot left for ${record.pk}`);
    const at = Date.now();
    await ledger.update(record, { state: "launched", buildId: `runway-runner:${randomUUID()}`, launchedAt: at, runnerId: jobId, jitStoredAt: at, tookAt: at, tookJobId: jobId, jitDeletedAt: at });
  }
}

const measured = async (fn: () => Promise<unknown>) => {
  Object.assign(meter, { readUnits: 0, requests: 0, scanMs: 0, scanReadUnits: 0, pages: 0 });
  const start = performance.now();
  await fn();
  return { ...meter, ms: performance.now() - start };
};
const swept = () => client.send(new PutCommand({ TableName: TABLE, Item: { pk: SWEEP_KEY, kind: "sweep", firstSweepAt: Date.now() - 2 * SWEEP_GRACE_MS, sweptAt: Date.now() } }));

await launchesInFlight();
const figures: ReconcileFigures = { inFlight: IN_FLIGHT, sizes: [], fillMs: 0 };
let filled = 0;
for (const size of SIZES) {
  const fillStart = performance.now();
  tableProcess.stdin!.write(`fill ${filled} ${size}\n`);
  await answer("filled");
  figures.fillMs += performance.now() - fillStart;
  filled = size;

  await client.send(new DeleteCommand({ TableName: TABLE, Key: { pk: SWEEP_KEY } }));
  const sweep = await measured(() => reconcile(deps));
  await swept();
  const passes = [];
  for (let r = 0; r < RUNS; r++) passes.push(await measured(() => reconcile(deps)));
  figures.sizes.push({
    items: size + IN_FLIGHT,
    index: { ms: median(passes.map((p) => p.ms)), readUnits: median(passes.map((p) => p.readUnits)), requests: median(passes.map((p) => p.requests)) },
    sweep: { ms: sweep.ms, readUnits: sweep.readUnits, scanMs: sweep.scanMs, scanReadUnits: sweep.scanReadUnits, pages: sweep.pages },
    before: { readUnits: 3 * 2 * sweep.scanReadUnits, pages: 3 * sweep.pages },
  });
}

writeFileSync(out, JSON.stringify(figures));
client.destroy();
tableProcess.stdin!.end();
