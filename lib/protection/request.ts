/**
 * A `deployment_protection_rule` delivery, read once where it enters: the one typed value the
 * webhook queues and the decider works from, or the reason it cannot be acted on. The field names
 * come from GitHub's webhook schema (@octokit/webhooks); real deliveries also carry the commit and
 * its ref at the top (`sha`, `ref`), which the schema lacks, with the deployment's as the fallback.
 */
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import { parseDeploymentCallbackUrl } from "../github/deployment-callback.ts";
import type { Delivery } from "../github/read-delivery.ts";

export type ProtectionRuleEvent = EmitterWebhookEvent<"deployment_protection_rule">["payload"];

/** What Runway needs of one request to approve or reject a deployment, and nothing else. */
export interface ProtectionRequest {
  version: 1;
  /** `X-GitHub-Delivery`. */
  deliveryId: string;
  receivedAt: string;
  /** The GitHub environment whose protection rule asks, as GitHub spells it. */
  environment: string;
  /** What started the run: push, workflow_dispatch, pull_request … */
  event?: string | undefined;
  /** The commit being deployed. */
  sha: string;
  ref?: string | undefined;
  /** `owner/name`. */
  repository: string;
  owner: string;
  repo: string;
  /** The repository's page, e.g. https://github.com/acme/api. */
  repositoryUrl?: string | undefined;
  /** The run waiting on the rule, from `deployment_callback_url`. */
  runId: number;
  callbackUrl: string;
  installationId?: number | undefined;
  /** GitHub's deployment record of this job (one per job and attempt). */
  deploymentId?: number | undefined;
  /** Who started the run. */
  sender?: string | undefined;
}

export type ReadRequest = { ok: true; request: ProtectionRequest } | { ok: false; reason: string };

type Loose<T> = { [K in keyof T]?: unknown };
type Payload = Loose<ProtectionRuleEvent> & { sha?: unknown; ref?: unknown };

/**
 * Read a verified delivery of `deployment_protection_rule` / `requested`.
 *
 * @example
 * const read = readProtectionRequest(delivery, new Date());
 * if (read.ok) await sink.send(read.request);
 */
export function readProtectionRequest(delivery: Delivery, receivedAt: Date): ReadRequest {
  const p = (isObject(delivery.payload) ? delivery.payload : {}) as Payload;
  const repository = (isObject(p.repository) ? p.repository : {}) as Loose<ProtectionRuleEvent["repository"]>;
  const deployment = (isObject(p.deployment) ? p.deployment : {}) as Loose<NonNullable<ProtectionRuleEvent["deployment"]>>;
  const installation = (isObject(p.installation) ? p.installation : {}) as Loose<NonNullable<ProtectionRuleEvent["installation"]>>;
  const sender = (isObject(p.sender) ? p.sender : {}) as Loose<ProtectionRuleEvent["sender"]>;

  const fullName = text(repository.full_name);
  if (!fullName || !/^[^/\s]+\/[^/\s]+$/.test(fullName)) return { ok: false, reason: "the delivery names no repository (repository.full_name)" };
  const environment = text(p.environment);
  if (!environment) return { ok: false, reason: "the delivery names no environment: GitHub needs environment_name to take an answer" };
  const callbackUrl = text(p.deployment_callback_url);
  if (!callbackUrl) return { ok: false, reason: "the delivery has no deployment_callback_url: there is nowhere to answer" };
  const target = parseDeploymentCallbackUrl(callbackUrl);
  const [owner, repo] = fullName.split("/") as [string, string];
  if (!target || target.owner.toLowerCase() !== owner.toLowerCase() || target.repo.toLowerCase() !== repo.toLowerCase()) {
    return { ok: false, reason: `deployment_callback_url is not GitHub's review URL of a run of ${fullName} (…/repos/${fullName}/actions/runs/<id>/deployment_protection_rule)` };
  }
  const sha = text(p.sha) ?? text(deployment.sha);
  if (!sha || !/^[0-9a-f]{7,64}$/i.test(sha)) return { ok: false, reason: "the delivery names no commit (sha, or deployment.sha)" };

  const deploymentId = whole(deployment.id);
  const installationId = whole(installation.id);
  return {
    ok: true,
    request: {
      version: 1,
      deliveryId: delivery.id,
      receivedAt: receivedAt.toISOString(),
      environment,
      sha: sha.toLowerCase(),
      repository: fullName,
      owner,
      repo,
      runId: target.runId,
      callbackUrl,
      ...defined({
        event: text(p.event),
        ref: text(p.ref) ?? text(deployment.ref),
        repositoryUrl: httpUrl(text(repository.html_url)),
        installationId,
        deploymentId,
        sender: text(sender.login),
      }),
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function whole(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

function httpUrl(value: string | undefined): string | undefined {
  return value && /^https?:\/\/[^/\s]+/.test(value) ? value.replace(/\/+$/, "") : undefined;
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
