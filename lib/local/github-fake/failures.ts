/**
 * Fault injection for tests: the next calls to an operation answer what GitHub answers when it is
 * in trouble (5xx) or limiting the App (403 secondary rate limit, 429 rate limit), with GitHub's
 * bodies and headers, so the client's retries and error handling meet the real shapes.
 */
import type { ServerResponse } from "node:http";
import { errorBody, sendJson } from "./http.ts";

/** The fake's operation names, as recorded in `state.calls[].route`. */
export type FakeRoute =
  | "access-tokens"
  | "installation"
  | "generate-jitconfig"
  | "list-runners"
  | "delete-runner"
  | "job-logs"
  | "job-logs-download"
  | "get-job"
  | "get-runner"
  | "list-runner-groups"
  | "list-deliveries"
  | "get-delivery"
  | "redeliver"
  | "send-delivery"
  | "list-deployments"
  | "list-deployment-statuses"
  | "review-protection-rule"
  | "latest-release"
  | "release-by-tag"
  | "release-download";

export interface FailureSpec {
  /** Which operation fails; `*` for every one. */
  route: FakeRoute | "*";
  /**
   * 500 / 502 / 503: GitHub down. 403: a secondary rate limit with `retry-after`. 429: the primary
   * rate limit used up (`x-ratelimit-remaining: 0`, reset `retryAfter` seconds ahead). Any other
   * status answers GitHub's error body with that status.
   */
  status: number;
  /** How many calls fail (default 1). */
  times?: number;
  /** Seconds in `retry-after` / until the rate limit resets (default 1). */
  retryAfter?: number;
}

export interface GitHubFailures {
  add(spec: FailureSpec): void;
  clear(): void;
  /** Faults still waiting to fire. */
  pending(): FailureSpec[];
}

type Pending = Required<FailureSpec>;

export function createFailures(): GitHubFailures & { take(route: FakeRoute): Pending | undefined } {
  let pending: Pending[] = [];
  return {
    add: (spec) => void pending.push({ times: 1, retryAfter: 1, ...spec }),
    clear: () => void (pending = []),
    pending: () => pending.map((p) => ({ ...p })),
    take(route) {
      const fault = pending.find((p) => p.times > 0 && (p.route === route || p.route === "*"));
      if (!fault) return undefined;
      fault.times -= 1;
      pending = pending.filter((p) => p.times > 0);
      return fault;
    },
  };
}

/** Answer a fault the way GitHub does. */
export function sendFault(res: ServerResponse, fault: Pending, rateHeaders: Record<string, string>, requestId: string): void {
  const headers = { "x-github-request-id": requestId };
  const limitDocs = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api";
  if (fault.status === 403) {
    const message = `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`;
    return sendJson(res, 403, errorBody(403, message, limitDocs), { ...rateHeaders, ...headers, "retry-after": String(fault.retryAfter) });
  }
  if (fault.status === 429) {
    const reset = Math.floor(Date.now() / 1000) + fault.retryAfter;
    const message = "API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID " + requestId + ".";
    return sendJson(res, 429, errorBody(429, message, limitDocs), {
      ...rateHeaders,
      ...headers,
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(reset),
    });
  }
  if (fault.status === 502 || fault.status === 503) {
    // GitHub's edge answers these with a page, not JSON.
    const text = fault.status === 502 ? "<html><body><h1>502 Bad Gateway</h1></body></html>" : "<html><body><h1>503 Service Unavailable</h1></body></html>";
    res.writeHead(fault.status, { ...headers, "content-type": "text/html; charset=utf-8" });
    res.end(text);
    return;
  }
  const message = fault.status >= 500 ? "Server Error" : fault.status === 404 ? "Not Found" : `Injected failure ${fault.status}`;
  sendJson(res, fault.status, errorBody(fault.status, message), { ...rateHeaders, ...headers });
}
