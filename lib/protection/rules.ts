/**
 * Which rule of runway.yml's `protection:` answers a GitHub environment, and which Runway
 * environment it belongs to (for its Slack channel and the stage that decides). GitHub compares
 * environment names without regard to case, and so does this.
 */
import type { ProtectionRule } from "../config/protection-schema.ts";
import type { RunwayConfig } from "../config/schema.ts";

export interface ResolvedRule {
  /** The key in runway.yml, as written there. */
  name: string;
  rule: ProtectionRule;
  /** The rule's `environment:`, else the Runway environment of the same name, if any. */
  runwayEnvironment: string | undefined;
}

/**
 * The rule for a GitHub environment, or undefined when runway.yml declares none.
 *
 * @example
 * protectionRuleFor(config, "Production")?.runwayEnvironment; // "prd"
 */
export function protectionRuleFor(config: RunwayConfig, githubEnvironment: string): ResolvedRule | undefined {
  const wanted = githubEnvironment.toLowerCase();
  const entry = Object.entries(config.protection?.environments ?? {}).find(([name]) => name.toLowerCase() === wanted);
  if (!entry) return undefined;
  const [name, rule] = entry;
  const sameName = Object.hasOwn(config.environments, wanted) ? wanted : undefined;
  return { name, rule, runwayEnvironment: rule.environment ?? sameName };
}
