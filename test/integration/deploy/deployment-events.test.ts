/** functions/deployment-events.ts against the emulator: rollbacks are recognised through GetDeployment. */
import { PutLifecycleEventHookExecutionStatusCommand } from "@aws-sdk/client-codedeploy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../../functions/deployment-events.ts";
import { codeDeployClient } from "../../../lib/aws/codedeploy.ts";
import { CODEDEPLOY_DETAIL_TYPE } from "../../../lib/deploy/deployment-events.ts";
import { lambdaContext, seedShop, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

describe("deployment state-change events", () => {
  it("says why a deployment failed", async () => {
    const deploymentId = seedShop(h);
    const executionId = h.codedeploy.startHook(deploymentId, "AfterAllowTestTraffic");
    await codeDeployClient().send(new PutLifecycleEventHookExecutionStatusCommand({ deploymentId, lifecycleEventHookExecutionId: executionId, status: "Failed" }));

    const change = await handler(
      {
        "detail-type": CODEDEPLOY_DETAIL_TYPE,
        source: "aws.codedeploy",
        region: "eu-west-1",
        detail: { deploymentId, application: "shop", deploymentGroup: "shop-prd", state: "FAILURE", region: "eu-west-1" },
      },
      lambdaContext(),
    );
    expect(change).toMatchObject({ source: "codedeploy", deploymentId, state: "failed", reason: "The AfterAllowTestTraffic hook reported Failed." });
  });
});
