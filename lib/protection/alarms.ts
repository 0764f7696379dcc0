/**
 * The alarms condition: none of the named CloudWatch alarms is in ALARM. It is the hook
 * validators' `alarms` check (lib/deploy/checks/alarms.ts), measured once: a missing alarm fails,
 * as a typo must not pass for ever, and INSUFFICIENT_DATA passes unless the rule says otherwise.
 * The alarms are read in the function's own account and region.
 */
import { alarmsCheckSchema } from "../config/deploy-checks-schema.ts";
import type { ProtectionRule } from "../config/protection-schema.ts";
import { alarmsMeasure } from "../deploy/checks/alarms.ts";
import type { CheckEnv } from "../deploy/types.ts";
import type { ConditionResult } from "./types.ts";

export type AlarmsRule = NonNullable<ProtectionRule["alarms"]>;

/**
 * @example
 * await alarmsCondition({ names: ["shop-5xx"], insufficientData: "pass" }, AbortSignal.timeout(10_000));
 * // { name: "alarms", status: "fail", summary: "shop-5xx ALARM: shop-5xx is in ALARM" }
 */
export async function alarmsCondition(alarms: AlarmsRule, signal: AbortSignal): Promise<ConditionResult> {
  // Parsed rather than spelled out, so the check's own defaults (timeouts, counts) stay the check's.
  const check = alarmsCheckSchema.parse({ type: "alarms", name: "alarms", names: alarms.names, insufficientData: alarms.insufficientData });
  try {
    // The alarms check reads nothing of the deployment a hook would pass it.
    const measured = await alarmsMeasure(check, {} as CheckEnv)(signal);
    return { name: "alarms", status: measured.ok ? "pass" : "fail", summary: measured.ok ? `alarms OK: ${measured.summary}` : measured.summary };
  } catch (error) {
    return { name: "alarms", status: "error", summary: `could not read the alarms ${alarms.names.join(", ")} (${(error as Error).name}: ${(error as Error).message})` };
  }
}
