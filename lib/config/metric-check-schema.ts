/**
 * The `cloudwatch` check (metric analysis, after Argo Rollouts' CloudWatch metrics): each
 * measurement asks GetMetricData for the last `window` of one series — a metric statistic, or a
 * metric-math `expression` over named `metrics` — and judges it with `successCondition` and/or
 * `failureCondition` (syntax in metric-condition.ts). A measurement is inconclusive when neither
 * decides (both given and neither holds, or no datapoint); more than `inconclusiveLimit` of those
 * make the check inconclusive, which `inconclusive: fail | pass` turns into a verdict, since a
 * CodeDeploy hook cannot wait for a person the way a paused rollout does.
 *
 * @example
 * - type: cloudwatch
 *   name: error-rate
 *   expression: errors / requests * 100
 *   metrics:
 *     errors: { namespace: AWS/ApplicationELB, name: HTTPCode_Target_5XX_Count, stat: Sum, dimensions: { LoadBalancer: app/shop/123 } }
 *     requests: { namespace: AWS/ApplicationELB, name: RequestCount, stat: Sum, dimensions: { LoadBalancer: app/shop/123 } }
 *   successCondition: max(result) < 1
 *   failureCondition: result >= 5
 *   count: 5
 *   interval: 1m
 *   inconclusiveLimit: 1
 */
import * as z from "zod";
import { analysisShape, duration, templated } from "./check-fields.ts";
import { ConditionSyntaxError, parseCondition, RESULT_ID } from "./metric-condition.ts";

const UNITS = [
  "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits",
  "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second",
  "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second",
  "Terabits/Second", "Count/Second", "None",
] as const;

/** The basic statistics, percentiles (p99, p99.9) and the trimmed/winsorized family (tm90 …). */
const stat = z
  .string()
  .regex(
    /^(SampleCount|Average|Sum|Minimum|Maximum|IQM|(p|tm|wm|tc|ts)(100|\d{1,2}(\.\d{1,10})?))$/,
    "expected a statistic: SampleCount, Average, Sum, Minimum, Maximum, IQM, or a percentile such as p99 (also tm90, wm90, tc90, ts90)",
  );

/** CloudWatch periods are 1, 5, 10 or 30 seconds (high resolution) or a multiple of 60 seconds. */
const period = duration.refine((ms) => [1_000, 5_000, 10_000, 30_000].includes(ms) || (ms > 0 && ms % 60_000 === 0), {
  message: "a CloudWatch period is 1s, 5s, 10s, 30s or a multiple of 1m",
});

export const metricStatSchema = z.strictObject({
  namespace: z.string().min(1).max(255),
  /** The metric's name (MetricName), e.g. HTTPCode_Target_5XX_Count. */
  name: z.string().min(1).max(255),
  /** Dimension name → value; values may use placeholders such as {deploymentGroupName}. */
  dimensions: z
    .record(z.string().min(1).max(255), templated)
    .default({})
    .refine((dims) => Object.keys(dims).length <= 30, "a metric has at most 30 dimensions"),
  stat,
  period: period.default(60_000),
  /** Only data published with this unit; all units when omitted. */
  unit: z.enum(UNITS).optional(),
});

/** CloudWatch's rule for query ids (checked in the check's refinement: a record key's own message would be lost). */
const QUERY_ID = /^[a-z][a-zA-Z0-9_]{0,254}$/;

/** A condition, checked to parse; kept as written (the check parses it again where it runs). */
const condition = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    try {
      parseCondition(text);
    } catch (error) {
      if (!(error instanceof ConditionSyntaxError)) throw error;
      ctx.addIssue({ code: "custom", message: `not a condition: ${error.message} (e.g. "result < 0.01", "avg(result) >= 100 and count(result) >= 3")` });
    }
  });

export const cloudWatchCheckSchema = z
  .strictObject({
    type: z.literal("cloudwatch"),
    ...analysisShape,
    /** One metric statistic; or give `expression` and `metrics` instead. */
    metric: metricStatSchema.optional(),
    /** Metric math over `metrics` by id, e.g. "errors / requests * 100". */
    expression: z.string().min(1).max(2048).optional(),
    metrics: z.record(z.string(), metricStatSchema).optional(),
    /** How far back each measurement looks. */
    window: duration.default(5 * 60_000),
    successCondition: condition.optional(),
    failureCondition: condition.optional(),
    /** How many inconclusive measurements are tolerated; one more and the check is inconclusive. */
    inconclusiveLimit: z.number().int().min(0).default(0),
    /** What an inconclusive check means for the hook. */
    inconclusive: z.enum(["fail", "pass"]).default("fail"),
    /** Where the metrics are; the SDK's region (AWS_REGION) when omitted. */
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "expected an AWS region like eu-west-1").optional(),
  })
  .superRefine((check, ctx) => {
    if (check.metric === undefined && check.expression === undefined) {
      ctx.addIssue({ code: "custom", path: ["metric"], message: "give a metric (namespace, name, stat …) or an expression with its metrics" });
    }
    if (check.metric !== undefined && (check.expression !== undefined || check.metrics !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["metric"], message: "give either metric, or expression with metrics, not both" });
    }
    if (check.expression !== undefined) checkExpression(check.expression, check.metrics, ctx);
    else if (check.metrics !== undefined && check.metric === undefined) {
      ctx.addIssue({ code: "custom", path: ["expression"], message: "metrics are the inputs of an expression: add expression, e.g. errors / requests * 100" });
    }
    if (check.successCondition === undefined && check.failureCondition === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["successCondition"],
        message: 'give successCondition, failureCondition or both (e.g. successCondition: "result < 0.01"); with neither, every measurement would be inconclusive',
      });
    }
    const periods = [check.metric, ...Object.values(check.metrics ?? {})].flatMap((m) => (m ? [m.period] : []));
    const longest = Math.max(0, ...periods);
    if (check.window < longest) {
      ctx.addIssue({ code: "custom", path: ["window"], message: `window (${check.window / 1000}s) is shorter than the period (${longest / 1000}s): no datapoint could fall in it` });
    }
  });

/** Every lower-case name the expression uses (outside quotes, and not a function call) must be a metric id. */
function checkExpression(expression: string, metrics: Record<string, unknown> | undefined, ctx: z.RefinementCtx): void {
  const ids = Object.keys(metrics ?? {});
  for (const id of ids) {
    if (id === RESULT_ID) {
      ctx.addIssue({ code: "custom", path: ["metrics", id], message: `"${RESULT_ID}" names the expression's own series; call this metric something else` });
    } else if (!QUERY_ID.test(id)) {
      ctx.addIssue({ code: "custom", path: ["metrics", id], message: `metric id "${id}": ids start with a lower-case letter, then letters, digits and _ (CloudWatch's rule)` });
    }
  }
  if (ids.length === 0) {
    ctx.addIssue({ code: "custom", path: ["metrics"], message: "name the expression's inputs under metrics, e.g. errors: { namespace: …, name: …, stat: Sum }" });
    return;
  }
  const unquoted = expression.replace(/'[^']*'|"[^"]*"/g, "''");
  const used = new Set<string>();
  for (const match of unquoted.matchAll(/(?<![\w.])([a-z]\w*)(?!\w)(?!\s*\()/g)) used.add(match[1]!);
  for (const name of used) {
    if (!ids.includes(name)) {
      ctx.addIssue({ code: "custom", path: ["expression"], message: `the expression uses ${name}, which is not one of its metrics (${ids.join(", ")})` });
    }
  }
}
