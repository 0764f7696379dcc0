/**
 * The cloudwatch check against the emulator's metrics, through the real CloudWatch client: metric
 * statistics, metric math, the three outcomes, no data, and the analysis loop's limits over them.
 */
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { cloudWatchCheckSchema } from "../../../lib/config/deploy-checks-schema.ts";
import { analyse, pendingResult } from "../../../lib/deploy/analysis.ts";
import { cloudWatchMeasure } from "../../../lib/deploy/checks/cloudwatch.ts";
import { startAwsEmulator, type AwsEmulator } from "../../../lib/local/aws-emulator/server.ts";
import { createCloudWatchEmulation, type CloudWatchEmulation } from "../../../lib/local/aws-emulator/services/cloudwatch.ts";
import { ecsDeployment, envFor } from "../../unit/deploy/support.ts";

let aws: AwsEmulator;
let cloudwatch: CloudWatchEmulation;

beforeAll(async () => {
  cloudwatch = createCloudWatchEmulation();
  aws = await startAwsEmulator({ services: [cloudwatch] });
  process.env.AWS_ENDPOINT_URL_CLOUDWATCH = aws.url;
  resetAwsClients();
});
afterAll(async () => {
  await aws.close();
  delete process.env.AWS_ENDPOINT_URL_CLOUDWATCH;
  resetAwsClients();
});
beforeEach(() => cloudwatch.clearMetrics());

const MINUTE = 60_000;
const ERRORS = { namespace: "Shop", name: "Errors", dimensions: { Service: "shop-prd" } };
const REQUESTS = { namespace: "Shop", name: "Requests", dimensions: { Service: "shop-prd" } };

/** One datapoint per minute, newest first: values[0] in the current minute, values[1] a minute before … */
function perMinute(metric: typeof ERRORS, values: number[]) {
  const thisMinute = Math.floor(Date.now() / MINUTE) * MINUTE;
  cloudwatch.putMetric(metric, values.map((value, i) => ({ at: thisMinute - i * MINUTE + 1_000, value })));
}

const check = (over: Record<string, unknown>) =>
  cloudWatchCheckSchema.parse({
    type: "cloudwatch",
    name: "errors",
    metric: { namespace: "Shop", name: "Errors", stat: "Sum", dimensions: { Service: "{deploymentGroupName}" } },
    window: "5m",
    ...over,
  });

const measure = (over: Record<string, unknown>) => cloudWatchMeasure(check(over), envFor(ecsDeployment()))(AbortSignal.timeout(5_000));

