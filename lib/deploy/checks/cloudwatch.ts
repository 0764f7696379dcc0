/**
 * `cloudwatch` check: one GetMetricData call for the last `window` of a series — a metric
 * statistic, or a metric-math expression over its `metrics` — judged by the check's conditions as
 * Argo Rollouts judges a measurement: the failure condition first, then the success condition;
 * with both given and neither holding it is inconclusive, with one given it decides both ways.
 * A series with no datapoint leaves a condition unknown, which is inconclusive too: no data is
 * not evidence either way.
 */
import { GetMetricDataCommand, type MetricDataQuery, type MetricStat } from "@aws-sdk/client-cloudwatch";
import { cloudWatchClient } from "../../aws/cloudwatch.ts";
import type { CloudWatchCheckConfig } from "../../config/deploy-schema.ts";
import { conditionSubjects, evaluateCondition, parseCondition, RESULT_ID, subjectValue, type ConditionNode } from "../../config/metric-condition.ts";
import { CheckSetupError } from "../errors.ts";
import { fillTemplate } from "../template.ts";
import type { CheckEnv, Measure, Measurement } from "../types.ts";

type MetricConfig = NonNullable<CloudWatchCheckConfig["metric"]>;
type Found = Omit<Measurement, "startedAt" | "durationMs">;

/** GetMetricData pages; a window of a check never needs more than a few. */
const MAX_PAGES = 10;

/**
 * Builds the measurement of a cloudwatch check.
 *
 * @example
 * const { ok, inconclusive, summary } = await cloudWatchMeasure(check, env)(signal);
 * // "Sum of AWS/ApplicationELB HTTPCode_Target_5XX_Count per 60s over 5m: 5 datapoints, result 0 — successCondition "result < 1" holds"
 */
export function cloudWatchMeasure(check: CloudWatchCheckConfig, env: CheckEnv): Measure {
  const success = conditionOf(check.successCondition);
  const failure = conditionOf(check.failureCondition);
  return async (signal) => {
    const queries = buildQueries(check, env.values);
    const endTime = new Date();
    const startTime = new Date(endTime.getTime() - check.window);
    const newestFirst = await fetchSeries(queries, startTime, endTime, check.region, signal);
    return judge(check, newestFirst, { success, failure });
  };
}

function conditionOf(text: string | undefined): { text: string; tree: ConditionNode } | undefined {
  if (text === undefined) return undefined;
  try {
    return { text, tree: parseCondition(text) };
  } catch (error) {
    // The schema parsed it when the file loaded; only a configuration that skipped it gets here.
    throw new CheckSetupError(`condition "${text}" does not parse: ${(error as Error).message}`, { cause: error });
  }
}

/** The queries of one measurement: the series under RESULT_ID, its inputs (if any) not returned. */
export function buildQueries(check: CloudWatchCheckConfig, values: Record<string, string | undefined>): MetricDataQuery[] {
  if (check.metric) return [{ Id: RESULT_ID, MetricStat: metricStat(check.metric, values), ReturnData: true }];
  const inputs = Object.entries(check.metrics ?? {}).map(([id, metric]) => ({ Id: id, MetricStat: metricStat(metric, values), ReturnData: false }));
  return [...inputs, { Id: RESULT_ID, Expression: check.expression, ReturnData: true }];
}

function metricStat(metric: MetricConfig, values: Record<string, string | undefined>): MetricStat {
  return {
    Metric: {
      Namespace: metric.namespace,
      MetricName: metric.name,
      Dimensions: Object.entries(metric.dimensions).map(([Name, value]) => ({ Name, Value: fillTemplate(value, values) })),
    },
    Period: metric.period / 1000,
    Stat: metric.stat,
    ...(metric.unit ? { Unit: metric.unit } : {}),
  };
}

