/** The ECS client (task set and service checks), created on first use per region. */
import { ECSClient } from "@aws-sdk/client-ecs";
import { AWS_MAX_ATTEMPTS, regional } from "./shared.ts";

export const ecsClient = /* @__PURE__ */ regional("ecs", (region) => new ECSClient({ region, maxAttempts: AWS_MAX_ATTEMPTS }));
