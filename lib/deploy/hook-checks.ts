/**
 * Finds the checks configured for one hook of one deployment. No entry is an error, not a pass:
 * a hook that validates nothing must say so explicitly (`checks: []`), so that a typo in an
 * application or group name cannot wave a release through.
 */
import type { DeployConfig, HookName, NamedCheck } from "../config/deploy-schema.ts";
import { DeployConfigError } from "./errors.ts";

/**
 * The checks for an application, deployment group (exact name first, then "*") and hook.
 *
 * @example
 * checksFor(config, "shop", "shop-prd", "AfterAllowTestTraffic"); // [{ type: "http", … }]
 */
export function checksFor(config: DeployConfig | undefined, applicationName: string, groupName: string, hook: HookName): NamedCheck[] {
  const base = "deploy.applications";
  if (!config) throw new DeployConfigError("runway.yml has no deploy: section; add one with the checks of this hook");
  const application = config.applications[applicationName];
  if (!application) {
    const known = Object.keys(config.applications);
    throw new DeployConfigError(
      `no checks for CodeDeploy application "${applicationName}": add ${base}.${applicationName}` +
        (known.length > 0 ? ` (configured: ${known.join(", ")})` : ""),
    );
  }
  const group = application.deploymentGroups[groupName] ?? application.deploymentGroups["*"];
  if (!group) {
    throw new DeployConfigError(
      `no checks for deployment group "${groupName}" of ${applicationName}: add ${base}.${applicationName}.deploymentGroups.${groupName} (or "*")`,
    );
  }
  const hookConfig = group.hooks[hook];
  if (!hookConfig) {
    const at = application.deploymentGroups[groupName] ? groupName : "*";
    throw new DeployConfigError(
      `no checks for ${hook} in ${applicationName}/${groupName}: add ${base}.${applicationName}.deploymentGroups.${at}.hooks.${hook}.checks ` +
        "(an empty list passes the hook on purpose)",
    );
  }
  return hookConfig.checks;
}
