/**
 * The names the `deploy:` configuration uses — CodeDeploy hooks and check placeholders — kept
 * apart from the schema so that deployed functions can use them without loading the schema
 * library.
 */

/** Lifecycle events that invoke hook functions, for ECS blue/green and Lambda deployments. */
export const HOOK_NAMES = ["BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"] as const;
export type LambdaHookName = (typeof HOOK_NAMES)[number];

/**
 * Lifecycle events of EC2/on-premises deployments that run appspec hook scripts, where
 * `runway validate` decides the hook. BeforeInstall, AfterInstall, BeforeAllowTraffic and
 * AfterAllowTraffic share their names with the ECS/Lambda hooks; the others exist only here.
 */
export const SERVER_HOOK_NAMES = [
  "ApplicationStop",
  "BeforeInstall",
  "AfterInstall",
  "ApplicationStart",
  "ValidateService",
  "BeforeBlockTraffic",
  "AfterBlockTraffic",
  "BeforeAllowTraffic",
  "AfterAllowTraffic",
] as const;
export type ServerHookName = (typeof SERVER_HOOK_NAMES)[number];

/** Any hook a `deploy:` section may declare checks for. */
export type HookName = LambdaHookName | ServerHookName;

/** Hooks that only EC2/on-premises deployments have. */
export const SERVER_ONLY_HOOK_NAMES = SERVER_HOOK_NAMES.filter((name) => !(HOOK_NAMES as readonly string[]).includes(name));

/** Hooks that only ECS/Lambda deployments have. */
export const LAMBDA_ONLY_HOOK_NAMES = HOOK_NAMES.filter((name) => !(SERVER_HOOK_NAMES as readonly string[]).includes(name));

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
