/**
 * CodeDeploy over AWS JSON 1.1 (`CodeDeploy_20141006.<Operation>`): just what the hook validator
 * calls — GetDeployment, GetDeploymentGroup, ListDeploymentTargets, GetDeploymentTarget and
 * PutLifecycleEventHookExecutionStatus — with a state API for tests and the local demo: seed an
 * ECS blue/green or Lambda deployment, start a hook (which hands out its execution id, as
 * CodeDeploy does when it invokes the hook function), and read the reports received.
 *
 * Reporting follows the documented contract: only Succeeded or Failed, and a second report for
 * the same execution gets LifecycleEventAlreadyCompletedException.
 */
import { randomUUID } from "node:crypto";
import type { DeploymentGroupInfo, DeploymentInfo, DeploymentTarget, LifecycleEvent } from "@aws-sdk/client-codedeploy";
import { AwsServiceError, type ServiceEmulation } from "../types.ts";

/** The lifecycle events of an ECS blue/green deployment, in order (hooks and CodeDeploy's own steps). */
export const ECS_LIFECYCLE = ["BeforeInstall", "Install", "AfterInstall", "AllowTestTraffic", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"];
/** The lifecycle events of a Lambda deployment, in order. */
export const LAMBDA_LIFECYCLE = ["BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"];

export interface EcsDeploymentSeed {
  deploymentId?: string;
  applicationName: string;
  deploymentGroupName: string;
  clusterName: string;
  serviceName: string;
  original: { taskSetId: string; targetGroupName: string; desiredCount?: number };
  replacement: { taskSetId: string; targetGroupName: string; desiredCount?: number };
  prodListenerArns?: string[];
  testListenerArns?: string[];
  /** Carried as the revision's appspec content (AppSpecContent), as CodePipeline and the CLI send it. */
  taskDefinition?: string;
}

export interface LambdaDeploymentSeed {
  deploymentId?: string;
  applicationName: string;
  deploymentGroupName: string;
  functionName: string;
  functionAlias: string;
  currentVersion: string;
  targetVersion: string;
}

/** A PutLifecycleEventHookExecutionStatus the emulator accepted or refused. */
export interface HookReport {
  deploymentId: string;
  executionId: string;
  status: string;
  lifecycleEvent: string | undefined;
  accepted: boolean;
  /** The error code answered when refused. */
  error?: string;
  at: Date;
}

export interface CodeDeployEmulation extends ServiceEmulation {
  seedEcsDeployment(seed: EcsDeploymentSeed): string;
  seedLambdaDeployment(seed: LambdaDeploymentSeed): string;
  /** Marks earlier lifecycle events Succeeded and `hook` InProgress; returns the hook's execution id. */
  startHook(deploymentId: string, hook: string): string;
  lifecycleEvent(deploymentId: string, name: string): LifecycleEvent | undefined;
  deployment(deploymentId: string): DeploymentInfo | undefined;
  /** Every report received, oldest first. */
  reports(deploymentId?: string): HookReport[];
}

interface Deployment {
  info: DeploymentInfo;
  target: DeploymentTarget;
  targetId: string;
  /** execution id → lifecycle event name */
  executions: Map<string, string>;
}

const codeDeployError = (code: string, message: string) => new AwsServiceError(code, message);

/**
 * @example
 * const codedeploy = createCodeDeployEmulation();
 * const id = codedeploy.seedEcsDeployment({ applicationName: "shop", deploymentGroupName: "shop-prd", … });
 * const executionId = codedeploy.startHook(id, "AfterAllowTestTraffic");
 * await handler({ DeploymentId: id, LifecycleEventHookExecutionId: executionId }, context);
 * codedeploy.reports(id); // [{ status: "Succeeded", accepted: true, … }]
 */
export function createCodeDeployEmulation(): CodeDeployEmulation {
  const groups = new Map<string, DeploymentGroupInfo>();
  const deployments = new Map<string, Deployment>();
  const reports: HookReport[] = [];

  const newDeploymentId = () => `d-${randomUUID().replace(/-/g, "").slice(0, 9).toUpperCase()}`;
  const lifecycle = (names: string[]): LifecycleEvent[] => names.map((lifecycleEventName) => ({ lifecycleEventName, status: "Pending" }));
  const eventsOf = (d: Deployment) => d.target.ecsTarget?.lifecycleEvents ?? d.target.lambdaTarget?.lifecycleEvents ?? [];
  const mustGet = (deploymentId: unknown): Deployment => {
    if (typeof deploymentId !== "string" || deploymentId === "") throw codeDeployError("DeploymentIdRequiredException", "A deployment ID must be specified.");
    const deployment = deployments.get(deploymentId);
    if (!deployment) throw codeDeployError("DeploymentDoesNotExistException", `The deployment ${deploymentId} could not be found.`);
    return deployment;
  };

  function seedDeployment(info: DeploymentInfo, group: DeploymentGroupInfo, target: DeploymentTarget, targetId: string): string {
    groups.set(`${group.applicationName}/${group.deploymentGroupName}`, group);
    deployments.set(info.deploymentId!, { info, target, targetId, executions: new Map() });
    return info.deploymentId!;
  }

  return {
    signingName: "codedeploy",
    protocol: "json",
    targetPrefix: "CodeDeploy_20141006",

    seedEcsDeployment(seed) {
      const deploymentId = seed.deploymentId ?? newDeploymentId();
      const { applicationName, deploymentGroupName } = seed;
      const targetId = `${seed.clusterName}:${seed.serviceName}`;
      const appSpec = seed.taskDefinition
        ? `version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: "${seed.taskDefinition}"\n`
        : undefined;
      const taskSet = (label: "Blue" | "Green", set: EcsDeploymentSeed["original"], weight: number) => ({
        identifer: set.taskSetId,
        desiredCount: set.desiredCount ?? 1,
        pendingCount: 0,
        runningCount: set.desiredCount ?? 1,
        status: label === "Blue" ? "PRIMARY" : "ACTIVE",
        trafficWeight: weight,
        targetGroup: { name: set.targetGroupName },
        taskSetLabel: label,
      });
      return seedDeployment(
        {
          deploymentId,
          applicationName,
          deploymentGroupName,
          computePlatform: "ECS",
          status: "InProgress",
          createTime: new Date(),
          ...(appSpec ? { revision: { revisionType: "AppSpecContent", appSpecContent: { content: appSpec } } } : {}),
        },
        {
          applicationName,
          deploymentGroupName,
          computePlatform: "ECS",
          ecsServices: [{ clusterName: seed.clusterName, serviceName: seed.serviceName }],
          deploymentStyle: { deploymentType: "BLUE_GREEN", deploymentOption: "WITH_TRAFFIC_CONTROL" },
          loadBalancerInfo: {
            targetGroupPairInfoList: [
              {
                targetGroups: [{ name: seed.original.targetGroupName }, { name: seed.replacement.targetGroupName }],
                prodTrafficRoute: { listenerArns: seed.prodListenerArns ?? [] },
                testTrafficRoute: { listenerArns: seed.testListenerArns ?? [] },
              },
            ],
          },
        },
        {
          deploymentTargetType: "ECSTarget",
          ecsTarget: {
            deploymentId,
            targetId,
            targetArn: `arn:aws:ecs:eu-west-1:000000000000:service/${seed.clusterName}/${seed.serviceName}`,
            status: "InProgress",
            lastUpdatedAt: new Date(),
            lifecycleEvents: lifecycle(ECS_LIFECYCLE),
            taskSetsInfo: [taskSet("Blue", seed.original, 100), taskSet("Green", seed.replacement, 0)],
          },
        },
        targetId,
      );
    },

    seedLambdaDeployment(seed) {
      const deploymentId = seed.deploymentId ?? newDeploymentId();
      const { applicationName, deploymentGroupName } = seed;
      const targetId = `${seed.functionName}:${seed.functionAlias}`;
      return seedDeployment(
        { deploymentId, applicationName, deploymentGroupName, computePlatform: "Lambda", status: "InProgress", createTime: new Date() },
        { applicationName, deploymentGroupName, computePlatform: "Lambda", deploymentStyle: { deploymentType: "BLUE_GREEN", deploymentOption: "WITH_TRAFFIC_CONTROL" } },
        {
          deploymentTargetType: "LambdaTarget",
          lambdaTarget: {
            deploymentId,
            targetId,
            targetArn: `arn:aws:lambda:eu-west-1:000000000000:function:${seed.functionName}:${seed.functionAlias}`,
            status: "InProgress",
            lastUpdatedAt: new Date(),
            lifecycleEvents: lifecycle(LAMBDA_LIFECYCLE),
            lambdaFunctionInfo: {
              functionName: seed.functionName,
              functionAlias: seed.functionAlias,
              currentVersion: seed.currentVersion,
              targetVersion: seed.targetVersion,
              targetVersionWeight: 0,
            },
          },
        },
        targetId,
      );
    },

    startHook(deploymentId, hook) {
      const deployment = mustGet(deploymentId);
      const events = eventsOf(deployment);
      const at = events.findIndex((event) => event.lifecycleEventName === hook);
      if (at < 0) throw new Error(`deployment ${deploymentId} has no lifecycle event ${hook}`);
      events.forEach((event, i) => {
        if (i < at && (event.status === "Pending" || event.status === "InProgress")) event.status = "Succeeded";
      });
      events[at]!.status = "InProgress";
      events[at]!.startTime = new Date();
      const executionId = randomUUID();
      deployment.executions.set(executionId, hook);
      return executionId;
    },

    lifecycleEvent: (deploymentId, name) => eventsOf(mustGet(deploymentId)).find((event) => event.lifecycleEventName === name),
    deployment: (deploymentId) => deployments.get(deploymentId)?.info,
    reports: (deploymentId) => reports.filter((report) => deploymentId === undefined || report.deploymentId === deploymentId),

    operations: {
      GetDeployment(input: { deploymentId?: string }) {
        return { deploymentInfo: mustGet(input.deploymentId).info };
      },
      GetDeploymentGroup(input: { applicationName?: string; deploymentGroupName?: string }) {
        const group = groups.get(`${input.applicationName}/${input.deploymentGroupName}`);
        if (!group) {
          const appKnown = [...groups.values()].some((g) => g.applicationName === input.applicationName);
          throw appKnown
            ? codeDeployError("DeploymentGroupDoesNotExistException", `No Deployment Group found for name: ${input.deploymentGroupName}`)
            : codeDeployError("ApplicationDoesNotExistException", `No application found for name: ${input.applicationName}`);
        }
        return { deploymentGroupInfo: group };
      },
      ListDeploymentTargets(input: { deploymentId?: string }) {
        return { targetIds: [mustGet(input.deploymentId).targetId] };
      },
      GetDeploymentTarget(input: { deploymentId?: string; targetId?: string }) {
        const deployment = mustGet(input.deploymentId);
        if (input.targetId !== deployment.targetId) {
          throw codeDeployError("DeploymentTargetDoesNotExistException", `The target ${input.targetId} does not exist in ${input.deploymentId}.`);
        }
        return { deploymentTarget: deployment.target };
      },
      PutLifecycleEventHookExecutionStatus(input: { deploymentId?: string; lifecycleEventHookExecutionId?: string; status?: string }) {
        const deployment = mustGet(input.deploymentId);
        const executionId = input.lifecycleEventHookExecutionId ?? "";
        const name = deployment.executions.get(executionId);
        const record = (accepted: boolean, error?: string) =>
          reports.push({ deploymentId: deployment.info.deploymentId!, executionId, status: String(input.status), lifecycleEvent: name, accepted, ...(error ? { error } : {}), at: new Date() });
        const refuse = (code: string, message: string): never => {
          record(false, code);
          throw codeDeployError(code, message);
        };
        if (input.status !== "Succeeded" && input.status !== "Failed") {
          refuse("InvalidLifecycleEventHookExecutionStatusException", `The status ${input.status} is not valid: use Succeeded or Failed.`);
        }
        if (!name) refuse("InvalidLifecycleEventHookExecutionIdException", `The lifecycle event hook execution ID ${executionId} is not valid.`);
        const event = eventsOf(deployment).find((e) => e.lifecycleEventName === name)!;
        if (event.status !== "InProgress") {
          refuse("LifecycleEventAlreadyCompletedException", `The lifecycle event ${name} is already ${event.status}.`);
        }
        event.status = input.status as "Succeeded" | "Failed";
        event.endTime = new Date();
        if (input.status === "Failed") {
          deployment.info.status = "Failed";
          deployment.info.errorInformation = { code: "HOOK_EXECUTION_FAILURE", message: `The ${name} hook reported Failed.` };
          for (const target of [deployment.target.ecsTarget, deployment.target.lambdaTarget]) if (target) target.status = "Failed";
        }
        record(true);
        return { lifecycleEventHookExecutionId: executionId };
      },
    },
  };
}
