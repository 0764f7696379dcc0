/** The Lambda client (Lambda deployment checks), created on first use per region. */
import { LambdaClient } from "@aws-sdk/client-lambda";
import { clientSettings, regional } from "./shared.ts";

export const lambdaClient = /* @__PURE__ */ regional("lambda", (region) => new LambdaClient({ ...clientSettings(region) }));
