/**
 * What the packaged dev template promises an operator (lib/build/serverless-alarms.cjs and
 * serverless-dashboard.cjs): every function's errors and throttles, the age of every queue a
 * function reads, every dead-letter queue and Runway's own metrics are alarmed, each alarm tells
 * the alarm topic, each is a PutMetricAlarm that CloudWatch's API model accepts, and the dashboard
 * body is valid by CloudWatch's "Dashboard Body Structure and Syntax" and shows only metrics that
 * exist: AWS's, on this stack's resources, and Runway's, with the dimensions Powertools emits.
 *
 * Then the generator alone, with a made-up function list: a function added tomorrow is watched
 * without anyone editing it, and a bad threshold param is refused by name.
 */
import { createRequire } from "node:module";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { serviceModel, type SchemaRef } from "../../../lib/local/aws-emulator/models.ts";
import { checkShape, validateRequest } from "../../../lib/local/aws-emulator/validate.ts";
import { RUNWAY_METRICS } from "../../../lib/observability/metrics.ts";
import { missingSources, ofType, packageStage, placeholderBundles, serviceDir, type Packaged } from "./harness.ts";

interface Generator {
  resources(variables: unknown): Promise<{ Resources: Record<string, any>; Outputs: Record<string, any> }>;
}
const require = createRequire(import.meta.url);
const generator = require("../../../lib/build/serverless-alarms.cjs") as Generator;

let root: string;
let dev: Packaged;

