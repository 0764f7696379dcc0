/**
 * What needs the reconciler's attention, as the ledger marks it: a sparse global secondary index
 * (`attention`) that lists only the items a pass has work on — launches not yet settled, and the
 * environments' slot records — so that a pass reads those and not the table, which also keeps 30
 * days of Slack threads, the redeliverer's records and every settled launch until its TTL.
 *
 * An item is in the index while it carries the `attention` attribute. The ledger sets it on every
 * write that opens a launch (claim, takeover, reopen) and on slot records; only the reconciler
 * removes it, with a write conditioned on the launch being settled (so a launch reopened since it
 * was read stays listed). Settled means finished or failed with its JIT config deleted (or none
 * named): then nothing is left for a pass to do. See attention-index.ts for how it is read.
 *
 * The index's key is sharded, `attention#0` … `attention#3` by a hash of `pk`. One key value would
 * do by the numbers — a partition takes 1,000 write units a second; a keys-only index is written
 * only when a launch is marked or dismissed (two or three writes in its life), and launches are
 * capped near 160 a minute per GitHub App by JIT registration — but a throttled index write
 * throttles the table write behind it (the launcher's claim), and each shard costs a pass only one
 * near-empty Query. Keyed by environment instead, a pass would have to know every environment
 * that ever wrote a launch, and one busy environment would still be one partition.
 */
import { createHash } from "node:crypto";

/** The global secondary index's name (serverless.yml RunwayTable, lib/local/runway-table.ts). */
export const ATTENTION_INDEX = "attention";
/** The attribute that puts an item in the index: present only while the reconciler has work on it. */
export const ATTENTION_ATTRIBUTE = "attention";
/** Raise, never lower: a pass queries shards 0 … N-1, and an item marked in a higher one would never be read. */
export const ATTENTION_SHARDS = 4;

/** The shard an item is listed under: stable for its key, spread evenly over the shards. */
export function attentionKey(pk: string): string {
  const shard = createHash("sha256").update(pk).digest().readUInt32BE(0) % ATTENTION_SHARDS;
  return `${ATTENTION_ATTRIBUTE}#${shard}`;
}

export const attentionShards = (): string[] => Array.from({ length: ATTENTION_SHARDS }, (_, i) => `${ATTENTION_ATTRIBUTE}#${i}`);

const OPEN_STATES: ReadonlySet<unknown> = new Set(["launching", "waiting", "launched"]);

/**
 * Whether the reconciler still has work on this item: a slot record always (its holders are
 * checked every pass); a launch until it is over and its JIT config deleted. The same rule as
 * `OPEN_CONDITION`, which DynamoDB evaluates on the item itself.
 */
export function needsAttention(item: { kind?: unknown; state?: unknown; jitParameter?: unknown; jitDeletedAt?: unknown }): boolean {
  if (item.kind === "slots") return true;
  return item.kind === "launch" && (OPEN_STATES.has(item.state) || (item.jitParameter !== undefined && item.jitDeletedAt === undefined));
}

/** `needsAttention` as a DynamoDB condition (names `#state`; values from `OPEN_VALUES`). */
export const OPEN_CONDITION =
  "(kind = :slots OR (kind = :launch AND (#state IN (:launching, :waiting, :launched) OR (attribute_exists(jitParameter) AND attribute_not_exists(jitDeletedAt)))))";
export const OPEN_NAMES = { "#state": "state" };
export const OPEN_VALUES = { ":slots": "slots", ":launch": "launch", ":launching": "launching", ":waiting": "waiting", ":launched": "launched" };
