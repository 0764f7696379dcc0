/** The STS client, created on first use per region (assumed roles use lib/aws/sts-credentials.ts). */
import { STSClient } from "@aws-sdk/client-sts";
import { AWS_MAX_ATTEMPTS, regional } from "./shared.ts";

export const stsClient = /* @__PURE__ */ regional("sts", (region) => new STSClient({ region, maxAttempts: AWS_MAX_ATTEMPTS }));
