/**
 * Where each thread's parent message lives (`channel`, `ts`) and what it shows, in Runway's
 * DynamoDB table (`RUNWAY_TABLE`, key `pk`): Lambda invocations share nothing else.
 *
 * Two writers never both win: a thread is created with a conditional put (the loser replies in the
 * winner's thread), and every later write is conditional on the version it read (optimistic
 * locking), so a slow invocation cannot overwrite what a faster one learnt.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "../aws/dynamodb.ts";
import { NotifyConfigError } from "./errors.ts";
import type { ThreadStatus, ThreadSubject } from "./thread-state.ts";

export interface ThreadRecord {
  /** The thread key, `run:<owner>/<repo>/<runId>` or `deployment:<id>`. */
  key: string;
  /** The channel's ID as Slack returned it (updates need the ID, not the name). */
  channel: string;
  /** The parent message's timestamp: its id, and the `thread_ts` of every reply. */
  ts: string;
  /** Incremented by every write; the condition of the next one. */
  version: number;
  status: ThreadStatus;
  subject: ThreadSubject;
  /** Ids of the latest events applied, so a redelivered event is not posted twice. */
  seen: string[];
  /** Whether the failure mention was already made in this thread. */
  failureAnnounced: boolean;
  /** Digest of the parent as last posted: an update is only sent when the rendering changes. */
  shown: string;
  /** Epoch seconds: the table's TTL attribute. */
  expiresAt: number;
}

export interface ThreadStore {
  /** The thread, or undefined when none exists (or it has expired). */
  get(key: string): Promise<ThreadRecord | undefined>;
  /** Create the thread unless another writer did first: false means "lost the race, read it". */
  create(record: ThreadRecord): Promise<boolean>;
  /** Replace the thread if it is still at `expectedVersion`: false means "changed meanwhile, read it again". */
  save(record: ThreadRecord, expectedVersion: number): Promise<boolean>;
}

const pk = (key: string) => `thread#${key}`;

/**
 * The thread store on DynamoDB.
 *
 * @example
 * const store = dynamoThreadStore();
 * const thread = await store.get("run:acme/api/42");
 */
export function dynamoThreadStore(options: { tableName?: string; now?: () => Date } = {}): ThreadStore {
  const table = (): string => {
    const name = options.tableName ?? process.env.RUNWAY_TABLE;
    if (!name) throw new NotifyConfigError("RUNWAY_TABLE is not set; the Slack notifier keeps its threads in Runway's table");
    return name;
  };
  const nowSeconds = () => Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  const item = (record: ThreadRecord) => ({ ...record, pk: pk(record.key), type: "thread", updatedAt: new Date().toISOString() });

  return {
    async get(key) {
      const { Item } = await documentClient().send(new GetCommand({ TableName: table(), Key: { pk: pk(key) }, ConsistentRead: true }));
      // TTL deletes lazily (up to days late): an expired thread is treated as gone.
      if (!Item || (typeof Item.expiresAt === "number" && Item.expiresAt < nowSeconds())) return undefined;
      const { pk: _pk, type: _type, updatedAt: _updatedAt, ...record } = Item;
      return record as ThreadRecord;
    },
    async create(record) {
      return conditional(
        new PutCommand({
          TableName: table(),
          Item: item(record),
          ConditionExpression: "attribute_not_exists(pk) OR #expiresAt < :now",
          ExpressionAttributeNames: { "#expiresAt": "expiresAt" },
          ExpressionAttributeValues: { ":now": nowSeconds() },
        }),
      );
    },
    async save(record, expectedVersion) {
      return conditional(
        new PutCommand({
          TableName: table(),
          Item: item(record),
          ConditionExpression: "#version = :expected",
          ExpressionAttributeNames: { "#version": "version" },
          ExpressionAttributeValues: { ":expected": expectedVersion },
        }),
      );
    },
  };
}

async function conditional(command: PutCommand): Promise<boolean> {
  try {
    await documentClient().send(command);
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || (error as Error).name === "ConditionalCheckFailedException") return false;
    throw error;
  }
}
