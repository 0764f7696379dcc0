/**
 * Placeholders in check URLs, headers, bodies and payloads ({deploymentId}, {targetVersion} …),
 * filled from the deployment. The configuration schema already rejected unknown names; what can
 * still go wrong is a placeholder this deployment has no value for ({targetVersion} in an ECS
 * deployment), which no retry can fix.
 */
import { PLACEHOLDER_PATTERN, type Placeholder } from "../config/deploy-names.ts";
import { CheckSetupError } from "./errors.ts";
import type { DeploymentContext, HookName } from "./types.ts";

/** The placeholder values of one deployment and hook. */
export function placeholderValues(deployment: DeploymentContext, hook: HookName): Record<Placeholder, string | undefined> {
  return {
    deploymentId: deployment.deploymentId,
    applicationName: deployment.applicationName,
    deploymentGroupName: deployment.deploymentGroupName,
    hook,
    functionName: deployment.lambda?.functionName,
    functionAlias: deployment.lambda?.functionAlias,
    currentVersion: deployment.lambda?.currentVersion,
    targetVersion: deployment.lambda?.targetVersion,
    replacementTaskSetId: deployment.ecs?.replacement?.id,
    originalTaskSetId: deployment.ecs?.original?.id,
    replacementTargetGroup: deployment.ecs?.replacement?.targetGroupName,
    originalTargetGroup: deployment.ecs?.original?.targetGroupName,
  };
}

/**
 * Replaces each `{name}` with its value.
 *
 * @example fillTemplate("https://api/{deploymentId}", { deploymentId: "d-1" }) // "https://api/d-1"
 */
export function fillTemplate(text: string, values: Record<string, string | undefined>): string {
  return text.replace(PLACEHOLDER_PATTERN, (whole, name: string) => {
    if (!(name in values)) return whole;
    const value = values[name];
    if (value === undefined) {
      throw new CheckSetupError(`{${name}} has no value in this deployment (${describeMissing(name)})`);
    }
    return value;
  });
}

/** Fills placeholders in every string of a JSON value. */
export function fillJson(value: unknown, values: Record<string, string | undefined>): unknown {
  if (typeof value === "string") return fillTemplate(value, values);
  if (Array.isArray(value)) return value.map((item) => fillJson(item, values));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillJson(item, values)]));
  }
  return value;
}

function describeMissing(name: string): string {
  if (["functionName", "functionAlias", "currentVersion", "targetVersion"].includes(name)) return "only Lambda deployments have it";
  return "only ECS blue/green deployments with a replacement task set have it";
}

/** Quotes configured text for evidence so that JSON in it stays readable: '"version":"2.0.0"'. */
export function quote(text: string): string {
  return text.includes("'") ? JSON.stringify(text) : `'${text}'`;
}
