/**
 * The artifacts bucket's layout and the S3 calls on it. One prefix per build
 * (`builds/<build-id>/`: status.json, runner-diag/…, log-excerpt.txt, files the job uploaded), the
 * conclusion markers (`markers/<environment>/<runner>.json`) and the legacy
 * `results/failure_build_<build-id>.txt`.
 * Links are presigned, so a person reading Slack needs no AWS login to open them.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { s3Client } from "../aws/s3.ts";
import { markerKey } from "./marker.ts";

export const buildPrefix = (buildId: string) => `builds/${buildId}/`;
export const logExcerptKey = (buildId: string) => `${buildPrefix(buildId)}log-excerpt.txt`;
export const legacyFailureKey = (buildId: string) => `results/failure_build_${buildId}.txt`;

export interface StoredArtifact {
  key: string;
  /** The name a person sees: the key without the build's prefix. */
  name: string;
  sizeBytes: number;
}

export async function putText(bucket: string, key: string, text: string): Promise<void> {
  await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: "text/plain; charset=utf-8" }));
}

export async function getText(bucket: string, key: string): Promise<string | undefined> {
  try {
    const { Body } = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await Body?.transformToString();
  } catch (error) {
    if ((error as Error).name === "NoSuchKey" || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
    throw error;
  }
}

/** Everything a build left behind: its prefix, its runner's marker, the legacy failure file. */
export async function listBuildArtifacts(bucket: string, buildId: string, runnerName: string | undefined): Promise<StoredArtifact[]> {
  const found: StoredArtifact[] = [];
  const list = async (prefix: string, strip: string) => {
    let token: string | undefined;
    do {
      const page = await s3Client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) found.push({ key: o.Key, name: o.Key.slice(strip.length), sizeBytes: o.Size ?? 0 });
      token = page.NextContinuationToken;
    } while (token);
  };
  await list(buildPrefix(buildId), buildPrefix(buildId));
  if (runnerName) await list(markerKey(runnerName), "");
  await list(legacyFailureKey(buildId), "");
  return found;
}

/** A link that opens the object without AWS credentials, for `expiresInSeconds`. */
export function presign(bucket: string, key: string, expiresInSeconds: number): Promise<string> {
  return getSignedUrl(s3Client(), new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: expiresInSeconds });
}
