/** The CodeDeploy client (hook status, deployment targets), created on first use per region. */
import { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import { clientSettings, regional } from "./shared.ts";

export const codeDeployClient = /* @__PURE__ */ regional("codedeploy", (region) => new CodeDeployClient({ ...clientSettings(region) }));
