/** A GitHub that answers the deployments and review calls from memory, for the decider's unit tests. */
import type { ConditionResult } from "../../../lib/protection/types.ts";

export interface StubDeployment {
  id: number;
  creator?: string;
  /** Newest first, as GitHub lists them. */
  statuses: Array<{ state: string; created_at: string }>;
}

export interface StubGitHub {
  client: { request: (route: string, params: Record<string, unknown>) => Promise<{ data: unknown }> };
  reviews: Array<Record<string, unknown>>;
  calls: string[];
  /** Errors thrown by the next review calls, in order (Octokit's RequestError shape). */
  failReviews: unknown[];
}

export function stubGitHub(deployments: Record<string, StubDeployment[]> = {}): StubGitHub {
  const stub: StubGitHub = {
    reviews: [],
    calls: [],
    failReviews: [],
    client: {
      async request(route, params) {
        stub.calls.push(route);
        if (route === "GET /repos/{owner}/{repo}/deployments") {
          const list = deployments[String(params.environment)] ?? [];
          return { data: list.map((d) => ({ id: d.id, sha: params.sha, environment: params.environment, creator: { login: d.creator ?? "github-actions[bot]" } })) };
        }
        if (route === "GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses") {
          const found = Object.values(deployments).flat().find((d) => d.id === params.deployment_id);
          return { data: found?.statuses ?? [] };
        }
        if (route === "POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule") {
          const failure = stub.failReviews.shift();
          if (failure) throw failure;
          stub.reviews.push(params);
          return { data: undefined };
        }
        throw new Error(`unexpected call ${route}`);
      },
    },
  };
  return stub;
}

/** What Octokit throws for an HTTP error answer. */
export function httpError(status: number, message: string, headers: Record<string, string> = {}): unknown {
  return Object.assign(new Error(message), { name: "HttpError", status, response: { status, headers, data: { message } }, request: { method: "POST", url: "https://api.github.com/repos/acme/api/actions/runs/9001/deployment_protection_rule" } });
}

export const alarmsOk = async (): Promise<ConditionResult> => ({ name: "alarms", status: "pass", summary: "alarms OK: shop-5xx OK" });
export const alarmFiring = async (): Promise<ConditionResult> => ({ name: "alarms", status: "fail", summary: "shop-5xx ALARM: shop-5xx is in ALARM" });
export const alarmsUnreadable = async (): Promise<ConditionResult> => ({ name: "alarms", status: "error", summary: "could not read the alarms shop-5xx (TimeoutError: timed out)" });
