/**
 * The stage's copy of the runner release, in the artifacts bucket (record.ts has the layout). The
 * resolver's role may read and write `runner/*` and nothing else of the bucket.
 */
import { createReadStream } from "node:fs";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { s3Client } from "../../aws/s3.ts";
import type { DownloadedArchive } from "./download.ts";
import { parseRunnerRecord, RUNNER_RECORD_KEY, type RunnerRecord } from "./record.ts";

export interface ArchiveStore {
  /** The record builds install from; undefined when there is none yet, or it is not a record. */
  readRecord(): Promise<RunnerRecord | undefined>;
  putArchive(key: string, file: DownloadedArchive): Promise<void>;
  putRecord(record: RunnerRecord): Promise<void>;
}

/**
 * @example
 * const store = s3ArchiveStore(process.env.RUNWAY_ARTIFACTS_BUCKET!);
 * const record = await store.readRecord();
 */
export function s3ArchiveStore(bucket: string): ArchiveStore {
  return {
    async readRecord() {
      try {
        const { Body } = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: RUNNER_RECORD_KEY }));
        return parseRunnerRecord((await Body?.transformToString()) ?? "");
      } catch (error) {
        if ((error as Error).name === "NoSuchKey" || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
        throw error;
      }
    },
    async putArchive(key, file) {
      await s3Client().send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: createReadStream(file.path),
          ContentLength: file.size,
          ContentType: "application/gzip",
          // S3 checks the bytes it received against the sha256 already verified here, and refuses
          // the object (BadDigest) if anything changed on the way.
          ChecksumSHA256: Buffer.from(file.sha256, "hex").toString("base64"),
        }),
      );
    },
    async putRecord(record) {
      await s3Client().send(
        new PutObjectCommand({ Bucket: bucket, Key: RUNNER_RECORD_KEY, Body: `${JSON.stringify(record, null, 2)}\n`, ContentType: "application/json", CacheControl: "no-cache" }),
      );
    },
  };
}
