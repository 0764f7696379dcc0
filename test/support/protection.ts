/** Deployment protection rule deliveries and configurations, for the protection tests. */
import { parseConfig } from "../../lib/config/load.ts";
import type { RunwayConfig } from "../../lib/config/schema.ts";
import type { ProtectionRequest } from "../../lib/protection/request.ts";

export const SHA = "0123456789abcdef0123456789abcdef01234567";

/** A `deployment_protection_rule` / `requested` payload as GitHub sends it (fields override). */
export function protectionPayload(overrides: Record<string, unknown> = {}, api = "https://api.github.com"): Record<string, unknown> {
  return {
    action: "requested",
    environment: "production",
    event: "push",
    sha: SHA,
    ref: "main",
    deployment_callback_url: `${api}/repos/acme/api/actions/runs/9001/deployment_protection_rule`,
    deployment: { id: 77, sha: SHA, ref: "main", environment: "production", creator: { login: "github-actions[bot]" } },
    repository: { id: 1, name: "api", full_name: "acme/api", html_url: "https://github.com/acme/api", owner: { login: "acme" } },
    installation: { id: 42 },
    sender: { login: "octocat" },
    ...overrides,
  };
}

/**
 * prd and stg Runway environments, and a rule for the GitHub environment `production` (YAML, for a
 * runway.yml on disk): by default validated in staging (10 minutes' soak), the shop-5xx alarm,
 * Monday to Friday 09:00-17:00 UTC; `rule` replaces the rule's lines.
 */
export function protectionYaml(rule = ""): string {
  return `
stages: { local: all, prd: [prd] }
environments:
  stg:
    workflows: [[{ type: WORKFLOW_NAME, pattern: "^stg-deploy$" }]]
    labels: [runway-stg]
    codebuild: { project: runner-stg }
  prd:
    workflows: [[{ type: WORKFLOW_NAME, pattern: "^prd-deploy$" }]]
    labels: [runway-prd]
    codebuild: { project: runner-prd }
    slack: { channel: "#deploys-prd" }
protection:
  environments:
    production:
      environment: prd
${
  rule ||
  `      validatedIn: [{ environment: staging, soak: 10m }]
      alarms: [shop-5xx]
      window: { timeZone: UTC, days: [mon, tue, wed, thu, fri], hours: "09:00-17:00" }`
}
`;
}

/** protectionYaml() parsed. */
export function protectionConfig(rule = ""): RunwayConfig {
  return parseConfig(protectionYaml(rule), "runway.yml");
}

/**
 * A queued protection request as the webhook writes it (lib/protection/request.ts), for GitHub's
 * run 9001 of acme/api asking about `production`; `overrides` adds or replaces fields.
 */
export function protectionRequest(overrides: Partial<ProtectionRequest> = {}, now = new Date("2026-12-08T10:00:00Z")): ProtectionRequest {
  const fields: ProtectionRequest = {
    version: 1,
    deliveryId: "guid-1",
    receivedAt: now.toISOString(),
    environment: "production",
    sha: SHA,
    repository: "acme/api",
    owner: "acme",
    repo: "api",
    runId: 9001,
    callbackUrl: "https://api.github.com/repos/acme/api/actions/runs/9001/deployment_protection_rule",
    ...overrides,
  };
  // In the order the webhook writes a request (as the consumer parks it again), whatever `overrides` added.
  const order = ["version", "deliveryId", "receivedAt", "environment", "event", "sha", "ref", "repository", "owner", "repo", "repositoryUrl", "runId", "callbackUrl", "installationId", "deploymentId", "sender"];
  const rank = (key: string) => (order.includes(key) ? order.indexOf(key) : order.length);
  return Object.fromEntries(Object.entries(fields).sort(([a], [b]) => rank(a) - rank(b))) as ProtectionRequest;
}
