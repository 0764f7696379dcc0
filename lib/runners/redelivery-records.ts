/**
 * The redeliverer's bookkeeping (lib/runners/redeliver.ts), in the ledger's table beside the
 * launches: its watermark, and one item per failed delivery it asked GitHub to send again, kept
 * (by TTL) as long as GitHub keeps the delivery, so that overlapping runs and retries ask once.
 */
import { randomUUID } from "node:crypto";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { LedgerOptions } from "./ledger.ts";

/** How far the redeliverer has come: every delivery up to `deliveryId` was handled (lib/runners/redeliver.ts). */
export interface RedeliveryWatermark {
  deliveryId: number;
  /** Epoch ms: when that delivery was made. */
  deliveredAt: number;
  updatedAt: number;
}

/**
 * What became of a failed delivery the redeliverer took on: `claimed` while a run asks GitHub
 * (a lease, so a run that crashed lets the next one try), `redelivered` once GitHub accepted,
 * `refused` when GitHub will not resend it (gone, too old).
 */
export type RedeliveryState = "claimed" | "redelivered" | "refused";

const WATERMARK_KEY = "redeliveries#watermark";
const redeliveryKey = (deliveryId: number) => `redelivered#${deliveryId}`;

export class RedeliveryRecords {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => number;

  constructor(options: LedgerOptions) {
    this.#client = options.client;
    this.#table = options.table;
    this.#now = options.now ?? Date.now;
  }


  /** How far the redeliverer has come, if it ever ran. */
  async redeliveryWatermark(): Promise<RedeliveryWatermark | undefined> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#table, Key: { pk: WATERMARK_KEY }, ConsistentRead: true }));
    return Item ? { deliveryId: Number(Item.deliveryId), deliveredAt: Number(Item.deliveredAt), updatedAt: Number(Item.updatedAt) } : undefined;
  }

  /** Move the redeliverer's watermark forward to `mark`; never back (false when it already is as far or further). */
  async advanceRedeliveryWatermark(mark: { deliveryId: number; deliveredAt: number }): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: WATERMARK_KEY },
          UpdateExpression: "SET kind = :kind, deliveryId = :id, deliveredAt = :at, updatedAt = :now",
          ConditionExpression: "attribute_not_exists(deliveryId) OR deliveryId < :id",
          ExpressionAttributeValues: { ":kind": "redelivery-watermark", ":id": mark.deliveryId, ":at": mark.deliveredAt, ":now": this.#now() },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  /** What became of this delivery, or undefined when no run took it on (or a run's claim lapsed). */
  async redeliveryState(deliveryId: number): Promise<RedeliveryState | undefined> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#table, Key: { pk: redeliveryKey(deliveryId) }, ConsistentRead: true }));
    if (!Item) return undefined;
    return Item.state === "claimed" && Number(Item.leaseUntil) < this.#now() ? undefined : (Item.state as RedeliveryState);
  }

  /**
   * Take on redelivering this delivery: only one run wins (its claim token is returned; undefined
   * for the others); a claim whose lease lapsed (its run crashed before GitHub answered) can be
   * won again. Kept until `keepUntil` (epoch ms).
   */
  async claimRedelivery(deliveryId: number, options: { leaseMs: number; keepUntil: number }): Promise<string | undefined> {
    const now = this.#now();
    const token = randomUUID();
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk: redeliveryKey(deliveryId), kind: "redelivery", state: "claimed", token, deliveryId, leaseUntil: now + options.leaseMs, createdAt: now, expiresAt: Math.ceil(options.keepUntil / 1000) },
          ConditionExpression: "attribute_not_exists(pk) OR (#state = :claimed AND leaseUntil < :now)",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ":claimed": "claimed", ":now": now },
        }),
      );
      return token;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return undefined;
      throw error;
    }
  }

  /** GitHub accepted the redelivery, or refused it for good: either way no run asks again. */
  async settleRedelivery(deliveryId: number, token: string, state: "redelivered" | "refused", reason?: string): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: redeliveryKey(deliveryId) },
        UpdateExpression: `SET #state = :state, settledAt = :now${reason ? ", reason = :reason" : ""}`,
        ConditionExpression: "#token = :token",
        ExpressionAttributeNames: { "#state": "state", "#token": "token" },
        ExpressionAttributeValues: { ":state": state, ":now": this.#now(), ":token": token, ...(reason ? { ":reason": reason } : {}) },
      }),
    ).catch((error: unknown) => {
      // Another run took the lapsed claim over: it settles it.
      if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
    });
  }

  /** Give a claim back (GitHub could not be asked now): the next run tries again. */
  async releaseRedelivery(deliveryId: number, token: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: { pk: redeliveryKey(deliveryId) },
          ConditionExpression: "#state = :claimed AND #token = :token",
          ExpressionAttributeNames: { "#state": "state", "#token": "token" },
          ExpressionAttributeValues: { ":claimed": "claimed", ":token": token },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
    }
  }
}