describe("cloudwatch check, one measurement", () => {
  it("passes when the success condition holds over the metric's statistic (dimensions from placeholders)", async () => {
    perMinute(ERRORS, [0, 0, 0]);
    const found = await measure({ successCondition: "max(result) < 1" });
    expect(found).toMatchObject({ ok: true, data: { outcome: "passed", datapoints: 3, "max(result)": 0 } });
    expect(found.summary).toBe('Sum of Shop Errors {Service={deploymentGroupName}} per 60s over 5m: 3 datapoints, max(result) 0 — successCondition "max(result) < 1" holds');
    expect(aws.calls.at(-1)).toMatchObject({ operation: "GetMetricData", input: { MetricDataQueries: [{ Id: "result", MetricStat: { Metric: { Dimensions: [{ Name: "Service", Value: "shop-prd" }] }, Period: 60, Stat: "Sum" } }] } });
  });

  it("fails when only a success condition is given and it does not hold", async () => {
    perMinute(ERRORS, [4, 1]);
    const found = await measure({ successCondition: "result < 1" });
    expect(found).toMatchObject({ ok: false, data: { outcome: "failed", latest: 4 } });
    expect(found.inconclusive).toBeUndefined();
    expect(found.summary).toContain('successCondition "result < 1" does not hold');
  });

  it("fails on the failure condition first, even when the success condition holds too (Argo's order)", async () => {
    perMinute(ERRORS, [7]);
    const found = await measure({ successCondition: "count(result) >= 1", failureCondition: "result >= 5" });
    expect(found).toMatchObject({ ok: false, data: { outcome: "failed", failure: true, success: true } });
  });

  it("passes when only a failure condition is given and it does not hold", async () => {
    perMinute(ERRORS, [2]);
    expect(await measure({ failureCondition: "result >= 5" })).toMatchObject({ ok: true, data: { outcome: "passed" } });
  });

  it("is inconclusive when both conditions are given and neither holds", async () => {
    perMinute(ERRORS, [3, 2]);
    const found = await measure({ successCondition: "result < 1", failureCondition: "result >= 5" });
    expect(found).toMatchObject({ ok: false, inconclusive: true, data: { outcome: "inconclusive", success: false, failure: false } });
    expect(found.summary).toMatch(/failureCondition "result >= 5" does not hold, successCondition "result < 1" does not hold: inconclusive$/);
  });

  it("is inconclusive with no data, whichever conditions are given", async () => {
    perMinute({ ...ERRORS, dimensions: { Service: "another-group" } }, [9]);
    for (const conditions of [{ successCondition: "result < 1" }, { failureCondition: "result > 1" }, { successCondition: "avg(result) < 1", failureCondition: "max(result) > 5" }]) {
      const found = await measure(conditions);
      expect(found).toMatchObject({ ok: false, inconclusive: true, data: { datapoints: 0, latest: null } });
      expect(found.summary).toContain("no datapoints");
      expect(found.summary).toMatch(/inconclusive \(no data\)$/);
    }
  });

  it("evaluates a metric-math expression over its metrics (an error rate, gaps filled)", async () => {
    perMinute(ERRORS, [1, 0]);
    perMinute(REQUESTS, [200, 100, 50]);
    const math = {
      metric: undefined,
      expression: "100 * FILL(errors, 0) / requests",
      metrics: {
        errors: { namespace: "Shop", name: "Errors", stat: "Sum", dimensions: { Service: "shop-prd" } },
        requests: { namespace: "Shop", name: "Requests", stat: "Sum", dimensions: { Service: "shop-prd" } },
      },
    };
    const found = await measure({ ...math, successCondition: "max(result) < 1", failureCondition: "result >= 5" });
    expect(found).toMatchObject({ ok: true, data: { outcome: "passed", datapoints: 3, "max(result)": 0.5 } });
    expect(found.summary.startsWith("expression 100 * FILL(errors, 0) / requests over 5m: 3 datapoints")).toBe(true);
    const sent = aws.calls.at(-1)?.input as { MetricDataQueries: Array<{ Id: string; ReturnData: boolean }> };
    expect(sent.MetricDataQueries.map((q) => [q.Id, q.ReturnData])).toEqual([["errors", false], ["requests", false], ["result", true]]);

    perMinute(ERRORS, [12]);
    expect(await measure({ ...math, successCondition: "max(result) < 1", failureCondition: "result >= 5" })).toMatchObject({ ok: false, data: { outcome: "failed" } });
  });

  it("answers a failed measurement with CloudWatch's own error when an expression is refused", async () => {
    perMinute(ERRORS, [1]);
    const refused = { metric: undefined, expression: "ANOMALY_DETECTION_BAND(errors)", metrics: { errors: { namespace: "Shop", name: "Errors", stat: "Sum" } }, successCondition: "result < 1" };
    await expect(measure(refused)).rejects.toThrow(/Error in expression result: the local emulator does not compute ANOMALY_DETECTION_BAND/);
  });
});

