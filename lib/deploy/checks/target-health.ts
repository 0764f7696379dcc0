/**
 * `targetHealth` check: every target registered in the replacement task set's target group (or a
 * named one) is `healthy` in the load balancer's eyes, and there are at least `minHealthy`.
 */
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { elbv2Client } from "../../aws/elbv2.ts";
import type { TargetHealthCheckConfig } from "../../config/deploy-schema.ts";
import { CheckSetupError } from "../errors.ts";
import { fillTemplate } from "../template.ts";
import type { CheckEnv, Measure } from "../types.ts";

/**
 * Builds the measurement of a targetHealth check.
 *
 * @example
 * const { summary } = await targetHealthMeasure(check, env)(signal); // "target group shop-green: 2/2 healthy"
 */
export function targetHealthMeasure(check: TargetHealthCheckConfig, env: CheckEnv): Measure {
  let targetGroupArn: string | undefined;
  return async (signal) => {
    const name = check.targetGroup === undefined ? env.deployment.ecs?.replacement?.targetGroupName : fillTemplate(check.targetGroup, env.values);
    if (!name) {
      throw new CheckSetupError(
        `deployment ${env.deployment.deploymentId} names no replacement target group (hook ${env.hook}): ` +
          "targetHealth checks need an ECS blue/green deployment at AfterInstall or later, or an explicit targetGroup",
      );
    }
    const client = elbv2Client();
    if (!targetGroupArn) {
      const found = await client.send(new DescribeTargetGroupsCommand({ Names: [name] }), { abortSignal: signal });
      targetGroupArn = found.TargetGroups?.[0]?.TargetGroupArn;
      if (!targetGroupArn) throw new CheckSetupError(`target group ${name} not found`);
    }
    const health = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }), { abortSignal: signal });
    const targets = (health.TargetHealthDescriptions ?? []).map((d) => ({
      id: d.Target?.Port === undefined ? (d.Target?.Id ?? "?") : `${d.Target?.Id ?? "?"}:${d.Target.Port}`,
      state: d.TargetHealth?.State ?? "unknown",
      reason: d.TargetHealth?.Reason,
    }));
    const states: Record<string, number> = {};
    for (const target of targets) states[target.state] = (states[target.state] ?? 0) + 1;
    const healthy = states.healthy ?? 0;

    const problems: string[] = [];
    const unhealthy = targets.filter((target) => target.state !== "healthy");
    if (unhealthy.length > 0) {
      problems.push(`${unhealthy.slice(0, 5).map((t) => `${t.id} ${t.state}${t.reason ? ` (${t.reason})` : ""}`).join(", ")}`);
    }
    if (healthy < check.minHealthy) problems.push(`${healthy} healthy, fewer than minHealthy ${check.minHealthy}`);
    const head = `target group ${name}: ${healthy}/${targets.length} healthy`;
    return {
      ok: problems.length === 0,
      summary: problems.length === 0 ? head : `${head}: ${problems.join("; ")}`,
      data: { targetGroup: name, targets: targets.length, states },
    };
  };
}
