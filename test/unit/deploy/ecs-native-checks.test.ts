import { DescribeServiceDeploymentsCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, type ServiceRevision, type Task } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { ecsCheckSchema } from "../../../lib/config/deploy-checks-schema.ts";
import { ecsCheckEnv } from "../../../lib/deploy/ecs-native/check-env.ts";
import { revisionTasksMeasure } from "../../../lib/deploy/ecs-native/checks/revision-tasks.ts";
import { parseEcsHookEvent } from "../../../lib/deploy/ecs-native/event.ts";
import { BLUE, GREEN, hookPayload } from "./ecs-native-support.ts";

const ecs = mockClient(ECSClient);
const event = parseEcsHookEvent(hookPayload());
const DIGEST = `sha256:${"a".repeat(64)}`;
const TD = "arn:aws:ecs:us-west-2:123456789012:task-definition/shop:8";
const revision: ServiceRevision = {
  serviceRevisionArn: GREEN,
  taskDefinition: TD,
  createdAt: new Date("2026-12-01T10:00:00Z"),
  containerImages: [{ containerName: "web", image: "shop:2.0.0", imageDigest: DIGEST }],
  resolvedConfiguration: { loadBalancers: [{ targetGroupArn: "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/shop-green/1" }] },
  loadBalancers: [{ targetGroupArn: "tg", advancedConfiguration: { alternateTargetGroupArn: "tg2", productionListenerRule: "prod-rule", testListenerRule: "test-rule", roleArn: "r" } }],
};
const task = (over: Partial<Task> = {}): Task => ({
  taskArn: `arn:aws:ecs:us-west-2:123456789012:task/my-cluster/${Math.random().toString(16).slice(2)}`,
  startedBy: "ecs-svc/9313423515462893900",
  taskDefinitionArn: TD,
  lastStatus: "RUNNING",
  healthStatus: "HEALTHY",
  createdAt: new Date("2026-12-01T10:01:00Z"),
  containers: [{ name: "web", image: "shop:2.0.0", imageDigest: DIGEST }],
  ...over,
});
const check = ecsCheckSchema.parse({ type: "ecs" });

function seed(tasks: Task[], record: Record<string, unknown> = {}) {
  ecs.on(DescribeServiceDeploymentsCommand).resolves({
    serviceDeployments: [{ status: "IN_PROGRESS", targetServiceRevision: { arn: GREEN, requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 }, ...record }],
  });
  ecs.on(ListTasksCommand).resolves({ taskArns: tasks.map((t) => t.taskArn!) });
  ecs.on(DescribeTasksCommand).resolves({ tasks });
}

beforeEach(() => {
  resetAwsClients();
  ecs.reset();
});

describe("the ecs check of an ECS-native deployment", () => {
  it("passes when ECS's record and the green revision's tasks agree: running, healthy, the digests ECS resolved", async () => {
    seed([task(), task(), task({ startedBy: "ecs-svc/1920498462936580504", taskDefinitionArn: "td:7" })]);
    const m = await revisionTasksMeasure(check, event, revision)(AbortSignal.timeout(1_000));
    expect(m).toMatchObject({ ok: true, summary: "revision 9313423515462893900 IN_PROGRESS, running 2/2 (pending 0), 2/2 tasks healthy, images as resolved", data: { matchedBy: "startedBy", tasks: 2 } });
    expect(ecs.commandCalls(ListTasksCommand)[0]!.args[0].input).toEqual({ cluster: "my-cluster", serviceName: "my-service" });
  });

  it("finds the revision's tasks by task definition when none says which deployment started it", async () => {
    seed([task({ startedBy: "other" }), task({ startedBy: "other" }), task({ startedBy: "other", createdAt: new Date("2026-12-01T09:00:00Z") })]);
    const m = await revisionTasksMeasure(check, event, revision)(AbortSignal.timeout(1_000));
    expect(m).toMatchObject({ ok: true, data: { matchedBy: "taskDefinition", tasks: 2 } });
  });

  it("fails on what ECS's record says is wrong, and on tasks that are not what the revision resolved", async () => {
    seed([task({ healthStatus: "UNHEALTHY" }), task({ containers: [{ name: "web", image: "shop:2.0.0", imageDigest: `sha256:${"b".repeat(64)}` }] })], {
      status: "ROLLBACK_IN_PROGRESS",
      statusReason: "alarm",
      targetServiceRevision: { arn: BLUE, requestedTaskCount: 3, runningTaskCount: 2 },
      alarms: { triggeredAlarmNames: ["shop-5xx"] },
    });
    const { ok, summary } = await revisionTasksMeasure(check, event, revision)(AbortSignal.timeout(1_000));
    expect(ok).toBe(false);
    for (const problem of [
      "the deployment is ROLLBACK_IN_PROGRESS (alarm), not IN_PROGRESS",
      "ECS's record targets revision 1920498462936580504, not 9313423515462893900",
      "running 2 of 3 requested",
      "deployment alarms triggered: shop-5xx",
      "1 of 2 task(s) not HEALTHY: UNHEALTHY",
      `container web runs sha256:${"b".repeat(64)}, expected ${DIGEST}`,
    ]) {
      expect(summary).toContain(problem);
    }
  });
});

describe("the other check kinds in an ECS-native deployment", () => {
  it("see the service deployment where a CodeDeploy deployment would be, and the green revision as the replacement", () => {
    const env = ecsCheckEnv(event, {
      record: { status: "IN_PROGRESS", targetServiceRevision: { arn: GREEN, runningTaskCount: 2 } },
      target: revision,
      sources: [{ serviceRevisionArn: BLUE, resolvedConfiguration: { loadBalancers: [{ targetGroupArn: "arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/shop-blue/2" }] } }],
      hookStartedAt: undefined,
    });
    expect(env.values).toMatchObject({
      deploymentId: "EZe5RNVLH6PPzHXINuP28",
      applicationName: "my-cluster",
      deploymentGroupName: "my-service",
      hook: "POST_TEST_TRAFFIC_SHIFT",
      replacementTaskSetId: "9313423515462893900",
      originalTaskSetId: "1920498462936580504",
      replacementTargetGroup: "shop-green",
      originalTargetGroup: "shop-blue",
      targetVersion: undefined,
    });
    expect(env.deployment.ecs).toMatchObject({ testListenerArns: ["test-rule"], prodListenerArns: ["prod-rule"], appSpecTaskDefinition: TD, replacement: { runningCount: 2 } });
  });
});
