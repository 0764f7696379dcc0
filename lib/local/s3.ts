/**
 * A local S3 (s3rver) on a loopback port with Runway's artifacts bucket, files kept in a temporary
 * directory: for the local stack and the tests. s3rver has no conditional writes, so nothing in
 * Runway relies on S3 `If-None-Match` for correctness (the ledger is in DynamoDB).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

// s3rver ships no types: the little of it used here.
interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
const require = createRequire(import.meta.url);
const S3rver = require("s3rver") as new (options: Record<string, unknown>) => S3rverServer;
// s3rver checks signatures against its own account's keys (S3RVER/S3RVER only, by default).
const s3rverAccount = require("s3rver/lib/models/account.js") as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };

export interface LocalS3 {
  /** The value for AWS_ENDPOINT_URL_S3. */
  endpoint: string;
  bucket: string;
  close(): Promise<void>;
}

/**
 * @param credentials the access key the SDK clients will sign with (the environment's), which
 *   s3rver then accepts as it accepts its own.
 */
export async function startLocalS3(bucket: string, credentials: { accessKeyId: string; secretAccessKey: string }, host = "127.0.0.1"): Promise<LocalS3> {
  s3rverAccount.DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);
  const directory = mkdtempSync(join(tmpdir(), "runway-s3-"));
  const server = new S3rver({ port: 0, address: host, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  return {
    endpoint: `http://${host}:${port}`,
    bucket,
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
