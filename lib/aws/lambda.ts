/** The Lambda client (Lambda deployment checks), created on first use per region. */
import { LambdaClient } from "@aws-sdk/client-lambda";
import { AWS_MAX_ATTEMPTS, regional } from "./shared.ts";

export const lambdaClient = /* @__PURE__ */ regional("lambda", (region) => new LambdaClient({ region, maxAttempts: AWS_MAX_ATTEMPTS }));
