/** The CloudWatch client (alarm and metric checks), created on first use per region. */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { clientSettings, regional } from "./shared.ts";

export const cloudWatchClient = /* @__PURE__ */ regional("cloudwatch", (region) => new CloudWatchClient({ ...clientSettings(region) }));
