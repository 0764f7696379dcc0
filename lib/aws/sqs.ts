/** The SQS client (job, notify and dead-letter queues), created on first use per region. */
import { SQSClient } from "@aws-sdk/client-sqs";
import { AWS_MAX_ATTEMPTS, regional } from "./shared.ts";

export const sqsClient = /* @__PURE__ */ regional("sqs", (region) => new SQSClient({ region, maxAttempts: AWS_MAX_ATTEMPTS }));
