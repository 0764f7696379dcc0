/**
 * The GitHub a stage talks to, named once: serverless.yml's `params.githubUrl`, the address people
 * open in a browser. From it come the two variables every function gets (provider.environment):
 *
 * - `GITHUB_SERVER_URL`: web links (a run's page in Slack) when a payload carries none of its own;
 * - `GITHUB_API_URL`: the REST API base lib/github/octokit.ts calls.
 *
 * GitHub's own names for the same two things, as GitHub Actions sets them in every job.
 *
 * | githubUrl                  | what it is                      | GITHUB_API_URL             |
 * | -------------------------- | ------------------------------- | -------------------------- |
 * | https://github.com         | github.com (also GHE Cloud)     | https://api.github.com     |
 * | https://SUBDOMAIN.ghe.com  | GHE Cloud with data residency   | https://api.SUBDOMAIN.ghe.com |
 * | https://HOST               | GitHub Enterprise Server        | https://HOST/api/v3        |
 *
 * (docs.github.com: "REST API endpoints" name `https://HOST/api/v3` for Enterprise Server, and
 * `api.SUBDOMAIN.ghe.com` for GHE.com.) The local stack derives its variables here too, for the
 * GitHub fake it serves at an Enterprise Server's host (lib/local/stack.ts), and `runway
 * check-config` tells the kinds apart. CommonJS because osls loads `${file(...)}` sources with
 * require(); TypeScript reads its types from serverless-github.d.cts.
 */
"use strict";

const GITHUB_COM = "https://github.com";
const GITHUB_COM_API = "https://api.github.com";
/** Where the runner-release function reads actions/runner releases: github.com, on every kind of GitHub. */
const RUNNER_RELEASES_URL = "https://api.github.com/repos/actions/runner";

class GitHubUrlError extends Error {
  constructor(message) {
    super(message);
    this.name = "GitHubUrlError";
    // osls prints a rejected variable's stack: the message is what the operator needs.
    this.stack = `${this.name}: ${message}`;
  }
}

/**
 * The endpoints of the GitHub at `url` (its web address), or a GitHubUrlError saying what to give
 * instead. `name` is how the error names the setting.
 *
 * @example
 * githubEndpoints("https://github.example.com");
 * // { kind: "enterprise-server", serverUrl: "https://github.example.com", apiUrl: "https://github.example.com/api/v3" }
 */
function githubEndpoints(url = GITHUB_COM, name = "params.githubUrl") {
  const given = typeof url === "string" ? url.trim() : "";
  let parsed;
  try {
    parsed = new URL(given);
  } catch {
    throw new GitHubUrlError(`${name} must be GitHub's web address, such as ${GITHUB_COM} or https://github.example.com, not ${JSON.stringify(url)}`);
  }
  const host = parsed.hostname.toLowerCase();
  const path = parsed.pathname.replace(/\/+$/, "");
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new GitHubUrlError(`${name} must be an https:// address (an Enterprise Server without TLS may use http://), not ${given}`);
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) {
    throw new GitHubUrlError(`${name} must be the bare address ${parsed.origin}: no credentials, query or fragment (credentials are the GitHub App's, in SSM)`);
  }
  if (host === "api.github.com" || (host.startsWith("api.") && host.endsWith(".ghe.com")) || /\/api(\/v3)?$/.test(path)) {
    throw new GitHubUrlError(`${name} is GitHub's web address, not its API's: give ${webAddressOf(parsed)} (Runway derives the API's address from it)`);
  }
  if (path !== "") {
    throw new GitHubUrlError(`${name} must be the host alone (${parsed.origin}), without the path ${path}: GitHub Enterprise Server serves at the root of its host`);
  }
  if (host === "github.com" || host === "www.github.com") return { kind: "github.com", serverUrl: GITHUB_COM, apiUrl: GITHUB_COM_API };
  if (host.endsWith(".ghe.com")) {
    const subdomain = host.slice(0, -".ghe.com".length);
    if (subdomain.includes(".") || parsed.protocol !== "https:" || parsed.port) {
      throw new GitHubUrlError(`${name}: a GHE.com enterprise is https://SUBDOMAIN.ghe.com (one label, https, no port), not ${given}`);
    }
    return { kind: "ghe.com", serverUrl: `https://${subdomain}.ghe.com`, apiUrl: `https://api.${subdomain}.ghe.com` };
  }
  return { kind: "enterprise-server", serverUrl: parsed.origin, apiUrl: `${parsed.origin}/api/v3` };
}

/** What a person meant when they gave the API's address: the web address it belongs to. */
function webAddressOf(parsed) {
  if (parsed.hostname === "api.github.com") return GITHUB_COM;
  if (parsed.hostname.startsWith("api.") && parsed.hostname.endsWith(".ghe.com")) return `https://${parsed.hostname.slice("api.".length)}`;
  return parsed.origin;
}

/**
 * `params.runnerReleasesUrl`: the actions/runner releases API the runner-release function reads.
 * github.com's by default, whatever GitHub the stage talks to: Enterprise Server and GHE.com
 * runners are the same public actions/runner releases. An Enterprise Server without internet
 * access mirrors them (an `actions/runner` repository with its releases on the server) and names
 * the mirror's `https://HOST/api/v3/repos/actions/runner`.
 */
function runnerReleasesUrl(url = RUNNER_RELEASES_URL, name = "params.runnerReleasesUrl") {
  const given = typeof url === "string" ? url.trim().replace(/\/+$/, "") : "";
  let parsed;
  try {
    parsed = new URL(given);
  } catch {
    throw new GitHubUrlError(`${name} must be a releases API address such as ${RUNNER_RELEASES_URL}, not ${JSON.stringify(url)}`);
  }
  if ((parsed.protocol !== "https:" && parsed.protocol !== "http:") || !/\/repos\/[^/]+\/[^/]+$/.test(parsed.pathname)) {
    throw new GitHubUrlError(`${name} must be an API address ending in /repos/OWNER/REPO, such as ${RUNNER_RELEASES_URL}, not ${given}`);
  }
  return given;
}

/** `${param:name, null}`, or the fallback when the stage does not set it. */
async function param({ resolveVariable }, name, fallback) {
  const value = await resolveVariable(`param:${name}, null`);
  return value === null || value === undefined || value === "" ? fallback : value;
}

/** serverless.yml `${file(./lib/build/serverless-github.cjs):endpoints.serverUrl}` (and `.apiUrl`). */
async function endpoints(variables) {
  return githubEndpoints(await param(variables, "githubUrl", GITHUB_COM));
}

/** serverless.yml `${file(./lib/build/serverless-github.cjs):releases}`. */
async function releases(variables) {
  return runnerReleasesUrl(await param(variables, "runnerReleasesUrl", RUNNER_RELEASES_URL));
}

// Names only, so that Node's ESM import of this file (the CLI, the local stack) sees each export.
module.exports = { GITHUB_COM, RUNNER_RELEASES_URL, GitHubUrlError, githubEndpoints, runnerReleasesUrl, endpoints, releases };
