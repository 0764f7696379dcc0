/**
 * The webhook's side of a deployment protection rule: read the request, check that this stage is
 * the one to decide, queue it, answer. Deciding takes GitHub's API and CloudWatch, answering takes
 * an installation token: neither belongs in the 10 s (in practice, well under a second) a delivery
 * gets, and a decision that fails half-way must be retried, which a webhook answer cannot be. GitHub
 * waits up to 30 days for the callback, so a queue costs the job a second or two, not its answer.
 */
import type { RunwayConfig } from "../config/schema.ts";
import type { DeliveryOutcome } from "../github/dispatch.ts";
import type { Delivery } from "../github/read-delivery.ts";
import type { ServedEnvironments } from "../routing/route.ts";
import type { ProtectionSink } from "./queue.ts";
import { readProtectionRequest } from "./request.ts";
import { protectionRuleFor } from "./rules.ts";

export interface ReceiveDeps {
  config: RunwayConfig;
  served: ServedEnvironments;
  protection: ProtectionSink;
  now?: () => Date;
}

/**
 * Queue a `deployment_protection_rule` delivery for a decision, or say why it is ignored.
 *
 * @throws QueueUnavailableError when the queue does not take it (answered 503: redeliver it).
 * @example
 * const outcome = await receiveProtectionRule(delivery, { config, served: "all", protection: sqsProtectionSink() });
 * outcome.summary.decision; // "queued"
 */
export async function receiveProtectionRule(delivery: Delivery, deps: ReceiveDeps): Promise<DeliveryOutcome> {
  const repository = (delivery.payload as { repository?: { full_name?: unknown } } | null)?.repository?.full_name;
  const repo = typeof repository === "string" ? repository : undefined;
  if (delivery.action !== "requested") {
    return ignored(delivery, `deployment_protection_rule action ${delivery.action ?? "(none)"} needs nothing: Runway decides on requested`, repo);
  }
  const read = readProtectionRequest(delivery, (deps.now ?? (() => new Date()))());
  if (!read.ok) return ignored(delivery, `cannot answer this protection rule: ${read.reason}`, repo);
  const { request } = read;

  const resolved = protectionRuleFor(deps.config, request.environment);
  const environment = resolved?.runwayEnvironment;
  if (environment !== undefined && deps.served !== "all" && !deps.served.has(environment)) {
    return ignored(delivery, `the rule of ${request.environment} is ${environment}'s, which this stage does not serve: the stage serving ${environment} decides`, request.repository);
  }

  await deps.protection.send(request);
  const reason = resolved
    ? `protection rule of ${request.environment} queued for a decision: run ${request.runId}, commit ${request.sha.slice(0, 7)}`
    : `${request.environment} has no rule in runway.yml's protection: section: queued to be rejected with that reason`;
  return {
    statusCode: 202,
    body: { ok: true, event: delivery.event, action: delivery.action, queued: true, environment: request.environment, runId: request.runId },
    summary: { decision: "queued", reason, repository: request.repository, ...(environment ? { environment } : {}) },
  };
}

function ignored(delivery: Delivery, reason: string, repository: string | undefined): DeliveryOutcome {
  return {
    statusCode: 202,
    body: { ok: true, event: delivery.event, action: delivery.action ?? null, ignored: reason },
    summary: { decision: "ignored", reason, repository },
  };
}
