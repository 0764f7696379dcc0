/**
 * EventBridge deployment news → DeploymentStateChange for the deployment's Slack thread:
 * "CodeDeploy Deployment State-change Notification" (START, SUCCESS, FAILURE, STOP, READY) and
 * "ECS Deployment State Change" (SERVICE_DEPLOYMENT_IN_PROGRESS / COMPLETED / FAILED, the reason
 * telling a rollback from a first deployment). A CodeDeploy rollback is a deployment of its own;
 * GetDeployment's rollbackInfo says which one undoes which, when it can be asked.
 */
import { GetDeploymentCommand } from "@aws-sdk/client-codedeploy";
import { codeDeployClient } from "../aws/codedeploy.ts";
import { logger } from "../observability/logger.ts";
import { describe } from "../errors/describe.ts";
import type { DeploymentNotifier, DeploymentState, DeploymentStateChange } from "./notifier.ts";

export const CODEDEPLOY_DETAIL_TYPE = "CodeDeploy Deployment State-change Notification";
export const ECS_DETAIL_TYPE = "ECS Deployment State Change";

interface EventBridgeEvent {
  "detail-type"?: unknown;
  source?: unknown;
  region?: unknown;
  time?: unknown;
  resources?: unknown;
  detail?: Record<string, unknown>;
}

const CODEDEPLOY_STATES: Record<string, DeploymentState> = {
  START: "started",
  SUCCESS: "succeeded",
  FAILURE: "failed",
  STOP: "stopped",
  READY: "ready",
};

const ECS_STATES: Record<string, DeploymentState> = {
  SERVICE_DEPLOYMENT_IN_PROGRESS: "in-progress",
  SERVICE_DEPLOYMENT_COMPLETED: "succeeded",
  SERVICE_DEPLOYMENT_FAILED: "failed",
};

/**
 * The state change an EventBridge event describes, or undefined for an event this does not handle.
 *
 * @example
 * parseDeploymentEvent({ "detail-type": CODEDEPLOY_DETAIL_TYPE, detail: { deploymentId: "d-1", state: "SUCCESS" } })?.state; // "succeeded"
 */
export function parseDeploymentEvent(event: unknown): DeploymentStateChange | undefined {
  const e = (event ?? {}) as EventBridgeEvent;
  const detail = e.detail ?? {};
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const base = { region: text(e.region) ?? text(detail.region), time: text(e.time), rollback: undefined };
  if (e["detail-type"] === CODEDEPLOY_DETAIL_TYPE) {
    const deploymentId = text(detail.deploymentId);
    const state = CODEDEPLOY_STATES[String(detail.state)];
    if (!deploymentId || !state) return undefined;
    return {
      ...base,
      source: "codedeploy",
      deploymentId,
      state,
      applicationName: text(detail.application),
      deploymentGroupName: text(detail.deploymentGroup),
      computePlatform: undefined,
      resource: undefined,
      reason: undefined,
    };
  }
  if (e["detail-type"] === ECS_DETAIL_TYPE) {
    const deploymentId = text(detail.deploymentId);
    let state = ECS_STATES[String(detail.eventName)];
    if (!deploymentId || !state) return undefined;
    const reason = text(detail.reason);
    // ECS sends the same IN_PROGRESS event for a rollback; only the reason tells them apart.
    if (state === "in-progress" && reason && /roll(ing)?\s*back/i.test(reason)) state = "rolling-back";
    const resources = Array.isArray(e.resources) ? e.resources.filter((r): r is string => typeof r === "string") : [];
    return {
      ...base,
      source: "ecs",
      deploymentId,
      state,
      applicationName: undefined,
      deploymentGroupName: undefined,
      computePlatform: "ECS",
      resource: resources[0],
      reason,
    };
  }
  return undefined;
}

export interface DeploymentEventOptions {
  notifier: DeploymentNotifier;
  /** Ask CodeDeploy for the platform, the failure's reason and any rollback; default true. */
  lookUpDeployment?: boolean;
}

/**
 * Parses an EventBridge event and tells the notifier. Unknown events are logged and ignored;
 * a failed rollback look-up only loses that detail.
 */
export async function handleDeploymentEvent(event: unknown, options: DeploymentEventOptions): Promise<DeploymentStateChange | undefined> {
  const change = parseDeploymentEvent(event);
  if (!change) {
    logger.info("ignored an event that is not a deployment state change", { detailType: (event as EventBridgeEvent)?.["detail-type"] });
    return undefined;
  }
  if (change.source === "codedeploy" && options.lookUpDeployment !== false) await addDeploymentInfo(change);
  await options.notifier.stateChanged(change);
  return change;
}

async function addDeploymentInfo(change: DeploymentStateChange): Promise<void> {
  try {
    const { deploymentInfo } = await codeDeployClient(change.region).send(new GetDeploymentCommand({ deploymentId: change.deploymentId }));
    change.computePlatform = deploymentInfo?.computePlatform ?? change.computePlatform;
    const rollback = deploymentInfo?.rollbackInfo;
    const undoes = rollback?.rollbackTriggeringDeploymentId;
    const undoneBy = rollback?.rollbackDeploymentId;
    if (undoes) {
      change.rollback = { rolledBackDeploymentId: undoes };
      if (change.state === "succeeded") change.state = "rolled-back";
      else if (change.state === "started") change.state = "rolling-back";
    } else if (undoneBy) {
      change.rollback = { rollbackDeploymentId: undoneBy };
    }
    change.reason = deploymentInfo?.errorInformation?.message ?? rollback?.rollbackMessage ?? change.reason;
  } catch (error) {
    logger.warn("could not look up the deployment (platform, reason, rollback)", { deploymentId: change.deploymentId, error: describe(error) });
  }
}
