/**
 * A local DynamoDB (dynalite, in memory) on a loopback port, with Runway's table created through
 * the real SDK client: for the local stack and the tests.
 */
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createRunwayTable } from "./runway-table.ts";

// dynalite ships no types; its default export makes an http.Server.
const dynalite = createRequire(import.meta.url)("dynalite") as (options: Record<string, number>) => Server;

export interface LocalDynamo {
  /** The value for AWS_ENDPOINT_URL_DYNAMODB. */
  endpoint: string;
  table: string;
  close(): Promise<void>;
}

export async function startLocalDynamo(table: string, host = "127.0.0.1"): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, updateTableMs: 0, deleteTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const endpoint = `http://${host}:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: process.env.AWS_REGION ?? "eu-west-1" });
  await createRunwayTable(client, table);
  client.destroy();
  return {
    endpoint,
    table,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
