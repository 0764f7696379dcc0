/**
 * CloudWatch over AWS JSON 1.0 (`GraniteServiceVersion20100801.<Operation>`, awsQueryCompatible),
 * which is what @aws-sdk/client-cloudwatch speaks now: DescribeAlarms over alarms whose state
 * tests set, and metrics — PutMetricData (or `putMetric` from a test or the demo) stores raw
 * datapoints, GetMetricData aggregates them per period into a statistic and evaluates metric math
 * (cloudwatch-math.ts) over them, as CloudWatch does.
 *
 * A metric is identified by namespace, name and its exact set of dimensions; period buckets start
 * at multiples of the period since the epoch.
 */
import type { CompositeAlarm, MetricAlarm, StateValue } from "@aws-sdk/client-cloudwatch";
import { AwsServiceError, type ServiceEmulation } from "../types.ts";
import { evaluateExpression, type Series } from "./cloudwatch-math.ts";

export interface MetricRef {
  namespace: string;
  name: string;
  dimensions?: Record<string, string>;
  unit?: string;
}

export interface Datapoint {
  at: Date | number;
  value: number;
}

export interface CloudWatchEmulation extends ServiceEmulation {
  /** Creates or updates an alarm with the given state. */
  putAlarm(name: string, state: StateValue, options?: { type?: "MetricAlarm" | "CompositeAlarm"; reason?: string }): void;
  /** Stores raw datapoints of a metric, as PutMetricData would. */
  putMetric(metric: MetricRef, datapoints: Datapoint[]): void;
  /** Forgets every datapoint (alarms stay). */
  clearMetrics(): void;
}

interface Stored {
  at: number;
  value: number;
  unit: string | undefined;
}

interface WireDimension {
  Name?: string;
  Value?: string;
}

interface WireQuery {
  Id?: string;
  MetricStat?: { Metric?: { Namespace?: string; MetricName?: string; Dimensions?: WireDimension[] }; Period?: number; Stat?: string; Unit?: string };
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
}

const invalid = (message: string) => new AwsServiceError("InvalidParameterValue", message);

/**
 * @example
 * const cloudwatch = createCloudWatchEmulation();
 * cloudwatch.putAlarm("shop-5xx", "OK");
 * cloudwatch.putMetric({ namespace: "Shop", name: "Errors" }, [{ at: Date.now() - 30_000, value: 2 }]);
 */
export function createCloudWatchEmulation(options: { region?: string } = {}): CloudWatchEmulation {
  const region = options.region ?? process.env.AWS_REGION ?? "us-east-1";
  const alarms = new Map<string, { type: "MetricAlarm" | "CompositeAlarm"; alarm: MetricAlarm & CompositeAlarm }>();
  const metrics = new Map<string, Stored[]>();

  const store = (metric: MetricRef, points: Array<{ at: number; value: number }>) => {
    const key = metricKey(metric.namespace, metric.name, metric.dimensions ?? {});
    const list = metrics.get(key) ?? [];
    for (const point of points) list.push({ ...point, unit: metric.unit });
    metrics.set(key, list);
  };

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

    putMetric(metric, datapoints) {
      store(metric, datapoints.map((d) => ({ at: new Date(d.at).getTime(), value: d.value })));
    },

    clearMetrics() {
      metrics.clear();
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

      PutMetricData(input: {
        Namespace?: string;
        MetricData?: Array<{ MetricName?: string; Dimensions?: WireDimension[]; Timestamp?: unknown; Value?: number; Values?: number[]; Counts?: number[]; Unit?: string }>;
      }) {
        if (!input.Namespace) throw new AwsServiceError("MissingParameter", "The parameter Namespace is required.");
        if (input.Namespace.startsWith("AWS/")) throw invalid("The value AWS/ for parameter Namespace is invalid.");
        input.MetricData?.forEach((datum, index) => {
          if (!datum.MetricName) throw new AwsServiceError("MissingParameter", `The parameter MetricData.member.${index + 1}.MetricName is required.`);
          const at = datum.Timestamp === undefined ? Date.now() : toMillis(datum.Timestamp);
          const values = datum.Values ?? (datum.Value === undefined ? [] : [datum.Value]);
          if (values.length === 0) throw new AwsServiceError("InvalidParameterCombination", `MetricData.member.${index + 1} needs Value or Values (StatisticValues are not emulated).`);
          const counts = datum.Counts ?? values.map(() => 1);
          const points = values.flatMap((value, i) => Array.from({ length: Math.round(counts[i] ?? 1) }, () => ({ at, value })));
          store({ namespace: input.Namespace!, name: datum.MetricName, dimensions: dimensionRecord(datum.Dimensions), unit: datum.Unit }, points);
        });
        return {};
      },

      GetMetricData(input: { MetricDataQueries?: WireQuery[]; StartTime?: unknown; EndTime?: unknown; ScanBy?: string }) {
        const queries = input.MetricDataQueries ?? [];
        if (queries.length === 0 || queries.length > 500) throw invalid("MetricDataQueries must have between 1 and 500 members.");
        if (input.StartTime === undefined || input.EndTime === undefined) throw new AwsServiceError("MissingParameter", "StartTime and EndTime are required.");
        const start = toMillis(input.StartTime);
        const end = toMillis(input.EndTime);
        if (!(start < end)) throw invalid("The parameter StartTime must be less than the parameter EndTime.");
        const byId = validateQueries(queries);

        const computed = new Map<string, Series>();
        const evaluating = new Set<string>();
        const seriesOf = (id: string): Series => {
          const known = computed.get(id);
          if (known) return known;
          const query = byId.get(id);
          if (!query) throw new AwsServiceError("ValidationError", `Error in expression: Unknown metric or expression id ${id}`);
          if (evaluating.has(id)) throw new AwsServiceError("ValidationError", `Error in expression ${id}: circular reference`);
          evaluating.add(id);
          const series = query.MetricStat ? statSeries(query.MetricStat, metrics, start, end) : evaluateExpression(id, query.Expression!, seriesOf);
          evaluating.delete(id);
          computed.set(id, series);
          return series;
        };

        const ascending = input.ScanBy === "TimestampAscending";
        const results = queries
          .filter((query) => query.ReturnData !== false)
          .map((query) => {
            const points = [...seriesOf(query.Id!).points].sort(([a], [b]) => (ascending ? a - b : b - a));
            return {
              Id: query.Id,
              Label: query.Label ?? query.MetricStat?.Metric?.MetricName ?? query.Id,
              Timestamps: points.map(([at]) => new Date(at)),
              Values: points.map(([, value]) => value),
              StatusCode: "Complete",
              Messages: [],
            };
          });
        return { MetricDataResults: results, Messages: [] };
      },
    },
  };
}

