/**
 * The ledger of launches: one DynamoDB item per (job id, run attempt), written only with
 * conditional writes, so that "at most one runner build per job attempt" holds under redelivery,
 * concurrent duplicates, retries and crashes.
 *
 * A launch is *claimed* by a conditional put that only one worker can win. The claim carries a
 * token (reused as CodeBuild's idempotency token and in the runner's name) and a lease: a worker
 * that crashes mid-launch leaves a lease that expires, and the next worker takes the launch over
 * with the same token — so a `StartBuild` retried within CodeBuild's five-minute idempotency window
 * returns the build the crashed worker started instead of a second one. Each claim and takeover
 * also draws a new *fence*: every write a worker makes is conditioned on its fence, so a worker
 * that stalled past its lease (rather than crashed) finds its late writes refused.
 *
 * States: launching → launched (build id) → finished; launching → waiting (the environment is at
 * its concurrency cap; the reconciler re-queues it) → launching; launching → failed (a permanent
 * error, parked in the dead-letter queue).
 *
 * Every write that opens a launch, and every slot record, carries the attention index's key
 * (attention.ts): the reconciler reads what is listed there instead of scanning the table.
 */
import { randomUUID } from "node:crypto";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { attentionKey } from "./attention.ts";
import { AttentionIndex } from "./attention-index.ts";
import type { JobMessage } from "../jobs/job-message.ts";
import { jitParameterName, launchKey, launchKeyOfRunner, runnerNameFor } from "../jobs/runner-name.ts";

export { environmentOfRunner, jitParameterName, launchKey, launchKeyOfRunner, runnerNameFor } from "../jobs/runner-name.ts";

export type LaunchState = "launching" | "waiting" | "launched" | "failed" | "finished";

export interface LaunchRecord {
  pk: string;
  kind: "launch";
  state: LaunchState;
  environment: string;
  jobId: number;
  runAttempt: number;
  runId: number;
  repository: string;
  /** Unique per claim: CodeBuild idempotency token, JIT parameter name, runner name suffix. */
  token: string;
  /** New on every claim and takeover: the holder's writes are conditioned on it. */
  fence: string;
  runnerName: string;
  /** The queue message that asked for the launch: what a relaunch or a replay sends again. */
  request: JobMessage;
  attempts: number;
  createdAt: number;
  updatedAt: number;
  leaseUntil: number;
  jitParameter?: string;
  /** When the JIT config was written to `jitParameter` (absent: nothing is stored there yet). */
  jitStoredAt?: number;
  runnerId?: number;
  buildId?: string;
  launchedAt?: number;
  /** When GitHub was first seen reporting this launch's runner online: its idle window starts here. */
  readyAt?: number;
  reason?: string;
  /** How many times the launch was begun again (its runner was lost to another job, or its build ended without taking the job). */
  relaunches?: number;
  /** A job of another run or environment (or one Runway ignored) that this launch's runner took. */
  foreignJobId?: number;
  /** Which job this launch's runner took (from `in_progress`), and when. */
  tookJobId?: number;
  tookAt?: number;
  /** How the job this launch was for ended (from `completed`). */
  conclusion?: string;
  failedSteps?: string[];
  /** The runner that ran this launch's job (it may be another launch's runner of the same run). */
  ranOn?: string;
  finishedAt?: number;
  jitDeletedAt?: number;
  /** Epoch seconds: DynamoDB's time-to-live removes the item after this. */
  expiresAt: number;
  /** The attention index's key (attention.ts): present while the reconciler has work on the launch. */
  attention?: string;
}

/** What a reconciler pass starts from: everything the attention index lists, read consistently. */
export interface Attention {
  /** Every launch listed, as it is now: open ones, and settled ones not yet dismissed. */
  launches: LaunchRecord[];
  /** The slot records' keys (read again with `slotsAt` once the pass has freed what it frees). */
  slots: string[];
  /** Whether this pass also swept the table for items the index does not list (attention-index.ts). */
  swept: boolean;
}

export type Claim =
  | { outcome: "claimed"; record: LaunchRecord }
  /** Taken over more often than `maxAttempts`: park it rather than try for ever. */
  | { outcome: "exhausted"; record: LaunchRecord }
  | { outcome: "taken-over"; record: LaunchRecord }
  | { outcome: "duplicate"; record: LaunchRecord }
  | { outcome: "busy"; record: LaunchRecord };

