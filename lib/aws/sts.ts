/** The STS client, created on first use per region (assumed roles use lib/aws/sts-credentials.ts). */
import { STSClient } from "@aws-sdk/client-sts";
import { clientSettings, regional } from "./shared.ts";

export const stsClient = /* @__PURE__ */ regional("sts", (region) => new STSClient({ ...clientSettings(region) }));
