/**
 * The CodeDeploy lifecycle hooks Runway validates. Kept apart from the schema so that deployed
 * functions can name hooks without loading the schema library.
 */

/** Lifecycle events that invoke hook functions, for ECS blue/green and Lambda deployments. */
export const HOOK_NAMES = ["BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"] as const;
export type HookName = (typeof HOOK_NAMES)[number];