/** The result series, newest datapoint first, across pages. */
async function fetchSeries(queries: MetricDataQuery[], startTime: Date, endTime: Date, region: string | undefined, signal: AbortSignal): Promise<number[]> {
  const points: Array<{ at: number; value: number }> = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await cloudWatchClient(region).send(
      new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: startTime, EndTime: endTime, ScanBy: "TimestampDescending", NextToken: nextToken }),
      { abortSignal: signal },
    );
    const results = (page.MetricDataResults ?? []).filter((r) => r.Id === RESULT_ID);
    if (results.length > 1) {
      throw new CheckSetupError(`the expression returns ${results.length} series; a condition needs one: aggregate them, e.g. SUM(...)`);
    }
    const [result] = results;
    if (result?.StatusCode === "Forbidden" || result?.StatusCode === "InternalError") {
      const messages = (result.Messages ?? []).map((m) => m.Value ?? m.Code).join("; ");
      throw new Error(`GetMetricData answered ${result.StatusCode}${messages ? `: ${messages}` : ""}`);
    }
    const timestamps = result?.Timestamps ?? [];
    (result?.Values ?? []).forEach((value, i) => {
      const at = timestamps[i];
      if (at !== undefined && Number.isFinite(value)) points.push({ at: new Date(at).getTime(), value });
    });
    nextToken = page.NextToken;
  } while (nextToken && ++pages < MAX_PAGES);
  return points.sort((a, b) => b.at - a.at).map((p) => p.value);
}

type Outcome = "passed" | "failed" | "inconclusive";

function judge(check: CloudWatchCheckConfig, newestFirst: number[], conditions: Record<"success" | "failure", { text: string; tree: ConditionNode } | undefined>): Found {
  const failed = conditions.failure ? evaluateCondition(conditions.failure.tree, newestFirst) : undefined;
  const succeeded = conditions.success ? evaluateCondition(conditions.success.tree, newestFirst) : undefined;
  let outcome: Outcome;
  if (failed === true) outcome = "failed";
  else if (succeeded === true) outcome = "passed";
  else if (conditions.success && conditions.failure) outcome = "inconclusive";
  else if (conditions.success) outcome = succeeded === false ? "failed" : "inconclusive";
  else outcome = failed === false ? "passed" : "inconclusive";

  const subjects = [...new Set([conditions.success, conditions.failure].flatMap((c) => (c ? conditionSubjects(c.tree) : [])))];
  const measured = Object.fromEntries(subjects.map((s) => [label(s), subjectValue(s, newestFirst) ?? null]));
  const said = [
    conditions.failure ? `failureCondition "${conditions.failure.text}" ${truth(failed)}` : undefined,
    conditions.success ? `successCondition "${conditions.success.text}" ${truth(succeeded)}` : undefined,
  ].filter(Boolean);
  const seen =
    newestFirst.length === 0
      ? "no datapoints"
      : `${newestFirst.length} datapoint${newestFirst.length === 1 ? "" : "s"}, ${Object.entries(measured).map(([k, v]) => `${k} ${v === null ? "none" : round(v)}`).join(", ")}`;
  const verdict = outcome === "inconclusive" ? `: inconclusive${newestFirst.length === 0 ? " (no data)" : ""}` : "";
  return {
    ok: outcome === "passed",
    ...(outcome === "inconclusive" ? { inconclusive: true } : {}),
    summary: `${describeQuery(check)} over ${seconds(check.window)}: ${seen} — ${said.join(", ")}${verdict}`,
    data: { outcome, datapoints: newestFirst.length, latest: newestFirst[0] ?? null, ...measured, success: succeeded ?? null, failure: failed ?? null },
  };
}

function describeQuery(check: CloudWatchCheckConfig): string {
  if (check.metric) {
    const m = check.metric;
    const dims = Object.keys(m.dimensions).length > 0 ? ` {${Object.entries(m.dimensions).map(([k, v]) => `${k}=${v}`).join(", ")}}` : "";
    return `${m.stat} of ${m.namespace} ${m.name}${dims} per ${m.period / 1000}s`;
  }
  return `expression ${check.expression}`;
}

const label = (subject: string) => (subject === "result" ? "result" : `${subject}(result)`);
const truth = (value: boolean | undefined) => (value === undefined ? "unknown" : value ? "holds" : "does not hold");
const round = (value: number) => String(Number(value.toPrecision(6)));
const seconds = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`);
