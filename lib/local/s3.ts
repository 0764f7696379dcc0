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
const S3rver = createRequire(import.meta.url)("s3rver") as new (options: Record<string, unknown>) => S3rverServer;

export interface LocalS3 {
  /** The value for AWS_ENDPOINT_URL_S3. */
  endpoint: string;
  bucket: string;
  close(): Promise<void>;
}

export async function startLocalS3(bucket: string, host = "127.0.0.1"): Promise<LocalS3> {
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
