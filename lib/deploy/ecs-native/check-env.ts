/**
 * What a check measures in an ECS-native deployment, in the terms the check kinds already know
 * (lib/deploy/checks/*): the service deployment stands where a CodeDeploy deployment stands, the
 * cluster and service where the application and deployment group do, the green revision where
 * the replacement task set does (its target group, its task definition), the blue one where the
 * original task set does. So `http`, `targetHealth`, `alarms` and `lambda` measure exactly as in a
 * CodeDeploy hook, placeholders included; `ecs` reads ECS's deployment record and the green
 * revision's tasks instead of a task set (checks/revision-tasks.ts).
 *
 * Placeholders: {deploymentId} is the service deployment's id, {applicationName} the cluster,
 * {deploymentGroupName} the service, {hook} the lifecycle stage, {replacementTaskSetId} and
 * {originalTaskSetId} the green and blue revisions' ids, {replacementTargetGroup} and
 * {originalTargetGroup} the target groups they serve.
 */
import type { ServiceRevision, ServiceRevisionSummary } from "@aws-sdk/client-ecs";
import type { NamedEcsCheck } from "../../config/ecs-hooks-schema.ts";
import { measureFor } from "../checks/registry.ts";
import { placeholderValues } from "../template.ts";
import type { CheckEnv, DeploymentContext, HookName, Measure, TaskSetRef } from "../types.ts";
import { revisionId } from "./event.ts";
import { targetGroupNameOf, type EcsDeploymentRecord } from "./service-deployment.ts";
import type { EcsHookEvent } from "./types.ts";

/**
 * The CheckEnv of one invocation.
 *
 * @example
 * const env = ecsCheckEnv(event, found);
 * env.values.replacementTargetGroup; // "shop-green"
 */
export function ecsCheckEnv(event: EcsHookEvent, found: EcsDeploymentRecord): CheckEnv {
  const source = found.sources[0];
  const green = targetGroupNameOf(found.target);
  const blue = targetGroupNameOf(source);
  const summaryOf = (arn: string | undefined) =>
    [found.record.targetServiceRevision, ...(found.record.sourceServiceRevisions ?? [])].find((s) => s?.arn !== undefined && s.arn === arn);
  const deployment: DeploymentContext = {
    deploymentId: event.serviceDeploymentId,
    applicationName: event.cluster,
    deploymentGroupName: event.service,
    computePlatform: "ECS",
    status: found.record.status,
    targetId: `${event.cluster}:${event.service}`,
    lifecycleEvents: [{ name: event.stage, status: "InProgress" }],
    ecs: {
      clusterName: event.cluster,
      serviceName: event.service,
      original: source ? revisionRef(source, "Blue", blue, summaryOf(source.serviceRevisionArn), event) : undefined,
      replacement: revisionRef(found.target, "Green", green, summaryOf(found.target.serviceRevisionArn), event),
      testListenerArns: listenerRules(found.target, "testListenerRule"),
      prodListenerArns: listenerRules(found.target, "productionListenerRule"),
      targetGroupNames: [green, blue].filter((name): name is string => name !== undefined),
      appSpecTaskDefinition: found.target.taskDefinition,
    },
    lambda: undefined,
  };
  // CheckEnv names CodeDeploy's hooks; the ECS stage takes their place (in evidence, in the lambda
  // check's default payload, in {hook}), a string like them.
  const hook = event.stage as unknown as HookName;
  return { deployment, hook, values: placeholderValues(deployment, hook) };
}

/** The measurement of a check: `ecs` from ECS's records of the revision, the rest as in any hook. */
export function ecsMeasureFor(check: NamedEcsCheck, env: CheckEnv, event: EcsHookEvent, found: EcsDeploymentRecord): Measure {
  if (check.type !== "ecs") return measureFor(check, env);
  let measure: Promise<Measure> | undefined;
  return async (signal) => {
    measure ??= import("./checks/revision-tasks.ts").then(({ revisionTasksMeasure }) => revisionTasksMeasure(check, event, found.target));
    return (await measure)(signal);
  };
}

function revisionRef(
  revision: ServiceRevision,
  label: TaskSetRef["label"],
  targetGroupName: string | undefined,
  summary: ServiceRevisionSummary | undefined,
  event: EcsHookEvent,
): TaskSetRef {
  const arn = revision.serviceRevisionArn ?? "";
  return {
    id: revisionId(arn),
    label,
    targetGroupName,
    trafficWeight: event.productionTrafficWeights[arn] ?? summary?.requestedProductionTrafficWeight,
    desiredCount: summary?.requestedTaskCount,
    runningCount: summary?.runningTaskCount,
    pendingCount: summary?.pendingTaskCount,
    status: undefined,
  };
}

function listenerRules(revision: ServiceRevision, rule: "testListenerRule" | "productionListenerRule"): string[] {
  return (revision.loadBalancers ?? []).flatMap((lb) => (lb.advancedConfiguration?.[rule] ? [lb.advancedConfiguration[rule]] : []));
}