function validateQueries(queries: WireQuery[]): Map<string, WireQuery> {
  const byId = new Map<string, WireQuery>();
  queries.forEach((query, index) => {
    const at = `MetricDataQueries.member.${index + 1}`;
    if (!query.Id || !/^[a-z][a-zA-Z0-9_]*$/.test(query.Id)) throw invalid(`The value ${query.Id ?? "(none)"} for parameter ${at}.Id is invalid: it must start with a lower-case letter.`);
    if (byId.has(query.Id)) throw invalid(`The value ${query.Id} for parameter ${at}.Id is used more than once.`);
    if ((query.MetricStat === undefined) === (query.Expression === undefined)) {
      throw new AwsServiceError("InvalidParameterCombination", `${at} must have exactly one of MetricStat and Expression.`);
    }
    const stat = query.MetricStat;
    if (stat) {
      if (!stat.Metric?.Namespace || !stat.Metric.MetricName || !stat.Stat || stat.Period === undefined) {
        throw new AwsServiceError("MissingParameter", `${at}.MetricStat needs Metric (Namespace, MetricName), Period and Stat.`);
      }
      if (!([1, 5, 10, 30].includes(stat.Period) || (stat.Period > 0 && stat.Period % 60 === 0))) {
        throw invalid(`The parameter ${at}.MetricStat.Period must be 1, 5, 10, 30 or a multiple of 60.`);
      }
      statistic(stat.Stat, at);
    }
    byId.set(query.Id, query);
  });
  return byId;
}

/** One MetricStat query: the statistic of each period bucket of [start, end) that has data. */
function statSeries(stat: NonNullable<WireQuery["MetricStat"]>, metrics: Map<string, Stored[]>, start: number, end: number): Series {
  const period = stat.Period! * 1000;
  const key = metricKey(stat.Metric!.Namespace!, stat.Metric!.MetricName!, dimensionRecord(stat.Metric!.Dimensions));
  const first = Math.floor(start / period) * period;
  const grid: number[] = [];
  for (let at = first; at < end; at += period) grid.push(at);
  const buckets = new Map<number, number[]>();
  for (const point of metrics.get(key) ?? []) {
    if (point.at < first || point.at >= end) continue;
    if (stat.Unit !== undefined && point.unit !== stat.Unit) continue;
    const bucket = Math.floor(point.at / period) * period;
    buckets.set(bucket, [...(buckets.get(bucket) ?? []), point.value]);
  }
  const compute = statistic(stat.Stat!, "MetricStat");
  return { points: new Map([...buckets].map(([at, values]) => [at, compute(values)])), grid };
}

/** The function of a statistic, or the error CloudWatch (or the emulator's limits) answers. */
function statistic(name: string, at: string): (values: number[]) => number {
  const basic: Record<string, (values: number[]) => number> = {
    SampleCount: (v) => v.length,
    Sum: (v) => v.reduce((a, b) => a + b, 0),
    Average: (v) => v.reduce((a, b) => a + b, 0) / v.length,
    Minimum: (v) => Math.min(...v),
    Maximum: (v) => Math.max(...v),
  };
  const fn = basic[name];
  if (fn) return fn;
  const percentile = /^p(\d{1,2}(?:\.\d+)?|100)$/.exec(name);
  if (percentile) {
    const p = Number(percentile[1]) / 100;
    // Nearest rank over the raw values of the period.
    return (v) => [...v].sort((a, b) => a - b)[Math.max(0, Math.ceil(p * v.length) - 1)]!;
  }
  throw invalid(`The local emulator computes SampleCount, Sum, Average, Minimum, Maximum and pNN; not ${name} (${at}.Stat).`);
}

function metricKey(namespace: string, name: string, dimensions: Record<string, string>): string {
  const dims = Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([namespace, name, dims]);
}

function dimensionRecord(dimensions: WireDimension[] | undefined): Record<string, string> {
  return Object.fromEntries((dimensions ?? []).map((d) => [d.Name ?? "", d.Value ?? ""]));
}

/** Timestamps arrive as epoch seconds (JSON protocols), Dates (CBOR) or ISO strings. */
function toMillis(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number") return value * 1000;
  if (typeof value === "string") return /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  throw invalid(`not a timestamp: ${String(value)}`);
}
