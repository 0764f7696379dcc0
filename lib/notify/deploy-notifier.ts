/**
 * The deployment validator's notifier port (lib/deploy/notifier.ts) implemented by queueing
 * notification events: hook verdicts and deployment state changes become replies in the
 * deployment's Slack thread. Like every producer it never throws and never waits on Slack.
 */
import type { DeploymentNotifier, DeploymentStateChange, VerdictNotice } from "../deploy/notifier.ts";
import type { DeploymentInfo, NotificationInput } from "./events.ts";
import { publish, type PublishResult } from "./publish.ts";

export interface QueuedDeploymentNotifierOptions {
  /** The Slack channel of the environment this function serves; the notify default otherwise. */
  channel?: string;
  environment?: string;
  /** Where events go (tests); `publish` to the notify queue by default. */
  send?: (event: NotificationInput) => Promise<PublishResult | void>;
}

const OUTCOMES = { succeeded: "succeeded", failed: "failed", stopped: "stopped", "rolled-back": "rolled_back" } as const;

function platform(value: string | undefined): DeploymentInfo["platform"] {
  return value === "ECS" || value === "Lambda" || value === "Server" ? value : undefined;
}

/**
 * A `DeploymentNotifier` that tells Slack through the notify queue.
 *
 * @example
 * const notifier = queuedDeploymentNotifier({ channel: config.environments.prd?.slack?.channel, environment: "prd" });
 */
export function queuedDeploymentNotifier(options: QueuedDeploymentNotifierOptions = {}): DeploymentNotifier {
  const send = options.send ?? ((event: NotificationInput) => publish(event));
  const common = options.channel ? { channel: options.channel } : {};
  const deployment = (d: { deploymentId: string; applicationName?: string | undefined; deploymentGroupName?: string | undefined; computePlatform?: string | undefined }, region?: string): DeploymentInfo => ({
    id: d.deploymentId,
    ...(d.applicationName ? { application: d.applicationName } : {}),
    ...(d.deploymentGroupName ? { deploymentGroup: d.deploymentGroupName } : {}),
    ...(platform(d.computePlatform) ? { platform: platform(d.computePlatform) } : {}),
    ...((region ?? process.env.AWS_REGION) ? { region: region ?? process.env.AWS_REGION } : {}),
    ...(options.environment ? { environment: options.environment } : {}),
  });

  return {
    async verdict(notice: VerdictNotice) {
      // CodeDeploy had already settled the hook: this verdict changed nothing worth telling.
      if (notice.delivery === "already-completed") return;
      const evidence = [notice.verdict.reason, ...notice.lines.slice(1).map((line) => line.trim())];
      if (notice.delivery === "not-delivered") evidence.push("CodeDeploy did not receive this verdict; it fails the hook when the hook times out");
      await send({
        type: "deploy.verdict",
        ...common,
        deployment: deployment(notice.subject),
        hook: notice.subject.hook ?? "lifecycle hook",
        verdict: notice.verdict.status,
        evidence,
      });
    },
    async stateChanged(change: DeploymentStateChange) {
      const d = deployment(change, change.region);
      if (change.state === "started") {
        await send({ type: "deploy.started", ...common, deployment: d });
        return;
      }
      const outcome = OUTCOMES[change.state as keyof typeof OUTCOMES];
      // in-progress, ready and rolling-back only move the parent's story along; their end is told.
      if (!outcome) return;
      await send({ type: "deploy.finished", ...common, deployment: d, outcome, ...(change.reason ? { reason: change.reason } : {}) });
    },
  };
}
