/**
 * Errors of the ECS-native hook. Every one ends as a FAILED answer with its message as the
 * reason (so ECS rolls back), never as an error thrown at ECS.
 */
import { DeadlineError, DeployError } from "../errors.ts";

/** The invocation is not an ECS lifecycle hook event: ECS sends executionId, lifecycleStage, resourceArn and executionDetails. */
export class EcsHookEventError extends DeployError {
  override name = "EcsHookEventError";
}

/** hookDetails carries analysis state that cannot be read, was altered, or belongs to another stage or deployment. */
export class HookStateError extends DeployError {
  override name = "HookStateError";
}

/** The stage's analysis cannot finish within its maxDuration (runway.yml deploy.ecs … maxDuration). */
export class AnalysisDeadlineError extends DeployError {
  override name = "AnalysisDeadlineError";
}

/** The invocation itself ran out of time (a measurement outlasted what the function had left). */
export class InvocationDeadlineError extends DeadlineError {
  override name = "InvocationDeadlineError";
  constructor(cause: DeadlineError) {
    super(cause.remainingMs, 0);
    this.message =
      `stopped with ${Math.round(cause.remainingMs / 1000)}s left before the function's timeout, a measurement still running: ` +
      "give the ecs-hook function a timeout well above the longest check timeout";
  }
}
