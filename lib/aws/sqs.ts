/** The SQS client (job, notify and dead-letter queues), created on first use per region. */
import { SQSClient } from "@aws-sdk/client-sqs";
import { clientSettings, regional } from "./shared.ts";

export const sqsClient = /* @__PURE__ */ regional("sqs", (region) => new SQSClient({ ...clientSettings(region) }));
