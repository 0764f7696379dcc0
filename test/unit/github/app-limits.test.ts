import { beforeEach, describe, expect, it } from "vitest";
import { AppLimits } from "../../../lib/github/app-limits.ts";
import { metrics } from "../../../lib/observability/metrics.ts";

let now = 1_700_000_000_000;
const clock = () => now;

/** Every value recorded for a metric since the last clear, as the next flush would publish it. */
function recorded(name: string): number[] {
  const value = (metrics.serializeMetrics() as unknown as Record<string, unknown>)[name];
  return value === undefined ? [] : ((Array.isArray(value) ? value : [value]) as number[]);
}

/** What Octokit throws for an answer GitHub refused: status, the request (Authorization redacted), the response. */
function refused(status: number, message: string, headers: Record<string, string>) {
  const url = "https://api.github.com/repos/acme/api/actions/runners/generate-jitconfig";
  return Object.assign(new Error(message), {
    name: "HttpError",
    status,
    request: { method: "POST", url, headers: { authorization: "token [REDACTED]" } },
    response: { url, status, headers, data: { message, documentation_url: "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api" } },
  });
}

beforeEach(() => {
  now = 1_700_000_000_000;
  metrics.clearMetrics();
});

describe("AppLimits", () => {
  it("records each answer's remaining budget and leaves an App with budget free", () => {
    const limits = new AppLimits(clock);
    limits.observeAnswer(1, { "x-ratelimit-remaining": "4321", "x-ratelimit-reset": String(now / 1000 + 600) });
    limits.observeAnswer(2, { "x-ratelimit-remaining": "17" });
    limits.observeAnswer(2, {});
    expect(recorded("GitHubRateLimitRemaining")).toEqual([4321, 17]);
    expect(limits.isLimited(1)).toBe(false);
    expect(recorded("GitHubAppRateLimited")).toEqual([]);
  });

  it("skips an App whose answer used its budget up, until one second after GitHub's reset", () => {
    const limits = new AppLimits(clock);
    const reset = now / 1000 + 90;
    limits.observeAnswer(1, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset), "x-ratelimit-resource": "actions_runner_registration" });
    expect(limits.limitedUntil(1)).toBe(reset * 1000 + 1000);
    expect(limits.isLimited(2)).toBe(false);
    now = reset * 1000 + 1000;
    expect(limits.isLimited(1)).toBe(false);
    expect(recorded("GitHubRateLimitRemaining")).toEqual([0]);
    expect(recorded("GitHubAppRateLimited")).toEqual([1]);
  });

  it("limits an App refused for a secondary rate limit for GitHub's retry-after", () => {
    const limits = new AppLimits(clock);
    limits.observeFailure(1, refused(403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", { "retry-after": "45", "x-ratelimit-remaining": "4000" }));
    expect(limits.limitedUntil(1)).toBe(now + 45_000);
    expect(recorded("GitHubRateLimitRemaining")).toEqual([4000]);
  });

  it("limits an App whose primary limit ran out (403 or 429, remaining 0) until the reset", () => {
    const limits = new AppLimits(clock);
    const reset = now / 1000 + 1200;
    limits.observeFailure(1, refused(403, "API rate limit exceeded for installation ID 42.", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) }));
    limits.observeFailure(2, refused(429, "API rate limit exceeded for installation ID 43.", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) }));
    expect(limits.limitedUntil(1)).toBe(reset * 1000 + 1000);
    expect(limits.limitedUntil(2)).toBe(reset * 1000 + 1000);
    expect(recorded("GitHubAppRateLimited")).toEqual([1, 1]);
  });

  it("does not take a refused permission for a rate limit", () => {
    const limits = new AppLimits(clock);
    limits.observeFailure(1, refused(403, "Resource not accessible by integration", { "x-ratelimit-remaining": "4999" }));
    limits.observeFailure(1, new Error("connect ECONNREFUSED 127.0.0.1:9"));
    expect(limits.isLimited(1)).toBe(false);
  });

  it("lets a later notice extend a limit, never an earlier one shorten it, and counts the App limited once", () => {
    const limits = new AppLimits(clock);
    limits.limit(1, now + 10_000, "secondary rate limit");
    limits.limit(1, now + 60_000, "rate limit");
    limits.limit(1, now + 5_000, "secondary rate limit");
    expect(limits.limitedUntil(1)).toBe(now + 60_000);
    expect(recorded("GitHubAppRateLimited")).toEqual([1]);
    limits.limit(2, now - 1, "a reset already past");
    expect(limits.isLimited(2)).toBe(false);
  });
});
