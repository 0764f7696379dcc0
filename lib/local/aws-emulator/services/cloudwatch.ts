/**
 * CloudWatch over AWS JSON 1.0 (`GraniteServiceVersion20100801.<Operation>`, awsQueryCompatible),
 * which is what @aws-sdk/client-cloudwatch speaks now: DescribeAlarms over alarms whose state
 * tests set.
 */
import type { CompositeAlarm, MetricAlarm, StateValue } from "@aws-sdk/client-cloudwatch";
import { AwsServiceError, type ServiceEmulation } from "../types.ts";

export interface CloudWatchEmulation extends ServiceEmulation {
  /** Creates or updates an alarm with the given state. */
  putAlarm(name: string, state: StateValue, options?: { type?: "MetricAlarm" | "CompositeAlarm"; reason?: string }): void;
}

/**
 * @example
 * const cloudwatch = createCloudWatchEmulation();
 * cloudwatch.putAlarm("shop-5xx", "OK");
 */
export function createCloudWatchEmulation(options: { region?: string } = {}): CloudWatchEmulation {
  const region = options.region ?? process.env.AWS_REGION ?? "us-east-1";
  const alarms = new Map<string, { type: "MetricAlarm" | "CompositeAlarm"; alarm: MetricAlarm & CompositeAlarm }>();

  return {
    signingName: "monitoring",
    protocol: "json",
    targetPrefix: "GraniteServiceVersion20100801",

    putAlarm(name, state, { type = "MetricAlarm", reason = `Set to ${state} by the local emulator` } = {}) {
      alarms.set(name, {
        type,
        alarm: {
          AlarmName: name,
          AlarmArn: `arn:aws:cloudwatch:${region}:000000000000:alarm:${name}`,
          StateValue: state,
          StateReason: reason,
          StateUpdatedTimestamp: new Date(),
        },
      });
    },

    operations: {
      DescribeAlarms(input: { AlarmNames?: string[]; AlarmNamePrefix?: string; AlarmTypes?: string[]; StateValue?: string; MaxRecords?: number }) {
        if (input.AlarmNames && input.AlarmNamePrefix) {
          throw new AwsServiceError("InvalidParameterCombination", "AlarmNames and AlarmNamePrefix cannot be used together.");
        }
        if ((input.AlarmNames?.length ?? 0) > 100) throw new AwsServiceError("InvalidParameterValue", "AlarmNames has more than 100 members.");
        const types = input.AlarmTypes ?? ["MetricAlarm"];
        const selected = [...alarms.values()].filter(
          ({ type, alarm }) =>
            types.includes(type) &&
            (!input.AlarmNames || input.AlarmNames.includes(alarm.AlarmName!)) &&
            (!input.AlarmNamePrefix || alarm.AlarmName!.startsWith(input.AlarmNamePrefix)) &&
            (!input.StateValue || alarm.StateValue === input.StateValue),
        );
        return {
          MetricAlarms: selected.filter(({ type }) => type === "MetricAlarm").map(({ alarm }) => alarm),
          CompositeAlarms: selected.filter(({ type }) => type === "CompositeAlarm").map(({ alarm }) => alarm),
        };
      },
    },
  };
}
