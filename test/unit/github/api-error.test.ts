import { describe, expect, it } from "vitest";
import { toGitHubApiError } from "../../../lib/github/api-error.ts";
import { GitHubApiError, GitHubAppConfigError, GitHubRateLimitError } from "../../../lib/github/errors.ts";

const context = { action: "generate a JIT runner config on acme/api", hints: { 404: "install the App on acme/api" } };
const url = "https://api.github.com/repos/acme/api/actions/runners/generate-jitconfig";

/** What Octokit throws (a RequestError): status, the request (Authorization redacted), the response. */
function requestError(status: number, data: unknown, headers: Record<string, string> = {}, requestUrl = url) {
  return Object.assign(new Error(typeof data === "object" && data && "message" in data ? String(data.message) : "error"), {
    name: "HttpError",
    status,
    request: { method: "POST", url: requestUrl, headers: { authorization: "token [REDACTED]" } },
    response: { url: requestUrl, status, headers: { "x-github-request-id": "ABCD:1234", ...headers }, data },
  });
}

describe("toGitHubApiError()", () => {
  it("makes a network failure retryable, with no status", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { name: "HttpError", status: 500, request: { url } });
    const error = toGitHubApiError(cause, context);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error).toMatchObject({ retryable: true, status: undefined, cause });
    expect(error.message).toBe("could not reach GitHub to generate a JIT runner config on acme/api: connect ECONNREFUSED 127.0.0.1:9; retry later");
  });

  it.each([500, 502, 503, 504])("makes a %i retryable", (status) => {
    const error = toGitHubApiError(requestError(status, "<html>oops</html>"), context);
    expect(error).toMatchObject({ name: "GitHubApiError", status, retryable: true, requestId: "ABCD:1234" });
    expect(error.message).toContain("GitHub is having trouble, retry later");
  });

  it("reads a secondary rate limit's retry-after", () => {
    const error = toGitHubApiError(
      requestError(403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }, { "retry-after": "90" }),
      context,
    );
    expect(error).toBeInstanceOf(GitHubRateLimitError);
    expect(error).toMatchObject({ status: 403, retryable: true, retryAfterSeconds: 90 });
    expect(error.message).toBe("GitHub's secondary rate limit stopped the call to generate a JIT runner config on acme/api: retry after 90 s");
  });

  it("waits for the primary rate limit's reset when there is no retry-after", () => {
    const reset = Math.floor(Date.now() / 1000) + 300;
    const error = toGitHubApiError(
      requestError(403, { message: "API rate limit exceeded for installation ID 42." }, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) }),
      context,
    );
    expect(error).toBeInstanceOf(GitHubRateLimitError);
    expect((error as GitHubRateLimitError).retryAfterSeconds).toBeGreaterThanOrEqual(300);
    expect((error as GitHubRateLimitError).retryAfterSeconds).toBeLessThanOrEqual(302);
  });

  it("treats a 429 as a rate limit even without headers", () => {
    expect(toGitHubApiError(requestError(429, { message: "Too many requests" }), context)).toMatchObject({ name: "GitHubRateLimitError", retryAfterSeconds: 60 });
  });

  it("makes a 404 permanent, with the caller's hint", () => {
    const error = toGitHubApiError(requestError(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" }), context);
    expect(error).toMatchObject({ status: 404, retryable: false });
    expect(error.message).toBe("could not generate a JIT runner config on acme/api: GitHub answered 404 (Not Found); install the App on acme/api");
  });

  it("names the permission GitHub asks for on a 403", () => {
    const error = toGitHubApiError(
      requestError(403, { message: "Resource not accessible by integration" }, { "x-accepted-github-permissions": "administration=write" }),
      context,
    );
    expect(error).toMatchObject({ status: 403, retryable: false });
    expect(error.message).toContain("the GitHub App lacks a permission this call needs (GitHub accepts: administration=write)");
  });

  it("blames the App's id or key when GitHub refuses its JWT", () => {
    const tokenUrl = "https://api.github.com/app/installations/42/access_tokens";
    const error = toGitHubApiError(requestError(401, { message: "A JSON web token could not be decoded" }, {}, tokenUrl), context);
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(error.message).toContain("could not get an installation token to generate a JIT runner config on acme/api");
    expect(error.message).toContain("GITHUB_APP_ID");
  });

  it("says an installation that is gone is gone", () => {
    const tokenUrl = "https://api.github.com/app/installations/42/access_tokens";
    const error = toGitHubApiError(requestError(404, { message: "Not Found" }, {}, tokenUrl), context);
    expect(error.message).toContain("installation 42 does not exist");
  });

  it("passes Runway's own errors through", () => {
    const own = new GitHubAppConfigError("GITHUB_APP_ID is not set");
    expect(toGitHubApiError(own, context)).toBe(own);
    const api = new GitHubApiError("x", { retryable: true });
    expect(toGitHubApiError(api, context)).toBe(api);
  });

  it("keeps GitHub's message to one short line", () => {
    const error = toGitHubApiError(requestError(422, { message: `Invalid request.\n\n${"x".repeat(400)}` }), context);
    expect(error.message).not.toContain("\n");
    expect(error.message.length).toBeLessThan(400);
  });
});
