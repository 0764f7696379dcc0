/**
 * One way to name the GitHub a stage talks to: `params.githubUrl`, from which the functions get
 * GITHUB_SERVER_URL and GITHUB_API_URL (lib/build/serverless-github.cjs), read as osls resolves
 * `${file(...)}` values; an address that is not a GitHub web address is refused with what to give.
 */
import { describe, expect, it } from "vitest";
import { endpoints, githubEndpoints, releases, runnerReleasesUrl } from "../../../lib/build/serverless-github.cjs";

/** osls's variables with these params set (`param:<name>, null` answers null when unset). */
const variables = (params: Record<string, unknown> = {}) => ({
  async resolveVariable(name: string) {
    const param = /^param:([A-Za-z]+), null$/.exec(name)?.[1];
    if (param) return params[param] ?? null;
    throw new Error(`unexpected variable ${name}`);
  },
});

describe("params.githubUrl", () => {
  it.each([
    ["https://github.com", "github.com", "https://github.com", "https://api.github.com"],
    ["https://www.github.com/", "github.com", "https://github.com", "https://api.github.com"],
    ["https://github.example.com", "enterprise-server", "https://github.example.com", "https://github.example.com/api/v3"],
    ["https://GitHub.Example.com:8443/", "enterprise-server", "https://github.example.com:8443", "https://github.example.com:8443/api/v3"],
    ["http://ghes.internal", "enterprise-server", "http://ghes.internal", "http://ghes.internal/api/v3"],
    // GHE.com data residency: the API is its own subdomain, api.SUBDOMAIN.ghe.com.
    ["https://octocorp.ghe.com", "ghe.com", "https://octocorp.ghe.com", "https://api.octocorp.ghe.com"],
  ])("%s is %s: web %s, API %s", (url, kind, serverUrl, apiUrl) => {
    expect(githubEndpoints(url)).toEqual({ kind, serverUrl, apiUrl });
  });

  it("defaults to github.com, as an unset param and an empty one", async () => {
    expect(await endpoints(variables())).toEqual({ kind: "github.com", serverUrl: "https://github.com", apiUrl: "https://api.github.com" });
    expect(await endpoints(variables({ githubUrl: "" }))).toMatchObject({ kind: "github.com" });
    expect(await endpoints(variables({ githubUrl: "https://ghe.example.com" }))).toMatchObject({ apiUrl: "https://ghe.example.com/api/v3" });
  });

  it.each([
    ["https://api.github.com", "is GitHub's web address, not its API's: give https://github.com"],
    ["https://ghe.example.com/api/v3", "is GitHub's web address, not its API's: give https://ghe.example.com"],
    ["https://api.octocorp.ghe.com", "give https://octocorp.ghe.com"],
    ["https://ghe.example.com/github", "must be the host alone (https://ghe.example.com), without the path /github"],
    ["https://eu.octocorp.ghe.com", "a GHE.com enterprise is https://SUBDOMAIN.ghe.com"],
    ["http://octocorp.ghe.com", "a GHE.com enterprise is https://SUBDOMAIN.ghe.com"],
    ["https://user:token@ghe.example.com", "no credentials, query or fragment"],
    ["ssh://git@ghe.example.com", "must be an https:// address"],
    ["ghe.example.com", "must be GitHub's web address, such as https://github.com"],
  ])("refuses %s, saying what to give", async (url, message) => {
    const refusal = endpoints(variables({ githubUrl: url }));
    await expect(refusal).rejects.toThrow(message);
    await expect(refusal).rejects.toMatchObject({ name: "GitHubUrlError", message: expect.stringMatching(/^params\.githubUrl/), stack: expect.not.stringContaining("    at ") });
  });
});

describe("params.runnerReleasesUrl", () => {
  it("is github.com's actions/runner by default, and takes a mirror's /repos/OWNER/REPO", async () => {
    expect(await releases(variables())).toBe("https://api.github.com/repos/actions/runner");
    expect(await releases(variables({ runnerReleasesUrl: "https://ghe.example.com/api/v3/repos/actions/runner/" }))).toBe("https://ghe.example.com/api/v3/repos/actions/runner");
  });

  it("refuses an address that is not a repository's API address", () => {
    expect(() => runnerReleasesUrl("https://github.com/actions/runner/releases")).toThrow("must be an API address ending in /repos/OWNER/REPO");
    expect(() => runnerReleasesUrl("not a url")).toThrow("params.runnerReleasesUrl must be a releases API address");
  });
});
