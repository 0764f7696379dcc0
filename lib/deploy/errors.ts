/**
 * Errors of the deploy validator. Each says what went wrong and what to do next; every one of them
 * ends as a Failed report with its message as the reason, never as a silent hook.
 */

/** Base class: anything that makes a hook fail for a reason Runway understands. */
export class DeployError extends Error {
  override name = "DeployError";
}

/** The `deploy:` configuration is missing, broken, or has nothing for this hook. */
export class DeployConfigError extends DeployError {
  override name = "DeployConfigError";
}

/** CodeDeploy did not describe the deployment the way a hook needs (missing target, task sets …). */
export class DeploymentLookupError extends DeployError {
  override name = "DeploymentLookupError";
  readonly deploymentId: string;
  constructor(deploymentId: string, message: string, options?: ErrorOptions) {
    super(`deployment ${deploymentId}: ${message}`, options);
    this.deploymentId = deploymentId;
  }
}

/** The function validates one hook but CodeDeploy is running another: the appspec points at the wrong function. */
export class HookMismatchError extends DeployError {
  override name = "HookMismatchError";
}

/** A check cannot run in this deployment at all (wrong compute platform, a placeholder with no value); retrying will not help. */
export class CheckSetupError extends DeployError {
  override name = "CheckSetupError";
}

/** The function's own timeout is near: checks stop so that the report still goes out. */
export class DeadlineError extends DeployError {
  override name = "DeadlineError";
  readonly remainingMs: number;
  constructor(remainingMs: number, marginMs: number, options?: ErrorOptions) {
    super(
      `stopped with ${Math.round(remainingMs / 1000)}s left before the function's timeout (reportMargin ${Math.round(marginMs / 1000)}s): ` +
        "raise the function's timeout or make the checks shorter (count × interval)",
      options,
    );
    this.remainingMs = remainingMs;
  }
}

/** The status could not be delivered to CodeDeploy. `retryable` says whether another invocation may succeed. */
export class ReportError extends DeployError {
  override name = "ReportError";
  readonly retryable: boolean;
  readonly attempts: number;
  constructor(message: string, retryable: boolean, attempts: number, options?: ErrorOptions) {
    super(message, options);
    this.retryable = retryable;
    this.attempts = attempts;
  }
}
