/**
 * The emulated ECS's deployment records through the real SDK client, held to ECS's model: what
 * an ECS lifecycle hook reads (DescribeServiceDeployments, DescribeServiceRevisions), what a
 * caller lists (ListServiceDeployments), and the payloads ECS invokes a hook with at each stage.
 */
import { DescribeServiceDeploymentsCommand, DescribeServiceRevisionsCommand, ECSClient, ListServiceDeploymentsCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseEcsHookEvent } from "../../../lib/deploy/ecs-native/event.ts";
import { startAwsEmulator, type AwsEmulator } from "../../../lib/local/aws-emulator/server.ts";
import { createEcsEmulation, type EcsEmulation } from "../../../lib/local/aws-emulator/services/ecs.ts";

let aws: AwsEmulator;
let ecs: EcsEmulation;
let client: ECSClient;
const HOOK = "arn:aws:lambda:eu-west-1:000000000000:function:hook";

beforeEach(async () => {
  ecs = createEcsEmulation({ region: "eu-west-1" });
  aws = await startAwsEmulator({ services: [ecs], checkResponses: true });
  client = new ECSClient({ region: "eu-west-1", endpoint: aws.url, maxAttempts: 1, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
});
afterEach(async () => {
  client.destroy();
  await aws.close();
});

function seed(service = "shop") {
  const blue = ecs.registerTaskDefinition(service, [{ name: "web", image: "shop:1.9.0" }]);
  const green = ecs.registerTaskDefinition(service, [{ name: "web", image: "shop:2.0.0" }]);
  return ecs.createServiceDeployment({
    cluster: "prod",
    service,
    source: { taskDefinition: blue, targetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/blue/1" },
    target: { taskDefinition: green, targetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/green/2", digests: { web: `sha256:${"a".repeat(64)}` } },
    lifecycleHooks: [{ hookTargetArn: HOOK, lifecycleStages: ["POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"], hookDetails: { team: "shop" }, timeoutInMinutes: 30 }],
  });
}

describe("ECS service deployments in the emulator", () => {
  it("describes a deployment, its revisions and its green tasks as ECS's model has them", async () => {
    const { serviceDeploymentArn, targetRevisionArn, sourceRevisionArn } = seed();
    ecs.runRevisionTasks(targetRevisionArn, 2);
    ecs.serviceDeployments.enterStage(serviceDeploymentArn, "POST_SCALE_UP", { at: new Date("2026-12-01T10:00:00Z") });

    const { serviceDeployments, failures } = await client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [serviceDeploymentArn, `${serviceDeploymentArn}x`] }));
    expect(failures).toEqual([{ arn: `${serviceDeploymentArn}x`, reason: "MISSING" }]);
    expect(serviceDeployments?.[0]).toMatchObject({
      status: "IN_PROGRESS",
      lifecycleStage: "POST_SCALE_UP",
      targetServiceRevision: { arn: targetRevisionArn, requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0, requestedProductionTrafficWeight: 0 },
      sourceServiceRevisions: [{ arn: sourceRevisionArn, requestedProductionTrafficWeight: 100 }],
      lifecycleHookDetails: [{ targetType: "AWS_LAMBDA", targetArn: HOOK, status: "IN_PROGRESS", expiresAt: new Date("2026-12-01T10:30:00Z") }],
      deploymentConfiguration: { strategy: "BLUE_GREEN", lifecycleHooks: [{ hookTargetArn: HOOK, timeoutConfiguration: { timeoutInMinutes: 30 } }] },
    });
    const { serviceRevisions } = await client.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [targetRevisionArn] }));
    expect(serviceRevisions?.[0]).toMatchObject({
      containerImages: [{ containerName: "web", image: "shop:2.0.0", imageDigest: `sha256:${"a".repeat(64)}` }],
      resolvedConfiguration: { loadBalancers: [{ targetGroupArn: expect.stringContaining("targetgroup/green/") }] },
    });
    const { taskArns } = await client.send(new ListTasksCommand({ cluster: "prod", serviceName: "shop" }));
    expect(taskArns).toHaveLength(2);
    expect(aws.calls.filter((call) => call.responseIssues)).toEqual([]);
  });

  it("refuses what ECS refuses, and lists a service's deployments newest first, filtered and paged", async () => {
    const first = seed();
    const second = seed();
    ecs.serviceDeployments.finish(first.serviceDeploymentArn, "SUCCESSFUL");
    const tooMany = Array.from({ length: 21 }, () => first.serviceDeploymentArn);
    await expect(client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: tooMany }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(client.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [] }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(client.send(new ListServiceDeploymentsCommand({ cluster: "prod", service: "other" }))).rejects.toMatchObject({ name: "ServiceNotFoundException" });

    const page = await client.send(new ListServiceDeploymentsCommand({ cluster: "prod", service: "shop", maxResults: 1 }));
    expect(page.serviceDeployments?.map((d) => d.serviceDeploymentArn)).toHaveLength(1);
    expect(page.nextToken).toBeDefined();
    const rest = await client.send(new ListServiceDeploymentsCommand({ cluster: "prod", service: "shop", nextToken: page.nextToken }));
    expect(new Set([...page.serviceDeployments!, ...rest.serviceDeployments!].map((d) => d.serviceDeploymentArn))).toEqual(new Set([first.serviceDeploymentArn, second.serviceDeploymentArn]));
    const running = await client.send(new ListServiceDeploymentsCommand({ cluster: "arn:aws:ecs:eu-west-1:000000000000:cluster/prod", service: "shop", status: ["IN_PROGRESS"] }));
    expect(running.serviceDeployments).toMatchObject([{ serviceDeploymentArn: second.serviceDeploymentArn, targetServiceRevisionArn: second.targetRevisionArn, status: "IN_PROGRESS" }]);
    expect(aws.calls.filter((call) => call.responseIssues)).toEqual([]);
  });

  it("hands the hook ECS's payload at each stage, with the service's hookDetails merged, and moves traffic back on FAILED", () => {
    const { serviceDeploymentArn: arn, targetRevisionArn: green, sourceRevisionArn: blue } = seed();
    ecs.serviceDeployments.enterStage(arn, "TEST_TRAFFIC_SHIFT");
    const test = ecs.serviceDeployments.hookEvent(arn, { hookDetails: { runway: "v1.x.y" } });
    expect(test).toMatchObject({
      lifecycleStage: "TEST_TRAFFIC_SHIFT",
      resourceArn: arn,
      executionDetails: { targetServiceRevisionArn: green, testTrafficWeights: { [green]: 100, [blue]: 0 }, productionTrafficWeights: {} },
      hookDetails: { team: "shop", runway: "v1.x.y" },
    });
    expect(ecs.serviceDeployments.hookEvent(arn).executionId).toBe(test.executionId); // the same execution, invoked again
    expect(parseEcsHookEvent(test)).toMatchObject({ cluster: "prod", service: "shop", stage: "TEST_TRAFFIC_SHIFT" });

    ecs.serviceDeployments.enterStage(arn, "PRODUCTION_TRAFFIC_SHIFT", { productionWeight: 10 });
    expect(ecs.serviceDeployments.hookEvent(arn).executionDetails).toMatchObject({ productionTrafficWeights: { [green]: 10, [blue]: 90 } });
    ecs.serviceDeployments.completeHooks(arn, "FAILED");
    expect(ecs.serviceDeployments.get(arn)).toMatchObject({ status: "ROLLBACK_IN_PROGRESS", rollback: { serviceRevisionArn: blue }, lifecycleHookDetails: [{ status: "FAILED" }] });
    expect(ecs.serviceDeployments.hookEvent(arn).executionDetails).toMatchObject({ productionTrafficWeights: { [green]: 0, [blue]: 100 } });
  });
});
