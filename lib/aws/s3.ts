/** The S3 client (failure markers and artifacts). Path-style addressing: bucket names in the host do not resolve against a local S3 (s3rver). */
import { S3Client } from "@aws-sdk/client-s3";
import { clientSettings, regional } from "./shared.ts";

export const s3Client = /* @__PURE__ */ regional("s3", (region) => new S3Client({ ...clientSettings(region), forcePathStyle: true }));
