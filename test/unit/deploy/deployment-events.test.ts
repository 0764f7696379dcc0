import { CodeDeployClient, GetDeploymentCommand } from "@aws-sdk/client-codedeploy";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { CODEDEPLOY_DETAIL_TYPE, ECS_DETAIL_TYPE, handleDeploymentEvent, parseDeploymentEvent } from "../../../lib/deploy/deployment-events.ts";
import type { DeploymentNotifier, DeploymentStateChange } from "../../../lib/deploy/notifier.ts";

const codedeploy = mockClient(CodeDeployClient);
beforeEach(() => resetAwsClients());
afterEach(() => codedeploy.reset());

const codeDeployEvent = (state: string, deploymentId = "d-123456789") => ({
  "detail-type": CODEDEPLOY_DETAIL_TYPE,
  source: "aws.codedeploy",
  region: "eu-west-1",
  time: "2026-06-30T22:06:31Z",
  resources: ["arn:aws:codedeploy:eu-west-1:123456789012:application:shop"],
  detail: { region: "eu-west-1", deploymentId, instanceGroupId: "9fd2", deploymentGroup: "shop-prd", application: "shop", state },
});

const ecsEvent = (eventName: string, reason: string) => ({
  "detail-type": ECS_DETAIL_TYPE,
  source: "aws.ecs",
  region: "eu-west-1",
  time: "2026-05-23T12:31:14Z",
  resources: ["arn:aws:ecs:eu-west-1:111122223333:service/main/shop"],
  detail: { eventType: "INFO", eventName, deploymentId: "ecs-svc/123", updatedAt: "2026-05-23T11:11:11Z", reason },
});

function recorder(): DeploymentNotifier & { changes: DeploymentStateChange[] } {
  const changes: DeploymentStateChange[] = [];
  return { changes, verdict: async () => undefined, stateChanged: async (change) => void changes.push(change) };
}

describe("deployment state-change events", () => {
  it("reads CodeDeploy deployment states", () => {
    expect(parseDeploymentEvent(codeDeployEvent("START"))).toMatchObject({
      source: "codedeploy",
      deploymentId: "d-123456789",
      state: "started",
      applicationName: "shop",
      deploymentGroupName: "shop-prd",
      region: "eu-west-1",
    });
    expect(["SUCCESS", "FAILURE", "STOP", "READY"].map((s) => parseDeploymentEvent(codeDeployEvent(s))?.state)).toEqual(["succeeded", "failed", "stopped", "ready"]);
  });

  it("reads ECS deployment states and tells a rollback by its reason", () => {
    expect(parseDeploymentEvent(ecsEvent("SERVICE_DEPLOYMENT_IN_PROGRESS", "ECS deployment ecs-svc/123 in progress."))).toMatchObject({
      source: "ecs",
      state: "in-progress",
      resource: "arn:aws:ecs:eu-west-1:111122223333:service/main/shop",
    });
    expect(parseDeploymentEvent(ecsEvent("SERVICE_DEPLOYMENT_IN_PROGRESS", "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/122."))?.state).toBe(
      "rolling-back",
    );
    expect(parseDeploymentEvent(ecsEvent("SERVICE_DEPLOYMENT_FAILED", "tasks failed to start"))?.state).toBe("failed");
  });

  it("ignores other events", () => {
    expect(parseDeploymentEvent({ "detail-type": "CodeDeploy Instance State-change Notification", detail: { state: "SUCCESS" } })).toBeUndefined();
    expect(parseDeploymentEvent(codeDeployEvent("WHATEVER"))).toBeUndefined();
    expect(parseDeploymentEvent(null)).toBeUndefined();
  });

  it("marks a rollback deployment and the one it undoes, from GetDeployment", async () => {
    codedeploy
      .on(GetDeploymentCommand, { deploymentId: "d-ROLLBACK1" })
      .resolves({ deploymentInfo: { computePlatform: "ECS", rollbackInfo: { rollbackTriggeringDeploymentId: "d-123456789" } } })
      .on(GetDeploymentCommand, { deploymentId: "d-123456789" })
      .resolves({ deploymentInfo: { rollbackInfo: { rollbackDeploymentId: "d-ROLLBACK1" }, errorInformation: { message: "The AfterAllowTestTraffic hook reported Failed." } } });
    const notifier = recorder();
    await handleDeploymentEvent(codeDeployEvent("FAILURE"), { notifier });
    await handleDeploymentEvent(codeDeployEvent("SUCCESS", "d-ROLLBACK1"), { notifier });
    expect(notifier.changes).toMatchObject([
      { state: "failed", rollback: { rollbackDeploymentId: "d-ROLLBACK1" }, reason: "The AfterAllowTestTraffic hook reported Failed." },
      { state: "rolled-back", rollback: { rolledBackDeploymentId: "d-123456789" }, computePlatform: "ECS" },
    ]);
  });

  it("still tells the notifier when the rollback look-up fails", async () => {
    codedeploy.on(GetDeploymentCommand).rejects(new Error("throttled"));
    const notifier = recorder();
    await handleDeploymentEvent(codeDeployEvent("START"), { notifier });
    expect(notifier.changes).toMatchObject([{ state: "started", rollback: undefined }]);
  });
});
