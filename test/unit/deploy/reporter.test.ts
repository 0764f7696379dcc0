import { CodeDeployClient, LifecycleEventAlreadyCompletedException, PutLifecycleEventHookExecutionStatusCommand } from "@aws-sdk/client-codedeploy";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { ReportError } from "../../../lib/deploy/errors.ts";
import { reportHookStatus } from "../../../lib/deploy/reporter.ts";
import { isRetryableAwsError } from "../../../lib/errors/aws-retryable.ts";

const codedeploy = mockClient(CodeDeployClient);
const input = { deploymentId: "d-1", executionId: "exec-1", status: "Failed" as const };
const fast = { baseDelayMs: 1, maxDelayMs: 2, reserveMs: 0 };

const throttled = () => Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } });

beforeEach(() => resetAwsClients());
afterEach(() => codedeploy.reset());

describe("hook status reporter", () => {
  it("reports the status with the execution id", async () => {
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({ lifecycleEventHookExecutionId: "exec-1" });
    await expect(reportHookStatus(input, { timeLeftMs: () => 60_000, ...fast })).resolves.toEqual({ delivery: "reported", attempts: 1 });
    expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0]?.args[0].input).toEqual({
      deploymentId: "d-1",
      lifecycleEventHookExecutionId: "exec-1",
      status: "Failed",
    });
  });

  it("keeps retrying a throttled report beyond the SDK's own attempts", async () => {
    codedeploy
      .on(PutLifecycleEventHookExecutionStatusCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({});
    await expect(reportHookStatus(input, { timeLeftMs: () => 60_000, ...fast })).resolves.toEqual({ delivery: "reported", attempts: 6 });
  });

  it("counts 'already completed' as done", async () => {
    codedeploy
      .on(PutLifecycleEventHookExecutionStatusCommand)
      .rejects(new LifecycleEventAlreadyCompletedException({ message: "already completed", $metadata: {} }));
    await expect(reportHookStatus(input, { timeLeftMs: () => 60_000, ...fast })).resolves.toEqual({ delivery: "already-completed", attempts: 1 });
  });

  it("gives up at once when CodeDeploy refuses the report", async () => {
    codedeploy
      .on(PutLifecycleEventHookExecutionStatusCommand)
      .rejects(Object.assign(new Error("bad id"), { name: "InvalidLifecycleEventHookExecutionIdException", $metadata: { httpStatusCode: 400 } }));
    const error = await reportHookStatus(input, { timeLeftMs: () => 60_000, ...fast }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportError);
    expect(error).toMatchObject({ retryable: false, attempts: 1 });
  });

  it("stops retrying when the function's time runs out, and says another invocation may succeed", async () => {
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).rejects(throttled());
    let left = 2_000;
    const error = await reportHookStatus(input, { timeLeftMs: () => (left -= 400), baseDelayMs: 1, maxDelayMs: 1, reserveMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ReportError", retryable: true });
    expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand).length).toBeGreaterThanOrEqual(1);
  });

  it("tells passing faults from refusals", () => {
    expect(isRetryableAwsError(throttled())).toBe(true);
    expect(isRetryableAwsError(Object.assign(new Error("x"), { $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isRetryableAwsError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))).toBe(true);
    expect(isRetryableAwsError(Object.assign(new Error("no"), { name: "DeploymentDoesNotExistException", $metadata: { httpStatusCode: 400 } }))).toBe(false);
  });
});
