import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, DescribeTaskSetsCommand, ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { alarmsCheckSchema, ecsCheckSchema, lambdaCheckSchema, targetHealthCheckSchema } from "../../../lib/config/deploy-checks-schema.ts";
import { alarmsMeasure } from "../../../lib/deploy/checks/alarms.ts";
import { ecsMeasure } from "../../../lib/deploy/checks/ecs.ts";
import { lambdaMeasure } from "../../../lib/deploy/checks/lambda.ts";
import { targetHealthMeasure } from "../../../lib/deploy/checks/target-health.ts";
import { CheckSetupError } from "../../../lib/deploy/errors.ts";
import { ecsDeployment, envFor, lambdaDeployment } from "./support.ts";

const ecs = mockClient(ECSClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const cloudwatch = mockClient(CloudWatchClient);
const lambda = mockClient(LambdaClient);
const signal = () => AbortSignal.timeout(5_000);
const DIGEST = `sha256:${"a".repeat(64)}`;

beforeEach(() => resetAwsClients());
afterEach(() => [ecs, elbv2, cloudwatch, lambda].forEach((m) => m.reset()));

function seedEcs(options: { health?: string; image?: string; digest?: string; definitionImage?: string; stability?: string; running?: number } = {}) {
  ecs.on(DescribeTaskSetsCommand).resolves({
    taskSets: [
      {
        id: "ecs-svc/2",
        externalId: "d-TEST12345",
        taskDefinition: "arn:aws:ecs:eu-west-1:1:task-definition/shop:7",
        computedDesiredCount: 2,
        runningCount: options.running ?? 2,
        pendingCount: 0,
        stabilityStatus: (options.stability ?? "STEADY_STATE") as "STEADY_STATE",
      },
    ],
  });
  ecs.on(ListTasksCommand).resolves({ taskArns: ["arn:task/main/a", "arn:task/main/b"] });
  const container = { name: "web", image: options.image ?? "shop:2.0.0", imageDigest: options.digest ?? DIGEST };
  ecs.on(DescribeTasksCommand).resolves({
    tasks: ["a", "b"].map((id) => ({ taskArn: `arn:task/main/${id}`, lastStatus: "RUNNING", healthStatus: (options.health ?? "HEALTHY") as "HEALTHY", containers: [container] })),
  });
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ name: "web", image: options.definitionImage ?? "shop:2.0.0" }] } });
}

describe("ecs check", () => {
  const check = (over: Record<string, unknown> = {}) => ecsCheckSchema.parse({ type: "ecs", name: "tasks", ...over });

  it("passes a steady, healthy replacement task set running the defined image", async () => {
    seedEcs();
    const found = await ecsMeasure(check(), envFor(ecsDeployment()))(signal());
    expect(found.ok).toBe(true);
    expect(found.data).toMatchObject({ desired: 2, running: 2, healthy: 2, tasks: 2, imageMismatches: 0 });
    expect(ecs.commandCalls(ListTasksCommand)[0]?.args[0].input).toMatchObject({ cluster: "main", startedBy: "ecs-svc/2" });
  });

  it("fails unhealthy tasks, and explains UNKNOWN health", async () => {
    seedEcs({ health: "UNKNOWN" });
    const found = await ecsMeasure(check(), envFor(ecsDeployment()))(signal());
    expect(found.ok).toBe(false);
    expect(found.summary).toContain("set allowUnknownHealth: true");
    expect((await ecsMeasure(check({ allowUnknownHealth: true }), envFor(ecsDeployment()))(signal())).ok).toBe(true);
  });

  it("fails tasks that run another image than the definition names, by tag or by digest", async () => {
    seedEcs({ image: "shop:1.9.0" });
    expect((await ecsMeasure(check(), envFor(ecsDeployment()))(signal())).summary).toContain("runs shop:1.9.0, expected shop:2.0.0");
    ecs.reset();
    seedEcs({ definitionImage: `shop@${DIGEST}`, digest: `sha256:${"b".repeat(64)}` });
    expect((await ecsMeasure(check(), envFor(ecsDeployment()))(signal())).summary).toContain(`expected ${DIGEST}`);
  });

  it("fails a task set still settling, and one the appspec did not name", async () => {
    seedEcs({ stability: "STABILIZING", running: 1 });
    const deployment = ecsDeployment();
    deployment.ecs!.appSpecTaskDefinition = "shop:8";
    const found = await ecsMeasure(check(), envFor(deployment))(signal());
    expect(found.summary).toContain("stability STABILIZING, not STEADY_STATE");
    expect(found.summary).toContain("running 1 of 2 desired");
    expect(found.summary).toContain("task set runs shop:7, the appspec names shop:8");
  });

  it("cannot run in a Lambda deployment", async () => {
    await expect(ecsMeasure(check(), envFor(lambdaDeployment()))(signal())).rejects.toThrow(CheckSetupError);
  });
});

