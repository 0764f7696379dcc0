/**
 * The port through which deployment news leaves the validator. The Slack implementation lives in
 * lib/notify and is connected by the function wiring; here there is only the logging one, which
 * is also what runs when Slack is not configured. A notifier must never stop a report: callers
 * report first and treat notifier failures as log lines.
 */
import { logger } from "../observability/logger.ts";
import { formatVerdict } from "./evidence.ts";
import type { HookVerdict, VerdictSubject } from "./types.ts";

/** A verdict about one hook execution, with the evidence and whether CodeDeploy took it. */
export interface VerdictNotice {
  subject: VerdictSubject;
  verdict: HookVerdict;
  /** `already-completed`: CodeDeploy had settled the hook before; this verdict changed nothing. */
  delivery: "reported" | "already-completed" | "not-delivered";
  /** The same evidence as readable lines (formatVerdict). */
  lines: string[];
}

export type DeploymentState = "started" | "succeeded" | "failed" | "stopped" | "ready" | "rolling-back" | "rolled-back" | "in-progress";

/** A deployment moved (from EventBridge: CodeDeploy or ECS deployment state changes). */
export interface DeploymentStateChange {
  source: "codedeploy" | "ecs";
  /** CodeDeploy's d-XXXX, or ECS's ecs-svc/… */
  deploymentId: string;
  state: DeploymentState;
  applicationName: string | undefined;
  deploymentGroupName: string | undefined;
  /** ECS or Lambda: from GetDeployment for CodeDeploy events (when it could be asked), ECS for ECS events. */
  computePlatform: string | undefined;
  /** ECS: the service ARN. */
  resource: string | undefined;
  region: string | undefined;
  time: string | undefined;
  /** A rollback's deployment id, or the deployment a rollback undoes. */
  rollback: { rollbackDeploymentId?: string; rolledBackDeploymentId?: string } | undefined;
  reason: string | undefined;
}

export interface DeploymentNotifier {
  verdict(notice: VerdictNotice): Promise<void>;
  stateChanged(change: DeploymentStateChange): Promise<void>;
}

/** Writes notices to the log: the notifier when Slack is not (yet) connected. */
export const logNotifier: DeploymentNotifier = {
  async verdict(notice) {
    logger.info("deployment verdict", { deploymentId: notice.subject.deploymentId, delivery: notice.delivery, lines: notice.lines });
  },
  async stateChanged(change) {
    logger.info("deployment state changed", { ...change });
  },
};

/** Builds the notice for a verdict. */
export function verdictNotice(subject: VerdictSubject, verdict: HookVerdict, delivery: VerdictNotice["delivery"]): VerdictNotice {
  return { subject, verdict, delivery, lines: formatVerdict(subject, verdict) };
}