beforeAll(async () => {
  root = placeholderBundles();
  dev = await packageStage(serviceDir(root, "dev", { stubs: missingSources() }), "dev");
  if (dev.status !== 0) throw new Error(`serverless package failed:\n${dev.output}`);
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const resources = () => dev.template.Resources;
const alarms = () => ofType(dev.template, "AWS::CloudWatch::Alarm");
const alarmsOn = (namespace: string, metric: string) => alarms().filter(([, a]) => a.Properties.Namespace === namespace && a.Properties.MetricName === metric);
const dimension = (alarm: any, name: string) => alarm.Properties.Dimensions?.find((d: any) => d.Name === name)?.Value;
/** Logical id of the queue an `{ "Fn::GetAtt": [queue, "Arn"] }` names. */
const queueOf = (arn: any): string => arn["Fn::GetAtt"][0];

/** The dimensions and namespace Powertools emits a Runway metric with, in a function's environment. */
async function emitted(environment: Record<string, string>, names: string[]) {
  vi.resetModules();
  vi.stubEnv("POWERTOOLS_SERVICE_NAME", environment.POWERTOOLS_SERVICE_NAME!);
  vi.stubEnv("RUNWAY_STAGE", environment.RUNWAY_STAGE!);
  try {
    const { metrics, recordMetric } = await import("../../../lib/observability/metrics.ts");
    for (const name of names) recordMetric(name as keyof typeof RUNWAY_METRICS, 1);
    const emf = metrics.serializeMetrics() as any;
    metrics.clearMetrics();
    const [directive] = emf._aws.CloudWatchMetrics;
    const [dimensionNames] = directive.Dimensions as string[][];
    return { namespace: directive.Namespace as string, dimensions: Object.fromEntries(dimensionNames!.map((d) => [d, emf[d] as string])) };
  } finally {
    vi.unstubAllEnvs();
  }
}

describe("alarms in the dev template", () => {
  it("gives every function an Errors and a Throttles alarm on its own name, hooks and all", () => {
    const functions = ofType(dev.template, "AWS::Lambda::Function").map(([id]) => id);
    expect(functions.length).toBeGreaterThanOrEqual(14);
    expect(functions).toContain("HookDashBeforeInstallLambdaFunction"); // named CodeDeployHook_runway-dev-BeforeInstall
    for (const metric of ["Errors", "Throttles"]) {
      const watched = alarmsOn("AWS/Lambda", metric).map(([, a]) => dimension(a, "FunctionName")?.Ref);
      expect(watched.sort(), metric).toEqual([...functions].sort());
    }
  });

  it("alarms on the oldest message of every queue a function reads, at two of its visibility timeouts", () => {
    const fed = ofType(dev.template, "AWS::Lambda::EventSourceMapping").map(([, m]) => queueOf(m.Properties.EventSourceArn));
    expect(fed.sort()).toEqual(["JobQueue", "NotifyQueue", "ProtectionQueue"]);
    for (const queue of fed) {
      const [alarm] = alarmsOn("AWS/SQS", "ApproximateAgeOfOldestMessage").filter(([, a]) => dimension(a, "QueueName")["Fn::GetAtt"][0] === queue);
      expect(alarm, queue).toBeDefined();
      expect(dimension(alarm![1], "QueueName")).toEqual({ "Fn::GetAtt": [queue, "QueueName"] });
      expect(alarm![1].Properties).toMatchObject({ Statistic: "Maximum", ComparisonOperator: "GreaterThanThreshold", Threshold: 2 * resources()[queue]!.Properties.VisibilityTimeout });
    }
    // A queued job has waited 12 minutes for a runner: past the launcher's own retries.
    expect(resources().JobQueueAgeAlarm!.Properties.Threshold).toBe(720);
  });

  it("alarms when any dead-letter queue holds a message, under the names and words operators know", () => {
    const deadLetterQueues = ofType(dev.template, "AWS::SQS::Queue")
      .map(([, q]) => q.Properties.RedrivePolicy?.deadLetterTargetArn)
      .filter(Boolean)
      .map(queueOf);
    expect(deadLetterQueues.sort()).toEqual(["JobDeadLetterQueue", "NotifyDeadLetterQueue", "ProtectionDeadLetterQueue"]);
    const notEmpty = alarmsOn("AWS/SQS", "ApproximateNumberOfMessagesVisible").filter(([, a]) => a.Properties.Threshold === 0 && a.Properties.ComparisonOperator === "GreaterThanThreshold");
    expect(notEmpty.map(([, a]) => dimension(a, "QueueName")["Fn::GetAtt"][0]).sort()).toEqual(deadLetterQueues);
    expect(resources().JobDeadLetterAlarm!.Properties).toMatchObject({
      AlarmName: "runway-dev-jobs-dlq-not-empty",
      AlarmDescription: "Runner launches were parked in the job dead-letter queue; read the reason attribute, fix, then `npx runway replay`",
    });
    expect(resources().ProtectionDeadLetterAlarm!.Properties.AlarmName).toBe("runway-dev-protection-dlq-not-empty");
    expect(resources().NotifyDeadLetterAlarm!.Properties.AlarmName).toBe("runway-dev-notify-dlq-not-empty");
  });

  it("alarms only on Runway metrics that exist, with the namespace and dimensions Powertools emits them with", async () => {
    const launcher = ofType(dev.template, "AWS::Lambda::Function").find(([id]) => id === "RunnerDashlauncherLambdaFunction")![1];
    const filtered = new Set(ofType(dev.template, "AWS::Logs::MetricFilter").flatMap(([, f]) => f.Properties.MetricTransformations.map((t: any) => `${t.MetricNamespace}/${t.MetricName}`)));
    const own = alarms().filter(([, a]) => a.Properties.Namespace === "Runway" && !filtered.has(`Runway/${a.Properties.MetricName}`));
    const names = own.map(([, a]) => a.Properties.MetricName as string);
    expect(names.sort()).toEqual(["ForeignJobCaught", "GitHubRateLimitRemaining", "LaunchParked", "ReconcilerFailed", "RunnerInstallFailed", "RunnerReleaseBehind", "SlackDeliveryFailed"]);
    for (const name of names) expect(Object.keys(RUNWAY_METRICS), name).toContain(name);

    const emf = await emitted(launcher.Properties.Environment.Variables, names);
    expect(emf).toEqual({ namespace: "Runway", dimensions: { service: "runway", stage: "dev" } });
    for (const [id, a] of own) {
      const dimensions = Object.fromEntries(a.Properties.Dimensions.map((d: any) => [d.Name, d.Value]));
      expect(dimensions, id).toEqual(emf.dimensions);
    }
    // The launcher's SSM limit comes from its own log, through the template's metric filter.
    expect(resources().ParameterLimitAlarm!.Properties).toMatchObject({ Namespace: "Runway", MetricName: "ParameterLimitExceeded-dev" });
  });

  it("fires each Runway alarm on what the issue asks: any parked launch, foreign job or failed install; a failing reconciler, Slack, rate limit and release", () => {
    const on = (metric: string) => alarmsOn("Runway", metric)[0]![1].Properties;
    for (const metric of ["LaunchParked", "ForeignJobCaught", "RunnerInstallFailed"]) {
      expect(on(metric), metric).toMatchObject({ Statistic: "Sum", Period: 60, DatapointsToAlarm: 1, Threshold: 0, ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "notBreaching" });
    }
    expect(on("ReconcilerFailed")).toMatchObject({ Period: 60, DatapointsToAlarm: 5, EvaluationPeriods: 6, TreatMissingData: "notBreaching" });
    expect(on("SlackDeliveryFailed")).toMatchObject({ Period: 60, DatapointsToAlarm: 5, EvaluationPeriods: 10 });
    expect(on("GitHubRateLimitRemaining")).toMatchObject({ Statistic: "Minimum", Threshold: 500, ComparisonOperator: "LessThanThreshold" });
    // A day of hourly runs that were all behind; a day of no runs at all is told as INSUFFICIENT_DATA.
    expect(on("RunnerReleaseBehind")).toMatchObject({ Statistic: "Minimum", Period: 3600, EvaluationPeriods: 24, DatapointsToAlarm: 24, TreatMissingData: "missing", InsufficientDataActions: [{ Ref: "AlarmTopic" }] });
  });

  it("tells the alarm topic when each alarm fires and when it clears, each under a name of its own", () => {
    expect(resources().AlarmTopic!.Type).toBe("AWS::SNS::Topic");
    for (const [id, a] of alarms()) {
      expect(a.Properties.AlarmActions, id).toEqual([{ Ref: "AlarmTopic" }]);
      expect(a.Properties.OKActions, id).toEqual([{ Ref: "AlarmTopic" }]);
      expect(a.Properties.AlarmName, id).toMatch(/^runway-dev-[A-Za-z0-9-]+$/);
      expect(a.Properties.AlarmDescription?.length, id).toBeGreaterThan(40);
    }
    const names = alarms().map(([, a]) => a.Properties.AlarmName);
    expect(new Set(names).size).toBe(names.length);
  });

  it("sends CloudWatch only PutMetricAlarm requests its API model accepts, within its evaluation limits", async () => {
    const model = (await serviceModel("monitoring"))!;
    const putMetricAlarm = model.operation("PutMetricAlarm")!;
    for (const [id, a] of alarms()) {
      const request = resolveIntrinsics(a.Properties);
      expect(await validateRequest("monitoring", "PutMetricAlarm", "query", request), id).toBeUndefined();
      // The emulator names members a shape lacks only when it checks answers: the same walk over
      // PutMetricAlarm's input finds a property CloudWatch would not know.
      const unknown = checkShape(request, putMetricAlarm.input as SchemaRef, { model, protocol: "query", direction: "output" }).filter((issue) => issue.problem === "unknown");
      expect(unknown, id).toEqual([]);
      const { Period, EvaluationPeriods, DatapointsToAlarm = EvaluationPeriods, TreatMissingData } = a.Properties;
      expect(["breaching", "notBreaching", "ignore", "missing"], id).toContain(TreatMissingData);
      expect(Period % 60, id).toBe(0);
      expect(DatapointsToAlarm, id).toBeLessThanOrEqual(EvaluationPeriods);
      // CloudWatch: at most a day of evaluation for periods under an hour, seven days otherwise.
      expect(Period * EvaluationPeriods, id).toBeLessThanOrEqual(Period < 3600 ? 86_400 : 604_800);
    }
  });
});

/** The template's `${…}` references, as the test reads them once the stack resolves them. */
const PSEUDO = { "AWS::Region": "eu-west-1", "AWS::AccountId": "111111111111", "AWS::Partition": "aws" } as Record<string, string>;

/** The dashboard body with each `${Ref}` as `ref:<id>` and each `${Id.Attribute}` as `att:<id>.<attribute>`, checked to exist. */
function dashboardBody(): any {
  const text: string = resources().RunwayDashboard!.Properties.DashboardBody["Fn::Sub"];
  const substituted = text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name in PSEUDO) return PSEUDO[name]!;
    const [id, attribute] = name.split(".");
    if (!resources()[id!]) throw new Error(`the dashboard names \${${name}}, but the template has no resource ${id}`);
    return attribute ? `att:${id}.${attribute}` : `ref:${id}`;
  });
  return JSON.parse(substituted);
}

