/**
 * Reading the attention index (attention.ts) for a reconciler pass, so that what a pass costs
 * follows the launches in flight, not the size of the table.
 *
 * - The index projects keys only, and DynamoDB reads a global secondary index eventually
 *   consistently and no other way. So the index only says *which* items to read; each is then read
 *   strongly consistently (BatchGetItem) before the reconciler decides anything. A row that lags
 *   costs a read, never a wrong action — no build is stopped and no job relaunched on what the
 *   index said. A launch claimed a moment ago and not listed yet is read next pass: nothing is due
 *   on it sooner. Projecting more would buy nothing (it would be read stale) and would write the
 *   index on every change to a launch instead of twice in its life.
 * - Items written before the index existed, or by a release without it, carry no key. A *sweep*
 *   finds them: a scan of the table, as every pass made before the index, that gives each item
 *   needing attention its key and adds it to the pass. The sweep marker (`sweep#attention`) says
 *   when sweeps ran: every pass sweeps until one starts `SWEEP_GRACE_MS` after the first (the
 *   previous release's functions may still be writing during a deploy), then once every
 *   `SWEEP_EVERY_MS`, a safety net. After rolling back to a release without the index and forward
 *   again, delete the marker item to sweep at once.
 */
import { setTimeout as delay } from "node:timers/promises";
import { BatchGetCommand, GetCommand, QueryCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ATTENTION_ATTRIBUTE, ATTENTION_INDEX, OPEN_CONDITION, OPEN_NAMES, OPEN_VALUES, attentionKey, attentionShards } from "./attention.ts";

/** Every pass sweeps until one starts this long after the first: Lambda's longest invocation, so the previous release's launchers are done. */
export const SWEEP_GRACE_MS = 15 * 60_000;
/** Then a sweep this often, for anything written without the key. */
export const SWEEP_EVERY_MS = 24 * 60 * 60_000;

/** The sweep marker's key in the ledger table (delete the item to sweep on the next pass). */
export const SWEEP_KEY = "sweep#attention";
/** BatchGetItem's limit. */
const BATCH_KEYS = 100;
/** Rounds of BatchGetItem for the keys DynamoDB left unprocessed (it does when throttled), 50 ms doubling between. */
const BATCH_ROUNDS = 6;

/** When sweeps ran (epoch ms): the first ever on this table, and the start of the last complete one. */
export interface SweepMarker {
  firstSweepAt: number;
  sweptAt: number;
}

/** Whether a pass at `now` sweeps the table. */
export function sweepDue(marker: SweepMarker | undefined, now: number): boolean {
  if (!marker) return true;
  return marker.sweptAt - marker.firstSweepAt < SWEEP_GRACE_MS || now - marker.sweptAt >= SWEEP_EVERY_MS;
}

export interface ListedKeys {
  /** The keys listed in the index, and those the sweep found, once each. */
  keys: string[];
  swept: boolean;
}

type Item = Record<string, unknown>;

export class AttentionIndex {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => number;

  constructor(options: { client: DynamoDBDocumentClient; table: string; now: () => number }) {
    this.#client = options.client;
    this.#table = options.table;
    this.#now = options.now;
  }

