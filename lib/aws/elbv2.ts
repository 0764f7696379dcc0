/** The Elastic Load Balancing v2 client (target health checks), created on first use per region. */
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { clientSettings, regional } from "./shared.ts";

export const elbv2Client = /* @__PURE__ */ regional("elbv2", (region) => new ElasticLoadBalancingV2Client({ ...clientSettings(region) }));
