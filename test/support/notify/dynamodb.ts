/**
 * A real local DynamoDB (dynalite) on an ephemeral port, with Runway's table created through the
 * real SDK client, for tests of the thread store and the notifier.
 */
import { createRequire } from "node:module";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dynamoDbClient } from "../../../lib/aws/dynamodb.ts";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { createRunwayTable } from "../../../lib/local/runway-table.ts";

// dynalite ships no types; its default export makes an http.Server.
const dynalite = createRequire(import.meta.url)("dynalite") as (options: { createTableMs?: number }) => Server;

export interface LocalDynamo {
  endpoint: string;
  table: string;
  close(): Promise<void>;
}

/** Start dynalite, point the SDK at it (AWS_ENDPOINT_URL_DYNAMODB) and create `table`. */
export async function startLocalDynamo(table = "runway-test"): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.RUNWAY_TABLE = table;
  resetAwsClients();
  // The table as serverless.yml declares it (its attention index too), not a copy of its key schema.
  await createRunwayTable(dynamoDbClient(), table);
  return {
    endpoint,
    table,
    close: async () => {
      delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      resetAwsClients();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
