/**
 * What CodeDeploy knows about a deployment, gathered before a hook's checks run: the application
 * and group (to find the checks), the lifecycle events (to know which hook is running and whether
 * it already finished), and either the ECS task sets with their target groups and traffic routes
 * or the Lambda function's current and target versions.
 */
import {
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  GetDeploymentTargetCommand,
  ListDeploymentTargetsCommand,
  type DeploymentTarget,
  type ECSTaskSet,
  type RevisionLocation,
} from "@aws-sdk/client-codedeploy";
import { codeDeployClient } from "../aws/codedeploy.ts";
import { DeploymentLookupError } from "./errors.ts";
import type { DeploymentContext, EcsDeploymentInfo, LambdaDeploymentInfo, TaskSetRef } from "./types.ts";

/**
 * Describes a deployment through GetDeployment, GetDeploymentGroup (ECS only),
 * ListDeploymentTargets and GetDeploymentTarget.
 *
 * @example
 * const deployment = await resolveDeploymentContext("d-ABCDEF123", signal);
 * deployment.ecs?.replacement?.targetGroupName; // "shop-green"
 */
export async function resolveDeploymentContext(deploymentId: string, signal?: AbortSignal): Promise<DeploymentContext> {
  const client = codeDeployClient();
  const options = { abortSignal: signal };
  const { deploymentInfo: info } = await client.send(new GetDeploymentCommand({ deploymentId }), options);
  if (!info?.applicationName || !info.deploymentGroupName) {
    throw new DeploymentLookupError(deploymentId, "GetDeployment returned no application or deployment group");
  }
  const computePlatform = info.computePlatform ?? "Server";
  const target = await deploymentTarget(deploymentId, signal);
  const lifecycleEvents = (target?.ecsTarget?.lifecycleEvents ?? target?.lambdaTarget?.lifecycleEvents ?? []).map((event) => ({
    name: event.lifecycleEventName ?? "?",
    status: event.status ?? "Unknown",
  }));

  let ecs: EcsDeploymentInfo | undefined;
  if (computePlatform === "ECS") {
    const { deploymentGroupInfo: group } = await client.send(
      new GetDeploymentGroupCommand({ applicationName: info.applicationName, deploymentGroupName: info.deploymentGroupName }),
      options,
    );
    const service = group?.ecsServices?.[0] ?? parseEcsTargetId(target?.ecsTarget?.targetId);
    if (!service?.clusterName || !service.serviceName) {
      throw new DeploymentLookupError(deploymentId, `deployment group ${info.deploymentGroupName} names no ECS service`);
    }
    const pairs = group?.loadBalancerInfo?.targetGroupPairInfoList ?? [];
    const taskSets = target?.ecsTarget?.taskSetsInfo ?? [];
    ecs = {
      clusterName: service.clusterName,
      serviceName: service.serviceName,
      original: taskSetRef(taskSets.find((set) => set.taskSetLabel === "Blue")),
      replacement: taskSetRef(taskSets.find((set) => set.taskSetLabel === "Green")),
      testListenerArns: pairs.flatMap((pair) => pair.testTrafficRoute?.listenerArns ?? []),
      prodListenerArns: pairs.flatMap((pair) => pair.prodTrafficRoute?.listenerArns ?? []),
      targetGroupNames: pairs.flatMap((pair) => (pair.targetGroups ?? []).flatMap((tg) => (tg.name ? [tg.name] : []))),
      appSpecTaskDefinition: appSpecTaskDefinition(info.revision),
    };
  }

  let lambda: LambdaDeploymentInfo | undefined;
  const fn = target?.lambdaTarget?.lambdaFunctionInfo;
  if (fn?.functionName) {
    lambda = {
      functionName: fn.functionName,
      functionAlias: fn.functionAlias,
      currentVersion: fn.currentVersion,
      targetVersion: fn.targetVersion,
    };
  }

  return {
    deploymentId,
    applicationName: info.applicationName,
    deploymentGroupName: info.deploymentGroupName,
    computePlatform,
    status: info.status,
    targetId: target?.ecsTarget?.targetId ?? target?.lambdaTarget?.targetId,
    lifecycleEvents,
    ecs,
    lambda,
  };
}

/** ECS and Lambda deployments have one target; a deployment without one has not started yet. */
async function deploymentTarget(deploymentId: string, signal?: AbortSignal): Promise<DeploymentTarget | undefined> {
  const client = codeDeployClient();
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListDeploymentTargetsCommand({ deploymentId, nextToken }), { abortSignal: signal });
    ids.push(...(page.targetIds ?? []));
    nextToken = page.nextToken;
  } while (nextToken && ids.length === 0);
  const targetId = ids[0];
  if (!targetId) return undefined;
  const { deploymentTarget } = await client.send(new GetDeploymentTargetCommand({ deploymentId, targetId }), { abortSignal: signal });
  return deploymentTarget;
}

function taskSetRef(set: ECSTaskSet | undefined): TaskSetRef | undefined {
  if (!set?.identifer || (set.taskSetLabel !== "Blue" && set.taskSetLabel !== "Green")) return undefined;
  return {
    id: set.identifer,
    label: set.taskSetLabel,
    targetGroupName: set.targetGroup?.name,
    trafficWeight: set.trafficWeight,
    desiredCount: set.desiredCount,
    runningCount: set.runningCount,
    pendingCount: set.pendingCount,
    status: set.status,
  };
}

/** An ECS target's id is `<cluster>:<service>`. */
function parseEcsTargetId(targetId: string | undefined): { clusterName: string; serviceName: string } | undefined {
  const at = targetId?.indexOf(":") ?? -1;
  if (!targetId || at <= 0) return undefined;
  return { clusterName: targetId.slice(0, at), serviceName: targetId.slice(at + 1) };
}

/**
 * The task definition an ECS appspec names, when the revision carries the appspec itself
 * (AppSpecContent or String). Read with a pattern rather than a YAML parser, which Lambda
 * bundles leave out; it covers the YAML and JSON forms of `TaskDefinition: <arn>`. An appspec in
 * S3 is not fetched: the task set's own task definition is then the reference.
 */
export function appSpecTaskDefinition(revision: RevisionLocation | undefined): string | undefined {
  const content = revision?.appSpecContent?.content ?? revision?.string?.content;
  if (!content) return undefined;
  return /["']?TaskDefinition["']?\s*:\s*["']?([^"'\s,}]+)/.exec(content)?.[1];
}