  /** The keys of every item needing attention: the index's shards, and a sweep of the table when one is due. */
  async listed(): Promise<ListedKeys> {
    const startedAt = this.#now();
    const due = sweepDue(await this.#marker(), startedAt);
    const [listed, swept] = await Promise.all([Promise.all(attentionShards().map((shard) => this.#shard(shard))), due ? this.#sweep() : []]);
    if (due) await this.#markSwept(startedAt);
    return { keys: [...new Set([...listed.flat(), ...swept])], swept: due };
  }

  /** The items at `pks`, read strongly consistently, in the order given; keys with no item are left out. */
  async read(pks: string[]): Promise<Item[]> {
    const unique = [...new Set(pks)];
    const found = new Map<string, Item>();
    for (let i = 0; i < unique.length; i += BATCH_KEYS) {
      let keys: Item[] = unique.slice(i, i + BATCH_KEYS).map((pk) => ({ pk }));
      for (let round = 1; keys.length > 0; round++) {
        if (round > BATCH_ROUNDS) {
          throw new Error(`DynamoDB left ${keys.length} ledger reads unprocessed after ${BATCH_ROUNDS} rounds of BatchGetItem on ${this.#table} (is the table throttled?); the next pass reads them again`);
        }
        if (round > 1) await delay(50 * 2 ** (round - 2));
        const { Responses, UnprocessedKeys } = await this.#client.send(new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of Responses?.[this.#table] ?? []) found.set(String(item.pk), item);
        keys = UnprocessedKeys?.[this.#table]?.Keys ?? [];
      }
    }
    return unique.map((pk) => found.get(pk)).filter((item): item is Item => item !== undefined);
  }

  /**
   * Take a settled launch off the index. Conditioned on the item as it is now, not as it was read:
   * a launch reopened meanwhile, or any slot record, stays listed. Returns whether it was removed.
   */
  async dismiss(pk: string): Promise<boolean> {
    return this.#conditionally(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk },
        UpdateExpression: "REMOVE #attention",
        ConditionExpression: `attribute_exists(#attention) AND NOT ${OPEN_CONDITION}`,
        ExpressionAttributeNames: { ...OPEN_NAMES, "#attention": ATTENTION_ATTRIBUTE },
        ExpressionAttributeValues: OPEN_VALUES,
      }),
    );
  }

  async #shard(shard: string): Promise<string[]> {
    const keys: string[] = [];
    let start: Item | undefined;
    do {
      const page = await this.#query(shard, start);
      for (const item of page.Items ?? []) keys.push(String(item.pk));
      start = page.LastEvaluatedKey;
    } while (start);
    return keys;
  }

  async #query(shard: string, start: Item | undefined) {
    try {
      return await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: ATTENTION_INDEX,
          KeyConditionExpression: "#attention = :shard",
          ExpressionAttributeNames: { "#attention": ATTENTION_ATTRIBUTE },
          ExpressionAttributeValues: { ":shard": shard },
          ExclusiveStartKey: start,
        }),
      );
    } catch (error) {
      if ((error as Error).name !== "ValidationException" || !/index/i.test((error as Error).message)) throw error;
      throw new Error(`the ledger table ${this.#table} has no ${ATTENTION_INDEX} index: deploy serverless.yml's RunwayTable (it adds the index) with this release`, { cause: error });
    }
  }

  /**
   * Scan for items needing attention that carry no key, and mark each. Eventually consistent, as
   * it only marks: each mark is conditioned on the item as it is, and the pass reads what it
   * found consistently before acting.
   */
  async #sweep(): Promise<string[]> {
    const found: string[] = [];
    let start: Item | undefined;
    do {
      const page = await this.#client.send(
        new ScanCommand({
          TableName: this.#table,
          ProjectionExpression: "pk",
          FilterExpression: `attribute_not_exists(#attention) AND ${OPEN_CONDITION}`,
          ExpressionAttributeNames: { ...OPEN_NAMES, "#attention": ATTENTION_ATTRIBUTE },
          ExpressionAttributeValues: OPEN_VALUES,
          ExclusiveStartKey: start,
        }),
      );
      const keys = (page.Items ?? []).map((item) => String(item.pk));
      await Promise.all(keys.map((pk) => this.#mark(pk)));
      found.push(...keys);
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }

  #mark(pk: string): Promise<boolean> {
    return this.#conditionally(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk },
        UpdateExpression: "SET #attention = :attention",
        ConditionExpression: `attribute_not_exists(#attention) AND ${OPEN_CONDITION}`,
        ExpressionAttributeNames: { ...OPEN_NAMES, "#attention": ATTENTION_ATTRIBUTE },
        ExpressionAttributeValues: { ...OPEN_VALUES, ":attention": attentionKey(pk) },
      }),
    );
  }

  async #marker(): Promise<SweepMarker | undefined> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#table, Key: { pk: SWEEP_KEY }, ConsistentRead: true }));
    return Item ? { firstSweepAt: Number(Item.firstSweepAt), sweptAt: Number(Item.sweptAt) } : undefined;
  }

  async #markSwept(startedAt: number): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: SWEEP_KEY },
        UpdateExpression: "SET kind = :kind, sweptAt = :startedAt, firstSweepAt = if_not_exists(firstSweepAt, :startedAt)",
        ExpressionAttributeValues: { ":kind": "sweep", ":startedAt": startedAt },
      }),
    );
  }

  async #conditionally(command: UpdateCommand): Promise<boolean> {
    try {
      await this.#client.send(command);
      return true;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }
}
