/** The CodeDeploy client (hook status, deployment targets), created on first use per region. */
import { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import { AWS_MAX_ATTEMPTS, regional } from "./shared.ts";

export const codeDeployClient = /* @__PURE__ */ regional("codedeploy", (region) => new CodeDeployClient({ region, maxAttempts: AWS_MAX_ATTEMPTS }));
