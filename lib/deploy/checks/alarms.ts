/**
 * `alarms` check: none of the named CloudWatch alarms (metric or composite) is in ALARM. An alarm
 * that does not exist fails the check, since a typo would otherwise pass for ever.
 */
import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { cloudWatchClient } from "../../aws/cloudwatch.ts";
import type { AlarmsCheckConfig } from "../../config/deploy-schema.ts";
import type { CheckEnv, Measure } from "../types.ts";

/**
 * Builds the measurement of an alarms check.
 *
 * @example
 * const { summary } = await alarmsMeasure(check, env)(signal); // "shop-5xx OK, shop-p99 ALARM"
 */
export function alarmsMeasure(check: AlarmsCheckConfig, _env: CheckEnv): Measure {
  return async (signal) => {
    const states = new Map<string, string>();
    let nextToken: string | undefined;
    do {
      const page = await cloudWatchClient().send(
        new DescribeAlarmsCommand({ AlarmNames: check.names, AlarmTypes: ["MetricAlarm", "CompositeAlarm"], NextToken: nextToken }),
        { abortSignal: signal },
      );
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        if (alarm.AlarmName) states.set(alarm.AlarmName, alarm.StateValue ?? "UNKNOWN");
      }
      nextToken = page.NextToken;
    } while (nextToken);

    const problems: string[] = [];
    const shown = check.names.map((name) => {
      const state = states.get(name);
      if (state === undefined) problems.push(`alarm ${name} not found (check its name and the function's region)`);
      else if (state === "ALARM") problems.push(`${name} is in ALARM`);
      else if (state === "INSUFFICIENT_DATA" && check.insufficientData === "fail") problems.push(`${name} has INSUFFICIENT_DATA`);
      return `${name} ${state ?? "MISSING"}`;
    });
    return {
      ok: problems.length === 0,
      summary: problems.length === 0 ? shown.join(", ") : `${shown.join(", ")}: ${problems.join("; ")}`,
      data: { alarms: Object.fromEntries(check.names.map((name) => [name, states.get(name) ?? "MISSING"])) },
    };
  };
}
