/**
 * What ECS's own records say about the deployment a hook is invoked for: the service deployment
 * (status, lifecycle stage, the revisions' task counts, the active hooks and when they expire)
 * and its service revisions (task definition, resolved image digests, the target group each one
 * serves). Read at every invocation, since the analysis between two of them lives in hookDetails
 * only and ECS's record is what survives when that is lost.
 */
import { DescribeServiceDeploymentsCommand, DescribeServiceRevisionsCommand, type ServiceDeployment, type ServiceRevision } from "@aws-sdk/client-ecs";
import { ecsClient } from "../../aws/ecs.ts";
import { DeploymentLookupError } from "../errors.ts";
import type { EcsHookStage } from "./stages.ts";
import type { EcsHookEvent } from "./types.ts";

/** ECS waits this long for a hook whose timeoutConfiguration says nothing (its documented default). */
const DEFAULT_HOOK_TIMEOUT_MINUTES = 1_440;

export interface EcsDeploymentRecord {
  record: ServiceDeployment;
  /** The green revision. */
  target: ServiceRevision;
  /** The revisions being replaced (blue), as far as ECS still describes them. */
  sources: ServiceRevision[];
  /**
   * Epoch milliseconds when ECS started this hook: its lifecycleHookDetails' expiresAt less the
   * hook's timeout. Undefined when the record does not show this function's hook.
   */
  hookStartedAt: number | undefined;
}

/**
 * Describes the service deployment and its revisions (DescribeServiceDeployments,
 * DescribeServiceRevisions).
 *
 * @example
 * const { record, target } = await describeServiceDeployment(event, context.invokedFunctionArn, signal);
 * record.status; // "IN_PROGRESS"
 * target.taskDefinition; // "arn:aws:ecs:…:task-definition/shop:42"
 */
export async function describeServiceDeployment(event: EcsHookEvent, functionArn: string | undefined, signal?: AbortSignal): Promise<EcsDeploymentRecord> {
  const client = ecsClient(event.region);
  const { serviceDeployments, failures } = await client.send(
    new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [event.serviceDeploymentArn] }),
    { abortSignal: signal },
  );
  const record = serviceDeployments?.find((d) => d.serviceDeploymentArn === event.serviceDeploymentArn) ?? serviceDeployments?.[0];
  if (!record) {
    const why = failures?.[0] ? `${failures[0].reason ?? "failure"}${failures[0].detail ? ` (${failures[0].detail})` : ""}` : "no record";
    throw new DeploymentLookupError(event.serviceDeploymentId, `DescribeServiceDeployments does not describe ${event.serviceDeploymentArn}: ${why}`);
  }
  const sourceArns = (record.sourceServiceRevisions ?? []).flatMap((s) => (s.arn && s.arn !== event.targetRevisionArn ? [s.arn] : []));
  const arns = [event.targetRevisionArn, ...sourceArns].slice(0, 20);
  const { serviceRevisions } = await client.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: arns }), { abortSignal: signal });
  const target = serviceRevisions?.find((r) => r.serviceRevisionArn === event.targetRevisionArn);
  if (!target) {
    throw new DeploymentLookupError(event.serviceDeploymentId, `DescribeServiceRevisions does not describe the target revision ${event.targetRevisionArn}`);
  }
  return {
    record,
    target,
    sources: (serviceRevisions ?? []).filter((r) => r !== target),
    hookStartedAt: hookStartedAt(record, functionArn, event.stage),
  };
}

/**
 * When ECS started this function's hook at `stage`. The active hook's expiresAt is its start
 * plus its timeout, and the deployment configuration says the timeout; without both there is no
 * answer (rather than a guess that could put the start a day early).
 */
export function hookStartedAt(record: ServiceDeployment, functionArn: string | undefined, stage: EcsHookStage, now = Date.now()): number | undefined {
  if (!functionArn) return undefined;
  const own = unqualified(functionArn);
  const configured = record.deploymentConfiguration?.lifecycleHooks?.find(
    (hook) => (hook.targetType ?? "AWS_LAMBDA") === "AWS_LAMBDA" && hook.hookTargetArn && unqualified(hook.hookTargetArn) === own && hook.lifecycleStages?.includes(stage),
  );
  // The hook being invoked is in progress; of several, the latest to expire is the latest started.
  const active = (record.lifecycleHookDetails ?? [])
    .filter((detail) => detail.targetType !== "PAUSE" && detail.status === "IN_PROGRESS" && detail.targetArn && unqualified(detail.targetArn) === own && detail.expiresAt)
    .sort((a, b) => new Date(b.expiresAt!).getTime() - new Date(a.expiresAt!).getTime())[0];
  if (!configured || !active?.expiresAt) return undefined;
  const started = new Date(active.expiresAt).getTime() - (configured.timeoutConfiguration?.timeoutInMinutes ?? DEFAULT_HOOK_TIMEOUT_MINUTES) * 60_000;
  return Number.isFinite(started) && started <= now ? started : undefined;
}

/** The target group a revision's tasks serve (its resolved configuration), by name. */
export function targetGroupNameOf(revision: ServiceRevision | undefined): string | undefined {
  const arn = revision?.resolvedConfiguration?.loadBalancers?.find((lb) => lb.targetGroupArn)?.targetGroupArn;
  return arn ? /:targetgroup\/([^/]+)\//.exec(arn)?.[1] : undefined;
}

/** A Lambda function ARN without its version or alias. */
function unqualified(arn: string): string {
  return arn.split(":").slice(0, 7).join(":");
}
