/**
 * A CodeDeploy hook's verdict counts (HookSucceeded / HookFailed) once CodeDeploy has taken it:
 * not when another invocation settled the hook first, not when CodeDeploy refused the report.
 */
import {
  CodeDeployClient,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  GetDeploymentTargetCommand,
  LifecycleEventAlreadyCompletedException,
  ListDeploymentTargetsCommand,
  PutLifecycleEventHookExecutionStatusCommand,
} from "@aws-sdk/client-codedeploy";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { deploySchema } from "../../../lib/config/deploy-schema.ts";
import { runLifecycleHook } from "../../../lib/deploy/lifecycle-hook.ts";
import { metrics } from "../../../lib/observability/metrics.ts";
import { flushedFigures } from "../../support/emf.ts";

const codedeploy = mockClient(CodeDeployClient);
const event = { DeploymentId: "d-TEST12345", LifecycleEventHookExecutionId: "exec-1" };
const clock = () => {
  const end = Date.now() + 60_000;
  return { getRemainingTimeInMillis: () => end - Date.now() };
};

/** A Lambda deployment at AfterAllowTraffic, whose hook runs the checks `checks` (an empty list passes on purpose). */
function seed() {
  codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { deploymentId: "d-TEST12345", applicationName: "api", deploymentGroupName: "api-prd", computePlatform: "Lambda", status: "InProgress" } });
  codedeploy.on(GetDeploymentGroupCommand).resolves({ deploymentGroupInfo: {} });
  codedeploy.on(ListDeploymentTargetsCommand).resolves({ targetIds: ["api:live"] });
  codedeploy.on(GetDeploymentTargetCommand).resolves({
    deploymentTarget: {
      deploymentTargetType: "LambdaTarget",
      lambdaTarget: { targetId: "api:live", lifecycleEvents: [{ lifecycleEventName: "AfterAllowTraffic", status: "InProgress" }], lambdaFunctionInfo: { functionName: "api", functionAlias: "live", currentVersion: "1", targetVersion: "2" } },
    },
  });
  codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
}

const passing = deploySchema.parse({ applications: { api: { deploymentGroups: { "*": { hooks: { AfterAllowTraffic: { checks: [] } } } } } } });
const run = (loadDeployConfig: () => Promise<unknown>) =>
  runLifecycleHook(event, clock(), { loadDeployConfig: loadDeployConfig as never, hookName: "AfterAllowTraffic", report: { baseDelayMs: 1, maxDelayMs: 2 } });

beforeEach(() => {
  resetAwsClients();
  metrics.clearMetrics();
  seed();
});
afterEach(() => codedeploy.reset());

describe("a CodeDeploy hook's verdict metric", () => {
  it("counts HookSucceeded when CodeDeploy takes a Succeeded report", async () => {
    expect(await run(async () => passing)).toMatchObject({ kind: "reported", status: "Succeeded", delivery: "reported" });
    expect(flushedFigures()).toEqual({ HookSucceeded: { unit: "Count", values: [1] } });
  });

  it("counts HookFailed when CodeDeploy takes a Failed report, a crash's included", async () => {
    const outcome = await run(async () => {
      throw new Error("invalid Runway configuration: runway.yml:3:1 deploy: expected object");
    });
    expect(outcome).toMatchObject({ kind: "reported", status: "Failed", delivery: "reported" });
    expect(flushedFigures()).toEqual({ HookFailed: { unit: "Count", values: [1] } });
  });

  it("counts nothing when the hook was already settled", async () => {
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).rejects(new LifecycleEventAlreadyCompletedException({ message: "already completed", $metadata: {} }));
    expect(await run(async () => passing)).toMatchObject({ kind: "reported", delivery: "already-completed" });
    expect(flushedFigures()).toEqual({});
  });

  it("counts nothing when CodeDeploy refuses the report", async () => {
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).rejects(Object.assign(new Error("no such execution"), { name: "InvalidLifecycleEventHookExecutionIdException", $metadata: { httpStatusCode: 400 } }));
    expect(await run(async () => passing)).toMatchObject({ kind: "not-delivered" });
    expect(flushedFigures()).toEqual({});
  });
});