/** Another worker owns the launch, or the lease this worker held was taken over. */
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

const DAY_MS = 24 * 60 * 60 * 1000;
const KEEP_MS = 7 * DAY_MS;

const SLOTS_PREFIX = "slots#";
const slotsKey = (environment: string) => `${SLOTS_PREFIX}${environment}`;

export interface LedgerOptions {
  client: DynamoDBDocumentClient;
  table: string;
  now?: () => number;
}

export class Ledger {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => number;
  readonly #attention: AttentionIndex;

  constructor(options: LedgerOptions) {
    this.#client = options.client;
    this.#table = options.table;
    this.#now = options.now ?? Date.now;
    this.#attention = new AttentionIndex({ client: this.#client, table: this.#table, now: () => this.#now() });
  }

  now(): number {
    return this.#now();
  }

  async get(jobId: number, runAttempt: number): Promise<LaunchRecord | undefined> {
    return this.getByKey(launchKey(jobId, runAttempt));
  }

  async getByKey(pk: string): Promise<LaunchRecord | undefined> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#table, Key: { pk }, ConsistentRead: true }));
    return Item as LaunchRecord | undefined;
  }

  /**
   * Claim the launch for `request`: the first claim wins; a launch whose lease expired (its worker
   * crashed, or a waiting launch that is re-queued) is taken over with its token; anything else is
   * a duplicate (already launched, finished or parked) or busy (another worker holds the lease).
   */
  async claim(request: JobMessage, options: { leaseMs: number; jitPrefix: string; maxAttempts?: number | undefined }): Promise<Claim> {
    const { leaseMs } = options;
    const now = this.#now();
    const { id: jobId, runAttempt } = request.job;
    const token = randomUUID();
    const record: LaunchRecord = {
      pk: launchKey(jobId, runAttempt),
      kind: "launch",
      state: "launching",
      environment: request.environment,
      jobId,
      runAttempt,
      runId: request.job.runId,
      repository: request.job.repository,
      token,
      fence: randomUUID(),
      runnerName: runnerNameFor(request.environment, jobId, runAttempt, token),
      // Named before anything is stored there, so the reconciler can always clean it up.
      // Under the environment's own path: each environment's runner role reads only its own.
      jitParameter: jitParameterName(options.jitPrefix, request.environment, token),
      request,
      attempts: 1,
      createdAt: now,
      updatedAt: now,
      leaseUntil: now + leaseMs,
      expiresAt: Math.floor((now + KEEP_MS) / 1000),
      attention: attentionKey(launchKey(jobId, runAttempt)),
    };
    try {
      await this.#client.send(new PutCommand({ TableName: this.#table, Item: record, ConditionExpression: "attribute_not_exists(pk)" }));
      return { outcome: "claimed", record };
    } catch (error) {
      if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
    }
    const existing = (await this.getByKey(record.pk))!;
    if (existing.state === "launched" || existing.state === "finished" || existing.state === "failed") return { outcome: "duplicate", record: existing };
    if (existing.state === "launching" && existing.leaseUntil > now) return { outcome: "busy", record: existing };
    if (options.maxAttempts !== undefined && existing.attempts >= options.maxAttempts) return { outcome: "exhausted", record: existing };
    // A crashed worker's launch, or a waiting launch given another try: take it over, same token,
    // new fence (the previous holder may only have stalled, and must not write after us).
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: record.pk },
          // The attention key too: a launch claimed by a release before the index has none.
          UpdateExpression: "SET #state = :launching, leaseUntil = :lease, updatedAt = :now, attempts = attempts + :one, fence = :fence, attention = :attention REMOVE reason",
          ConditionExpression: "#state = :seen AND leaseUntil = :seenLease",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: {
            ":launching": "launching",
            ":lease": now + leaseMs,
            ":now": now,
            ":one": 1,
            ":fence": randomUUID(),
            ":attention": attentionKey(record.pk),
            ":seen": existing.state,
            ":seenLease": existing.leaseUntil,
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return { outcome: "taken-over", record: Attributes as LaunchRecord };
    } catch (error) {
      if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
      return { outcome: "busy", record: (await this.getByKey(record.pk))! };
    }
  }

  /**
   * Update a launch this worker holds (same fence, still launching); throws LeaseLostError if it
   * no longer does, so a worker that stalled past its lease never overwrites its successor.
   */
  async update(record: LaunchRecord, changes: Partial<LaunchRecord>, options: { leaseMs?: number } = {}): Promise<LaunchRecord> {
    const now = this.#now();
    const set = setClause({ ...changes, updatedAt: now, ...(options.leaseMs === undefined ? {} : { leaseUntil: now + options.leaseMs }) });
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: record.pk },
          UpdateExpression: set.expression,
          ConditionExpression: "#fence = :fence AND #state = :launching",
          ExpressionAttributeNames: { ...set.names, "#fence": "fence", "#state": "state" },
          ExpressionAttributeValues: { ...set.values, ":fence": record.fence, ":launching": "launching" },
          ReturnValues: "ALL_NEW",
        }),
      );
      return Attributes as LaunchRecord;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") {
        throw new LeaseLostError(`launch ${record.pk} is no longer held by this worker (another took it over)`, { cause: error });
      }
      throw error;
    }
  }

  /** Set fields on a launch whatever its state (job lifecycle events, the reconciler). */
  async annotate(
    pk: string,
    changes: Record<string, unknown>,
    condition?: { expression: string; values: Record<string, unknown> },
    names: Record<string, string> = {},
  ): Promise<LaunchRecord | undefined> {
    const set = setClause({ ...changes, updatedAt: this.#now() });
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk },
          UpdateExpression: set.expression,
          ConditionExpression: ["attribute_exists(pk)", condition?.expression].filter(Boolean).join(" AND "),
          ExpressionAttributeNames: { ...set.names, ...(condition?.expression.includes("#state") ? { "#state": "state" } : {}), ...names },
          ExpressionAttributeValues: { ...set.values, ...condition?.values },
          ReturnValues: "ALL_NEW",
        }),
      );
      return Attributes as LaunchRecord;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return undefined;
      throw error;
    }
  }

  /** The launch whose runner this is (its name carries the launch's key and token). */
  async launchForRunner(runnerName: string): Promise<LaunchRecord | undefined> {
    const pk = launchKeyOfRunner(runnerName);
    const launch = pk ? await this.getByKey(pk) : undefined;
    return launch?.runnerName === runnerName ? launch : undefined;
  }

  /**
   * Record that this launch's runner was caught running a foreign job and its build stopped. Only
   * the first caller wins (a redelivered event finds the launch already marked and returns
   * undefined), so the alert and the relaunch happen once.
   */
  async markForeign(launch: LaunchRecord, foreignJobId: number, reason: string): Promise<LaunchRecord | undefined> {
    const marked = await this.annotate(
      launch.pk,
      { state: "finished", finishedAt: this.#now(), foreignJobId, reason },
      { expression: "#token = :token AND attribute_not_exists(foreignJobId)", values: { ":token": launch.token } },
      { "#token": "token" },
    );
    if (marked) await this.releaseSlot(launch.environment, launch.pk);
    return marked;
  }

  /**
   * Begin a launch again under a new token (so a new runner name, JIT parameter and StartBuild
   * idempotency token: the old token's build is the stopped one), ready for the launcher to take
   * over at once. Only from the state `markForeign` left (or, with `from: "launched"`, from a
   * launch whose build ended without its runner taking the job: the reconciler's relaunch, which
   * keeps the launch's slot), and only once per token.
   */
  async reopen(launch: LaunchRecord, jitPrefix: string, options: { from?: "finished" | "launched" } = {}): Promise<LaunchRecord | undefined> {
    const token = randomUUID();
    const now = this.#now();
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: launch.pk },
          UpdateExpression:
            "SET #state = :launching, #token = :token, fence = :fence, runnerName = :runner, jitParameter = :jit, leaseUntil = :zero, updatedAt = :now, attempts = :zero, relaunches = if_not_exists(relaunches, :zero) + :one, attention = :attention " +
            "REMOVE runnerId, buildId, launchedAt, readyAt, tookJobId, tookAt, ranOn, jitDeletedAt, jitStoredAt, finishedAt, foreignJobId",
          ConditionExpression: "#token = :seen AND #state = :from",
          ExpressionAttributeNames: { "#state": "state", "#token": "token" },
          ExpressionAttributeValues: {
            ":launching": "launching",
            ":token": token,
            ":fence": randomUUID(),
            ":runner": runnerNameFor(launch.environment, launch.jobId, launch.runAttempt, token),
            ":jit": jitParameterName(jitPrefix, launch.environment, token),
            ":zero": 0,
            ":one": 1,
            ":now": now,
            ":seen": launch.token,
            ":from": options.from ?? "finished",
            // Listed again: the reconciler may have dismissed it once it was finished.
            ":attention": attentionKey(launch.pk),
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return Attributes as LaunchRecord;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return undefined;
      throw error;
    }
  }

  /** A launched build has ended (or was stopped): mark the launch finished and free its slot. */
  async finishLaunch(launch: LaunchRecord, reason: string): Promise<void> {
    await this.annotate(launch.pk, { state: "finished", finishedAt: this.#now(), reason }, { expression: "#state = :launched", values: { ":launched": "launched" } });
    await this.releaseSlot(launch.environment, launch.pk);
  }

  /**
   * Take one of the environment's `cap` slots for `holder` (a launch key). Idempotent: a holder
   * that already has a slot keeps it. Returns false at the cap.
   */
  async acquireSlot(environment: string, cap: number, holder: string): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: slotsKey(environment) },
          // Always listed: the reconciler checks every holder each pass.
          UpdateExpression: "ADD holders :holder SET kind = :kind, attention = :attention",
          ConditionExpression: "attribute_not_exists(holders) OR size(holders) < :cap OR contains(holders, :one)",
          ExpressionAttributeValues: { ":holder": new Set([holder]), ":one": holder, ":cap": cap, ":kind": "slots", ":attention": attentionKey(slotsKey(environment)) },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  /** Give a slot back (idempotent). */
  async releaseSlot(environment: string, holder: string): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: slotsKey(environment) },
        UpdateExpression: "DELETE holders :holder",
        ExpressionAttributeValues: { ":holder": new Set([holder]) },
      }),
    );
  }

  /** Launches holding a slot in `environment`. */
  async slotHolders(environment: string): Promise<string[]> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#table, Key: { pk: slotsKey(environment) }, ConsistentRead: true }));
    return Item?.holders ? [...(Item.holders as Set<string>)] : [];
  }

  /** Forget a failed launch so that a replay starts it afresh. Only a failed one: never a live launch. */
  async forgetFailed(jobId: number, runAttempt: number): Promise<boolean> {
    try {
      await this.#client.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: { pk: launchKey(jobId, runAttempt) },
          ConditionExpression: "#state = :failed",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ":failed": "failed" },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  /**
   * What the reconciler must look at: the items the attention index lists (and, when a sweep is
   * due, those the table holds without a key), each read strongly consistently — the index itself
   * is only eventually consistent.
   */
  async attention(): Promise<Attention> {
    const { keys, swept } = await this.#attention.listed();
    const items = await this.#attention.read(keys);
    return { launches: items.filter((i) => i.kind === "launch") as unknown as LaunchRecord[], slots: items.filter((i) => i.kind === "slots").map((i) => String(i.pk)), swept };
  }

  /** The launches at these keys as they are now (a consistent read), in the order given. */
  async launchesAt(pks: string[]): Promise<LaunchRecord[]> {
    return (await this.#attention.read(pks)).filter((i) => i.kind === "launch") as unknown as LaunchRecord[];
  }

  /** The holders of the slot records at these keys, as they are now. */
  async slotsAt(pks: string[]): Promise<{ environment: string; holders: string[] }[]> {
    return (await this.#attention.read(pks)).map((item) => ({ environment: String(item.pk).slice(SLOTS_PREFIX.length), holders: item.holders ? [...(item.holders as Set<string>)] : [] }));
  }

  /** Take a settled launch off the attention index; one reopened since it was read stays (a conditional write). */
  async dismiss(pk: string): Promise<boolean> {
    return this.#attention.dismiss(pk);
  }
}

/** `SET #a = :a, #b = :b` with its names and values, for a plain object of changes. */
function setClause(changes: Record<string, unknown>) {
  const keys = Object.keys(changes);
  return {
    expression: `SET ${keys.map((key) => `#${key} = :${key}`).join(", ")}`,
    names: Object.fromEntries(keys.map((key) => [`#${key}`, key])),
    values: Object.fromEntries(keys.map((key) => [`:${key}`, changes[key]])),
  };
}
