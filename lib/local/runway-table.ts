/**
 * Creates Runway's DynamoDB table where serverless.yml would (the local stack, tests): one string
 * key `pk`, items expiring through `expiresAt`, and the sparse `attention` index the reconciler
 * reads (lib/runners/attention.ts). The ledger, the runner index, the concurrency slots and the
 * Slack thread store share it, told apart by their key prefixes.
 */
import { CreateTableCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ATTENTION_ATTRIBUTE, ATTENTION_INDEX } from "../runners/attention.ts";

export async function createRunwayTable(client: DynamoDBClient, table: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: ATTENTION_ATTRIBUTE, AttributeType: "S" },
      ],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      GlobalSecondaryIndexes: [{ IndexName: ATTENTION_INDEX, KeySchema: [{ AttributeName: ATTENTION_ATTRIBUTE, KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  await client
    .send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true } }))
    .catch((error: unknown) => {
      // dynalite has no time-to-live; a local table that never expires items is fine.
      if ((error as Error).name !== "UnknownOperationException") throw error;
    });
}