const STAT = /^(SampleCount|Average|Sum|Minimum|Maximum|p\d{1,2}(\.\d+)?)$/;
/** AWS's metrics the dashboard may show: the Lambda and SQS metrics pages of their user guides. */
const AWS_METRICS: Record<string, { metrics: string[]; dimension: string; resource: (value: string) => boolean }> = {
  "AWS/Lambda": {
    metrics: ["Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions"],
    dimension: "FunctionName",
    resource: (v) => v.startsWith("ref:") && resources()[v.slice(4)]?.Type === "AWS::Lambda::Function",
  },
  "AWS/SQS": {
    metrics: ["ApproximateAgeOfOldestMessage", "ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible", "NumberOfMessagesSent"],
    dimension: "QueueName",
    resource: (v) => /^att:[A-Za-z0-9]+\.QueueName$/.test(v) && resources()[v.slice(4).split(".")[0]!]?.Type === "AWS::SQS::Queue",
  },
};

describe("the dev dashboard", () => {
  it("is named for its stage and follows CloudWatch's dashboard body structure: a 24-column grid, no widget over another", async () => {
    const dashboard = resources().RunwayDashboard!;
    expect(dashboard.Type).toBe("AWS::CloudWatch::Dashboard");
    expect(dashboard.Properties.DashboardName).toBe("runway-dev");
    expect(dev.template.Outputs?.DashboardName?.Value).toBe("runway-dev");
    expect(await validateRequest("monitoring", "PutDashboard", "query", { DashboardName: "runway-dev", DashboardBody: JSON.stringify(dashboardBody()) })).toBeUndefined();
    const { widgets } = dashboardBody();
    expect(widgets.length).toBeGreaterThan(0);
    expect(widgets.length).toBeLessThanOrEqual(500);
    const taken = new Set<string>();
    for (const [i, w] of widgets.entries()) {
      expect(["metric", "text", "log", "alarm", "explorer"], `widget ${i}`).toContain(w.type);
      expect(Number.isInteger(w.x) && w.x >= 0 && w.x <= 23 && Number.isInteger(w.y) && w.y >= 0, `widget ${i} position`).toBe(true);
      expect(w.width >= 1 && w.x + w.width <= 24 && w.height >= 1 && w.height <= 1000, `widget ${i} size`).toBe(true);
      for (let x = w.x; x < w.x + w.width; x++) {
        for (let y = w.y; y < w.y + w.height; y++) {
          expect(taken.has(`${x},${y}`), `widget ${i} (${w.properties.title}) overlaps another at ${x},${y}`).toBe(false);
          taken.add(`${x},${y}`);
        }
      }
      if (w.type === "text") expect(typeof w.properties.markdown).toBe("string");
      if (w.type === "metric") {
        expect(w.properties.region, `widget ${i}`).toBe("eu-west-1");
        expect(w.properties.metrics.length, `widget ${i}`).toBeGreaterThan(0);
        expect(w.properties.period % 60, `widget ${i}`).toBe(0);
        expect(w.properties.stat).toMatch(STAT);
      }
    }
  });

  it("shows only metrics that exist: AWS's on this stack's functions and queues, Runway's as they are emitted", async () => {
    const launcher = ofType(dev.template, "AWS::Lambda::Function").find(([id]) => id === "RunnerDashlauncherLambdaFunction")![1];
    const shown = dashboardBody()
      .widgets.filter((w: any) => w.type === "metric")
      .flatMap((w: any) => w.properties.metrics);
    const runwayNames = new Set<string>();
    for (const entry of shown) {
      const rendering = typeof entry.at(-1) === "object" ? entry.at(-1) : {};
      const [namespace, name, ...pairs] = typeof entry.at(-1) === "object" ? entry.slice(0, -1) : entry;
      expect(namespace).not.toBe("."); // written out, so each line stands alone
      expect(pairs.length % 2, `${namespace} ${name}`).toBe(0);
      const dimensions = Object.fromEntries(Array.from({ length: pairs.length / 2 }, (_, i) => [pairs[2 * i], pairs[2 * i + 1]]));
      if (rendering.stat) expect(rendering.stat).toMatch(STAT);
      if (namespace === "Runway") {
        expect(Object.keys(RUNWAY_METRICS), name).toContain(name);
        runwayNames.add(name);
        continue;
      }
      const known = AWS_METRICS[namespace];
      expect(known, `namespace ${namespace}`).toBeDefined();
      expect(known!.metrics, `${namespace} ${name}`).toContain(name);
      expect(Object.keys(dimensions), `${namespace} ${name}`).toEqual([known!.dimension]);
      expect(known!.resource(dimensions[known!.dimension]), `${namespace} ${name} on ${dimensions[known!.dimension]}`).toBe(true);
    }
    const emf = await emitted(launcher.Properties.Environment.Variables, [...runwayNames]);
    for (const entry of shown.filter((e: any) => e[0] === "Runway")) {
      expect(Object.fromEntries([[entry[2], entry[3]], [entry[4], entry[5]]]), entry[1]).toEqual(emf.dimensions);
    }
  });

  it("shows what the issue asks at a glance: every alarm, launch latency, queues, DLQs, functions, reconciler, redeliveries, rate limit, verdicts, Slack, installs", () => {
    const body = dashboardBody();
    const alarmed = body.widgets.filter((w: any) => w.type === "alarm").flatMap((w: any) => w.properties.alarms);
    expect(alarmed.sort()).toEqual(alarms().map(([id]) => `att:${id}.Arn`).sort());
    for (const w of body.widgets.filter((w: any) => w.type === "alarm")) expect(w.properties.alarms.length).toBeLessThanOrEqual(100);

    const lines = body.widgets.filter((w: any) => w.type === "metric").flatMap((w: any) => w.properties.metrics.map((m: any) => ({ ...m.at(-1), stat: m.at(-1).stat ?? w.properties.stat, metric: m[1], on: m[3] })));
    const has = (metric: string, where: Partial<{ stat: string; on: string }> = {}) => lines.some((l: any) => l.metric === metric && Object.entries(where).every(([k, v]) => l[k] === v));
    for (const latency of ["DeliveryToStartBuild", "QueuedToJobTaken"]) for (const stat of ["p50", "p99"]) expect(has(latency, { stat }), `${latency} ${stat}`).toBe(true);
    for (const queue of ["JobQueue", "ProtectionQueue", "NotifyQueue"]) {
      expect(has("ApproximateNumberOfMessagesVisible", { on: `att:${queue}.QueueName` }), queue).toBe(true);
      expect(has("ApproximateAgeOfOldestMessage", { on: `att:${queue}.QueueName` }), queue).toBe(true);
    }
    for (const dlq of ["JobDeadLetterQueue", "ProtectionDeadLetterQueue", "NotifyDeadLetterQueue"]) expect(has("ApproximateNumberOfMessagesVisible", { on: `att:${dlq}.QueueName` }), dlq).toBe(true);
    for (const [id] of ofType(dev.template, "AWS::Lambda::Function")) for (const metric of ["Errors", "Throttles", "Duration"]) expect(has(metric, { on: `ref:${id}` }), `${metric} of ${id}`).toBe(true);
    for (const metric of ["RunnerLaunched", "ReconcilerRelaunched", "ReconcilerBuildStopped", "ReconcilerJitConfigDeleted", "ReconcilerFailed", "RedeliveryRequested", "HookSucceeded", "HookFailed", "SlackDeliveryFailed", "RunnerInstallFailed"]) {
      expect(has(metric), metric).toBe(true);
    }
    expect(has("GitHubRateLimitRemaining", { stat: "Minimum" })).toBe(true);
  });
});

