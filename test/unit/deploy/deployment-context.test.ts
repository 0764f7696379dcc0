import { CodeDeployClient, GetDeploymentCommand, GetDeploymentGroupCommand, GetDeploymentTargetCommand, ListDeploymentTargetsCommand } from "@aws-sdk/client-codedeploy";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { appSpecTaskDefinition, resolveDeploymentContext } from "../../../lib/deploy/deployment-context.ts";

const codedeploy = mockClient(CodeDeployClient);
beforeEach(() => resetAwsClients());
afterEach(() => codedeploy.reset());

describe("deployment context", () => {
  it("finds the task sets, target groups and test route of an ECS blue/green deployment", async () => {
    codedeploy.on(GetDeploymentCommand).resolves({
      deploymentInfo: {
        applicationName: "shop",
        deploymentGroupName: "shop-prd",
        computePlatform: "ECS",
        revision: { revisionType: "AppSpecContent", appSpecContent: { content: '{"Resources":[{"TargetService":{"Properties":{"TaskDefinition":"arn:aws:ecs:eu-west-1:1:task-definition/shop:7"}}}]}' } },
      },
    });
    codedeploy.on(GetDeploymentGroupCommand).resolves({
      deploymentGroupInfo: {
        ecsServices: [{ clusterName: "main", serviceName: "shop" }],
        loadBalancerInfo: {
          targetGroupPairInfoList: [
            { targetGroups: [{ name: "shop-blue" }, { name: "shop-green" }], prodTrafficRoute: { listenerArns: ["arn:listener/prod"] }, testTrafficRoute: { listenerArns: ["arn:listener/test"] } },
          ],
        },
      },
    });
    codedeploy.on(ListDeploymentTargetsCommand).resolves({ targetIds: ["main:shop"] });
    codedeploy.on(GetDeploymentTargetCommand).resolves({
      deploymentTarget: {
        ecsTarget: {
          targetId: "main:shop",
          lifecycleEvents: [{ lifecycleEventName: "AfterAllowTestTraffic", status: "InProgress" }],
          taskSetsInfo: [
            { identifer: "ecs-svc/1", taskSetLabel: "Blue", trafficWeight: 100, targetGroup: { name: "shop-blue" } },
            { identifer: "ecs-svc/2", taskSetLabel: "Green", trafficWeight: 0, targetGroup: { name: "shop-green" }, desiredCount: 2 },
          ],
        },
      },
    });
    const context = await resolveDeploymentContext("d-1");
    expect(context).toMatchObject({
      applicationName: "shop",
      computePlatform: "ECS",
      lifecycleEvents: [{ name: "AfterAllowTestTraffic", status: "InProgress" }],
      ecs: {
        clusterName: "main",
        serviceName: "shop",
        original: { id: "ecs-svc/1", targetGroupName: "shop-blue" },
        replacement: { id: "ecs-svc/2", targetGroupName: "shop-green", desiredCount: 2 },
        testListenerArns: ["arn:listener/test"],
        prodListenerArns: ["arn:listener/prod"],
        appSpecTaskDefinition: "arn:aws:ecs:eu-west-1:1:task-definition/shop:7",
      },
    });
    expect(codedeploy.commandCalls(GetDeploymentTargetCommand)[0]?.args[0].input).toEqual({ deploymentId: "d-1", targetId: "main:shop" });
  });

  it("finds the current and target versions of a Lambda deployment", async () => {
    codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { applicationName: "api", deploymentGroupName: "api-prd", computePlatform: "Lambda" } });
    codedeploy.on(ListDeploymentTargetsCommand).resolves({ targetIds: ["api:live"] });
    codedeploy.on(GetDeploymentTargetCommand).resolves({
      deploymentTarget: {
        lambdaTarget: {
          targetId: "api:live",
          lifecycleEvents: [{ lifecycleEventName: "BeforeAllowTraffic", status: "InProgress" }],
          lambdaFunctionInfo: { functionName: "api", functionAlias: "live", currentVersion: "6", targetVersion: "7" },
        },
      },
    });
    const context = await resolveDeploymentContext("d-2");
    expect(context).toMatchObject({ ecs: undefined, lambda: { functionName: "api", functionAlias: "live", currentVersion: "6", targetVersion: "7" } });
    expect(codedeploy.commandCalls(GetDeploymentGroupCommand)).toHaveLength(0);
  });

  it("reads the task definition from YAML and JSON appspecs", () => {
    const yaml = "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: 'arn:aws:ecs:eu-west-1:1:task-definition/shop:9'\n";
    expect(appSpecTaskDefinition({ string: { content: yaml } })).toBe("arn:aws:ecs:eu-west-1:1:task-definition/shop:9");
    expect(appSpecTaskDefinition({ s3Location: { bucket: "b", key: "k" } })).toBeUndefined();
  });
});
