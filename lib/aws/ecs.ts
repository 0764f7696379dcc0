/** The ECS client (task set and service checks), created on first use per region. */
import { ECSClient } from "@aws-sdk/client-ecs";
import { clientSettings, regional } from "./shared.ts";

export const ecsClient = /* @__PURE__ */ regional("ecs", (region) => new ECSClient({ ...clientSettings(region) }));
