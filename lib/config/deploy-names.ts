/**
 * The names the `deploy:` configuration uses — CodeDeploy hooks and check placeholders — kept
 * apart from the schema so that deployed functions can use them without loading the schema
 * library.
 */

/** Lifecycle events that invoke hook functions, for ECS blue/green and Lambda deployments. */
export const HOOK_NAMES = ["BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/** Placeholders that URLs, headers, bodies and payloads may use, filled from the deployment. */
export const PLACEHOLDERS = [
  "deploymentId",
  "applicationName",
  "deploymentGroupName",
  "hook",
  "functionName",
  "functionAlias",
  "currentVersion",
  "targetVersion",
  "replacementTaskSetId",
  "originalTaskSetId",
  "replacementTargetGroup",
  "originalTargetGroup",
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** `{name}`: braces around a bare identifier. Other braces (JSON bodies) are left alone. */
export const PLACEHOLDER_PATTERN = /\{([A-Za-z][A-Za-z0-9]*)\}/g;