describe("targetHealth check", () => {
  const check = (over: Record<string, unknown> = {}) => targetHealthCheckSchema.parse({ type: "targetHealth", name: "targets", ...over });

  it("looks up the replacement task set's target group and passes when every target is healthy", async () => {
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: "arn:tg/shop-green" }] });
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: "10.0.0.1", Port: 80 }, TargetHealth: { State: "healthy" } },
        { Target: { Id: "10.0.0.2", Port: 80 }, TargetHealth: { State: "healthy" } },
      ],
    });
    const found = await targetHealthMeasure(check(), envFor(ecsDeployment()))(signal());
    expect(found).toMatchObject({ ok: true, summary: "target group shop-green: 2/2 healthy", data: { states: { healthy: 2 } } });
    expect(elbv2.commandCalls(DescribeTargetGroupsCommand)[0]?.args[0].input).toEqual({ Names: ["shop-green"] });
  });

  it("fails when a target is not healthy or too few are", async () => {
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: "arn:tg/x" }] });
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [{ Target: { Id: "10.0.0.1", Port: 80 }, TargetHealth: { State: "unhealthy", Reason: "Target.FailedHealthChecks" } }],
    });
    const found = await targetHealthMeasure(check({ targetGroup: "{replacementTargetGroup}" }), envFor(ecsDeployment()))(signal());
    expect(found.ok).toBe(false);
    expect(found.summary).toBe(
      "target group shop-green: 0/1 healthy: 10.0.0.1:80 unhealthy (Target.FailedHealthChecks); 0 healthy, fewer than minHealthy 1",
    );
  });
});

describe("alarms check", () => {
  const check = alarmsCheckSchema.parse({ type: "alarms", name: "alarms", names: ["shop-5xx", "shop-p99", "shop-typo"] });

  it("fails on an alarm in ALARM and on one that does not exist", async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: "shop-5xx", StateValue: "OK" }],
      CompositeAlarms: [{ AlarmName: "shop-p99", StateValue: "ALARM" }],
    });
    const found = await alarmsMeasure(check, envFor(ecsDeployment()))(signal());
    expect(found.ok).toBe(false);
    expect(found.data).toEqual({ alarms: { "shop-5xx": "OK", "shop-p99": "ALARM", "shop-typo": "MISSING" } });
    expect(found.summary).toContain("shop-p99 is in ALARM");
    expect(found.summary).toContain("alarm shop-typo not found");
  });
});

describe("lambda check", () => {
  const check = (over: Record<string, unknown> = {}) => lambdaCheckSchema.parse({ type: "lambda", name: "smoke", ...over });
  const answer = (value: unknown, functionError?: string) => ({
    StatusCode: 200,
    ExecutedVersion: "7",
    FunctionError: functionError,
    Payload: new TextEncoder().encode(JSON.stringify(value)) as never,
  });

  it("invokes the deployment's new version with a summary of the deployment, and checks its answer", async () => {
    lambda.on(InvokeCommand).resolves(answer({ passed: true, checks: { db: "ok" } }));
    const found = await lambdaMeasure(check({ expect: { json: { passed: true, checks: { db: "ok" } } } }), envFor(lambdaDeployment(), "BeforeAllowTraffic"))(signal());
    expect(found.ok).toBe(true);
    const sent = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(sent.FunctionName).toBe("shop-api:7");
    expect(JSON.parse(new TextDecoder().decode(sent.Payload as Uint8Array))).toMatchObject({ deploymentId: "d-TEST12345", hook: "BeforeAllowTraffic", lambda: { targetVersion: "7" } });
  });

  it("fails on a function error or an answer that differs", async () => {
    lambda.on(InvokeCommand).resolvesOnce(answer({ errorType: "Error", errorMessage: "db unreachable" }, "Unhandled")).resolves(answer({ passed: false }));
    const env = envFor(lambdaDeployment(), "AfterAllowTraffic");
    const withPayload = check({ functionName: "shop-smoke", payload: { target: "{functionName}:{targetVersion}" }, expect: { json: { passed: true } } });
    expect((await lambdaMeasure(withPayload, env)(signal())).summary).toContain("function error (Unhandled): db unreachable");
    expect((await lambdaMeasure(withPayload, env)(signal())).summary).toContain("passed is false, expected true");
    expect(JSON.parse(new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array))).toEqual({ target: "shop-api:7" });
  });

  it("needs a function name outside Lambda deployments", async () => {
    await expect(lambdaMeasure(check(), envFor(ecsDeployment()))(signal())).rejects.toThrow(/set functionName to a smoke-test function/);
  });
});