/** osls's view of a made-up serverless.yml, as a `${file(…)}` function receives it. */
function variables(functions: Record<string, unknown>, params: Record<string, unknown> = {}) {
  return {
    resolveVariable: async (variable: string) => {
      if (variable === "sls:stage") return "stg";
      const param = /^param:(\w+), null$/.exec(variable)?.[1];
      if (param) return params[param] ?? null;
      if (variable.startsWith("self:provider.environment.POWERTOOLS_SERVICE_NAME")) return "runway";
      throw new Error(`unexpected variable ${variable}`);
    },
    resolveConfigurationProperty: async (path: string[]) => (path.join(".") === "functions" ? functions : undefined),
  };
}

describe("the generator, for functions not written yet", () => {
  const queued = { sqs: { arn: { "Fn::GetAtt": ["ReleaseQueue", "Arn"] } } };

  it("watches a function added to serverless.yml, and the queue it reads, with no change to the generator", async () => {
    const { Resources } = await generator.resources(variables({ "runner-release": { description: "Keep the runner current", timeout: 45, events: [{ schedule: "rate(1 hour)" }, queued] } }));
    expect(Resources.RunnerDashreleaseErrorsAlarm.Properties).toMatchObject({ AlarmName: "runway-stg-runner-release-errors", Dimensions: [{ Name: "FunctionName", Value: { Ref: "RunnerDashreleaseLambdaFunction" } }] });
    expect(Resources.RunnerDashreleaseThrottlesAlarm.Properties.MetricName).toBe("Throttles");
    // Six times the 45 s timeout is the queue's visibility timeout; twice that is the alarm.
    expect(Resources.ReleaseQueueAgeAlarm.Properties).toMatchObject({ Threshold: 540, Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": ["ReleaseQueue", "QueueName"] } }] });
    expect(Resources.ReleaseQueueAgeAlarm.Properties.AlarmDescription).toContain("Keep the runner current");
    const body = Resources.RunwayDashboard.Properties.DashboardBody["Fn::Sub"];
    expect(body).toContain("${RunnerDashreleaseLambdaFunction}");
    expect(body).toContain("${ReleaseQueue.QueueName}");
    expect(body).toContain("${RunnerDashreleaseErrorsAlarm.Arn}");
    // No launcher, no launcher's log to filter.
    expect(Resources.ParameterLimitAlarm).toBeUndefined();
  });

  it("takes an operator's thresholds from the stage params", async () => {
    const { Resources } = await generator.resources(variables({}, { alarmGitHubRateLimitFloor: 200, alarmReconcilerFailedMinutes: "3", alarmRunnerReleaseBehindHours: 48 }));
    expect(Resources.GitHubRateLimitLowAlarm.Properties.Threshold).toBe(200);
    expect(Resources.ReconcilerFailedAlarm.Properties).toMatchObject({ DatapointsToAlarm: 3, EvaluationPeriods: 4 });
    expect(Resources.RunnerReleaseBehindAlarm.Properties).toMatchObject({ EvaluationPeriods: 48, DatapointsToAlarm: 48 });
    expect(JSON.parse(Resources.RunwayDashboard.Properties.DashboardBody["Fn::Sub"]).widgets.flatMap((w: any) => w.properties.annotations?.horizontal ?? [])).toContainEqual({ label: "alarm floor", value: 200 });
  });

  it("refuses a threshold param CloudWatch could not take, naming it and what it may be", async () => {
    await expect(generator.resources(variables({}, { alarmSlackFailedMinutes: "ten" }))).rejects.toThrow('params.alarmSlackFailedMinutes in serverless.yml must be a whole number from 1 to 1440, not "ten"');
    await expect(generator.resources(variables({}, { alarmRunnerReleaseBehindHours: 200 }))).rejects.toThrow("params.alarmRunnerReleaseBehindHours in serverless.yml must be a whole number from 1 to 168, not 200");
  });

  it("refuses an SQS event whose queue it cannot name, and two functions on one queue", async () => {
    await expect(generator.resources(variables({ odd: { events: [{ sqs: "arn:aws:sqs:eu-west-1:111111111111:elsewhere" }] } }))).rejects.toThrow(
      "function odd in serverless.yml: its sqs event's arn must be !GetAtt <Queue>.Arn",
    );
    await expect(generator.resources(variables({ a: { events: [queued] }, b: { events: [queued] } }))).rejects.toThrow("functions a and b in serverless.yml both read ReleaseQueue");
  });
});

/** A template value as the request CloudFormation would send once the stack resolves it. */
function resolveIntrinsics(value: any): any {
  if (Array.isArray(value)) return value.map(resolveIntrinsics);
  if (value && typeof value === "object") {
    if ("Ref" in value) return `ref-${value.Ref}`;
    if ("Fn::GetAtt" in value) return `att-${value["Fn::GetAtt"].join("-")}`;
    if ("Fn::Sub" in value) return String(value["Fn::Sub"]);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveIntrinsics(v)]));
  }
  return value;
}