describe("cloudwatch check, repeated measurements", () => {
  const run = async (over: Record<string, unknown>, before: (n: number) => void) => {
    const config = check({ count: 4, interval: "1ms", ...over });
    const result = pendingResult({ ...config, name: "errors" });
    let n = 0;
    const inner = cloudWatchMeasure(config, envFor(ecsDeployment()));
    await analyse(config, async (signal) => {
      before(n++);
      return inner(signal);
    }, result, AbortSignal.timeout(10_000));
    return result;
  };
  const conditions = { successCondition: "result < 1", failureCondition: "result >= 5" };

  it("passes with inconclusive measurements within inconclusiveLimit", async () => {
    const result = await run({ ...conditions, inconclusiveLimit: 1 }, (n) => {
      cloudwatch.clearMetrics();
      perMinute(ERRORS, [n === 1 ? 3 : 0]);
    });
    expect(result).toMatchObject({ status: "passed", inconclusive: 1, failures: 0, reason: "3/4 measurements passed, 1 inconclusive" });
  });

  it("is inconclusive once inconclusive measurements exceed the limit, and stops measuring", async () => {
    const result = await run({ ...conditions, inconclusiveLimit: 1, inconclusive: "pass" }, () => {
      cloudwatch.clearMetrics();
      perMinute(ERRORS, [3]);
    });
    expect(result).toMatchObject({ status: "inconclusive", inconclusive: 2, inconclusivePolicy: "pass", reason: "2 of 2 measurements inconclusive, more than inconclusiveLimit 1" });
  });

  it("is inconclusive when there is no data at all", async () => {
    const result = await run({ ...conditions, inconclusiveLimit: 2 }, () => cloudwatch.clearMetrics());
    expect(result).toMatchObject({ status: "inconclusive", inconclusive: 3 });
    expect(result.measurements.every((m) => m.summary.endsWith("inconclusive (no data)"))).toBe(true);
  });

  it("fails past failureLimit", async () => {
    const result = await run({ ...conditions, failureLimit: 1 }, () => {
      cloudwatch.clearMetrics();
      perMinute(ERRORS, [9]);
    });
    expect(result).toMatchObject({ status: "failed", failures: 2 });
  });
});

describe("emulated GetMetricData and PutMetricData", () => {
  const client = () => new CloudWatchClient({ endpoint: aws.url, region: "eu-west-1", maxAttempts: 1 });

  it("stores what PutMetricData sends and aggregates it per period into the asked statistic", async () => {
    const thisMinute = Math.floor(Date.now() / MINUTE) * MINUTE;
    await client().send(
      new PutMetricDataCommand({
        Namespace: "Shop",
        MetricData: [
          { MetricName: "Latency", Timestamp: new Date(thisMinute + 1_000), Values: [10, 20, 30, 40], Counts: [1, 1, 1, 1] },
          { MetricName: "Latency", Timestamp: new Date(thisMinute - MINUTE + 1_000), Value: 100 },
        ],
      }),
    );
    const stat = (Stat: string, Id: string) => ({ Id, MetricStat: { Metric: { Namespace: "Shop", MetricName: "Latency" }, Period: 60, Stat } });
    const answer = await client().send(
      new GetMetricDataCommand({
        MetricDataQueries: [stat("Average", "avg"), stat("p50", "median"), stat("SampleCount", "n"), { Id: "twice", Expression: "avg * 2" }],
        StartTime: new Date(thisMinute - 5 * MINUTE),
        EndTime: new Date(thisMinute + MINUTE),
        ScanBy: "TimestampAscending",
      }),
    );
    const byId = Object.fromEntries((answer.MetricDataResults ?? []).map((r) => [r.Id, r.Values]));
    expect(byId).toEqual({ avg: [100, 25], median: [100, 20], n: [1, 4], twice: [200, 50] });
    expect(answer.MetricDataResults?.[0]?.Timestamps?.map((t) => t.getTime())).toEqual([thisMinute - MINUTE, thisMinute]);
  });

  it("refuses what CloudWatch refuses: both MetricStat and Expression, a bad period, an upper-case id", async () => {
    const range = { StartTime: new Date(Date.now() - MINUTE), EndTime: new Date() };
    const metric = { Metric: { Namespace: "Shop", MetricName: "Errors" }, Period: 60, Stat: "Sum" };
    await expect(client().send(new GetMetricDataCommand({ ...range, MetricDataQueries: [{ Id: "a", MetricStat: metric, Expression: "a" }] }))).rejects.toThrow(/exactly one of MetricStat and Expression/);
    await expect(client().send(new GetMetricDataCommand({ ...range, MetricDataQueries: [{ Id: "a", MetricStat: { ...metric, Period: 45 } }] }))).rejects.toThrow(/multiple of 60/);
    await expect(client().send(new GetMetricDataCommand({ ...range, MetricDataQueries: [{ Id: "Errors", MetricStat: metric }] }))).rejects.toThrow(/lower-case letter/);
  });
});
