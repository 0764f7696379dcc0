/**
 * Finds the checks configured for one stage of one ECS service. No entry is an error, not a
 * pass: a stage that validates nothing must say so (`checks: []`), so that a typo in a cluster or
 * service name cannot wave a release through.
 */
import type { EcsHooksConfig, EcsStageConfig } from "../../config/ecs-hooks-schema.ts";
import { DeployConfigError } from "../errors.ts";
import type { EcsHookStage } from "./stages.ts";

const BASE = "deploy.ecs.clusters";

/**
 * The stage's checks for a cluster and service (exact names first, then "*").
 *
 * @example
 * stageChecksFor(config, "prod", "shop", "POST_TEST_TRAFFIC_SHIFT").checks; // [{ type: "http", … }]
 */
export function stageChecksFor(config: EcsHooksConfig | undefined, cluster: string, service: string, stage: EcsHookStage): EcsStageConfig {
  if (!config) throw new DeployConfigError("runway.yml has no deploy.ecs: section; add one with the checks of this service's lifecycle stages");
  const clusterKey = own(config.clusters, cluster) ? cluster : own(config.clusters, "*") ? "*" : undefined;
  if (!clusterKey) {
    throw new DeployConfigError(`no checks for ECS cluster "${cluster}": add ${BASE}.${cluster} (configured: ${Object.keys(config.clusters).join(", ")})`);
  }
  const services = config.clusters[clusterKey]!.services;
  const serviceKey = own(services, service) ? service : own(services, "*") ? "*" : undefined;
  if (!serviceKey) {
    throw new DeployConfigError(`no checks for service "${service}" of cluster ${cluster}: add ${BASE}.${clusterKey}.services.${service} (or "*")`);
  }
  const found = services[serviceKey]!.stages[stage];
  if (!found) {
    throw new DeployConfigError(
      `no checks for ${stage} in ${cluster}/${service}: add ${BASE}.${clusterKey}.services.${serviceKey}.stages.${stage}.checks ` +
        "(an empty list passes the stage on purpose), or remove the stage from the service's lifecycle hook",
    );
  }
  return found;
}

/** Own keys only: a service named "constructor" must not find Object.prototype's. */
function own(record: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(record, key);
}
