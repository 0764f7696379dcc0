import { describe, expect, it } from "vitest";
import { EcsHookEventError } from "../../../lib/deploy/ecs-native/errors.ts";
import { parseEcsHookEvent, revisionId } from "../../../lib/deploy/ecs-native/event.ts";
import { BLUE, DEPLOYMENT_ARN, GREEN, hookPayload, SERVICE_ARN } from "./ecs-native-support.ts";

describe("parseEcsHookEvent", () => {
  it("reads the documented payload: stage, service deployment, cluster and service, revisions and weights", () => {
    const event = parseEcsHookEvent(hookPayload({ stage: "PRODUCTION_TRAFFIC_SHIFT", production: { [GREEN]: 100, [BLUE]: 0 }, hookDetails: { S3_BUCKET_NAME: "b" } }));
    expect(event).toEqual({
      executionId: "3a0345ba-b029-404b-890d-7da2a4b266aa",
      stage: "PRODUCTION_TRAFFIC_SHIFT",
      serviceDeploymentArn: DEPLOYMENT_ARN,
      serviceDeploymentId: "EZe5RNVLH6PPzHXINuP28",
      serviceArn: SERVICE_ARN,
      cluster: "my-cluster",
      service: "my-service",
      region: "us-west-2",
      targetRevisionArn: GREEN,
      testTrafficWeights: {},
      productionTrafficWeights: { [GREEN]: 100, [BLUE]: 0 },
      hookDetails: { S3_BUCKET_NAME: "b" },
    });
    expect(revisionId(GREEN)).toBe("9313423515462893900");
  });

  it("names every field that is wrong, and refuses ARNs that disagree about the service", () => {
    const expectProblems = (raw: unknown, ...problems: RegExp[]) => {
      let error: unknown;
      try {
        parseEcsHookEvent(raw);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(EcsHookEventError);
      for (const problem of problems) expect((error as Error).message).toMatch(problem);
    };
    expectProblems(null, /not a JSON object/);
    expectProblems({ DeploymentId: "d-1", LifecycleEventHookExecutionId: "e" }, /executionId is missing/, /lifecycleStage undefined/, /resourceArn/, /executionDetails is missing/);
    expectProblems(hookPayload({ stage: "BAKE_TIME" }), /lifecycleStage "BAKE_TIME" is not one of RECONCILE_SERVICE/);
    const other = hookPayload();
    (other.executionDetails as Record<string, unknown>).serviceArn = SERVICE_ARN.replace("my-service", "other");
    expectProblems(other, /resourceArn names my-cluster\/my-service but serviceArn names my-cluster\/other/);
    const revision = hookPayload();
    (revision.executionDetails as Record<string, unknown>).targetServiceRevisionArn = GREEN.replace("my-cluster", "c2");
    expectProblems(revision, /targetServiceRevisionArn belongs to c2\/my-service/);
    expectProblems(hookPayload({ production: { [GREEN]: 150 } }), /productionTrafficWeights gives .* 150, not a percentage/);
  });
});
