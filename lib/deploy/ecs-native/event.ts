/**
 * The event ECS invokes a lifecycle hook with, parsed once where it enters:
 *
 *   { executionId, lifecycleStage, resourceArn: <service deployment ARN>,
 *     executionDetails: { serviceArn, targetServiceRevisionArn, testTrafficWeights, productionTrafficWeights },
 *     hookDetails? }
 *
 * (Amazon ECS Developer Guide, "Lambda hooks for Amazon ECS service deployments", lifecycle payloads.)
 * The cluster and service are read from the ARNs, which must agree with each other.
 */
import { EcsHookEventError } from "./errors.ts";
import { ECS_HOOK_STAGES, isEcsHookStage } from "./stages.ts";
import type { EcsHookEvent } from "./types.ts";

const ECS_ARN = String.raw`^arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):`;
const SERVICE_DEPLOYMENT = new RegExp(`${ECS_ARN}service-deployment/([^/\\s]+)/([^/\\s]+)/([^/\\s]+)$`);
const SERVICE = new RegExp(`${ECS_ARN}service/([^/\\s]+)/([^/\\s]+)$`);
const SERVICE_REVISION = new RegExp(`${ECS_ARN}service-revision/([^/\\s]+)/([^/\\s]+)/([^/\\s]+)$`);

/**
 * Reads an ECS hook event, or throws EcsHookEventError naming every field that is wrong.
 *
 * @example
 * const event = parseEcsHookEvent(raw);
 * event.cluster; // "prod"
 * event.stage; // "POST_TEST_TRAFFIC_SHIFT"
 */
export function parseEcsHookEvent(raw: unknown): EcsHookEvent {
  const problems: string[] = [];
  const e = isRecord(raw) ? raw : {};
  if (!isRecord(raw)) problems.push("the event is not a JSON object");
  const details = isRecord(e.executionDetails) ? e.executionDetails : {};
  if (isRecord(raw) && !isRecord(e.executionDetails)) problems.push("executionDetails is missing");

  const executionId = text(e.executionId);
  if (!executionId) problems.push("executionId is missing");
  const stage = e.lifecycleStage;
  if (!isEcsHookStage(stage)) problems.push(`lifecycleStage ${JSON.stringify(stage)} is not one of ${ECS_HOOK_STAGES.join(", ")}`);

  const deployment = SERVICE_DEPLOYMENT.exec(text(e.resourceArn) ?? "");
  if (!deployment) problems.push(`resourceArn ${JSON.stringify(e.resourceArn)} is not a service deployment ARN`);
  const service = SERVICE.exec(text(details.serviceArn) ?? "");
  if (!service) problems.push(`executionDetails.serviceArn ${JSON.stringify(details.serviceArn)} is not a service ARN`);
  const revision = SERVICE_REVISION.exec(text(details.targetServiceRevisionArn) ?? "");
  if (!revision) problems.push(`executionDetails.targetServiceRevisionArn ${JSON.stringify(details.targetServiceRevisionArn)} is not a service revision ARN`);
  if (deployment && service && (deployment[3] !== service[3] || deployment[4] !== service[4])) {
    problems.push(`resourceArn names ${deployment[3]}/${deployment[4]} but serviceArn names ${service[3]}/${service[4]}`);
  }
  if (deployment && revision && (deployment[3] !== revision[3] || deployment[4] !== revision[4])) {
    problems.push(`targetServiceRevisionArn belongs to ${revision[3]}/${revision[4]}, not ${deployment[3]}/${deployment[4]}`);
  }
  const testTrafficWeights = weights(details.testTrafficWeights, "testTrafficWeights", problems);
  const productionTrafficWeights = weights(details.productionTrafficWeights, "productionTrafficWeights", problems);

  if (problems.length > 0 || !deployment || !service || !revision || !executionId || !isEcsHookStage(stage)) {
    throw new EcsHookEventError(`not an ECS lifecycle hook event: ${problems.join("; ")}`);
  }
  return {
    executionId,
    stage,
    serviceDeploymentArn: deployment[0],
    serviceDeploymentId: deployment[5]!,
    serviceArn: service[0],
    cluster: deployment[3]!,
    service: deployment[4]!,
    region: deployment[1]!,
    targetRevisionArn: revision[0],
    testTrafficWeights,
    productionTrafficWeights,
    hookDetails: e.hookDetails,
  };
}

/** The last part of a service revision ARN (…/service-revision/<cluster>/<service>/<id>). */
export function revisionId(revisionArn: string): string {
  return revisionArn.slice(revisionArn.lastIndexOf("/") + 1);
}

function weights(value: unknown, field: string, problems: string[]): Record<string, number> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    problems.push(`executionDetails.${field} is not a map of revision ARNs to percentages`);
    return {};
  }
  const out: Record<string, number> = {};
  for (const [arn, weight] of Object.entries(value)) {
    if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0 || weight > 100) {
      problems.push(`executionDetails.${field} gives ${arn} ${JSON.stringify(weight)}, not a percentage`);
    } else out[arn] = weight;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
