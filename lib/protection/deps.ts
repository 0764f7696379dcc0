/**
 * The protection-rule function's collaborators, built from its environment, so the Lambda
 * function and the local stack wire them identically: GitHub as the request's installation,
 * CloudWatch through the alarms check, the notify queue, the protection dead-letter queue.
 */
import { githubClient } from "../github/octokit.ts";
import { publish } from "../notify/publish.ts";
import { sqsMessageVisibility } from "../runners/visibility.ts";
import type { ConsumeProtectionDeps } from "./consume.ts";
import { sqsPark } from "./park.ts";

type Log = (message: string, fields: Record<string, unknown>) => void;

/**
 * @example
 * const deps = { config: await getConfig(), ...protectionDepsFromEnv((m, f) => logger.info(m, f)) };
 */
export function protectionDepsFromEnv(log: Log, env: NodeJS.ProcessEnv = process.env): Omit<ConsumeProtectionDeps, "config"> {
  const attempts = Number(env.RUNWAY_MAX_PROTECTION_ATTEMPTS);
  return {
    log,
    now: () => new Date(),
    github: (request) => githubClient({ owner: request.owner, repo: request.repo, installationId: request.installationId }, env),
    notify: (event) => publish(event),
    park: sqsPark(),
    visibility: sqsMessageVisibility({ queueUrl: env.RUNWAY_PROTECTION_QUEUE_URL, log }),
    ...(Number.isInteger(attempts) && attempts > 0 ? { maxAttempts: attempts } : {}),
  };
}
