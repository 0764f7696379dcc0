/**
 * The one place that creates GitHub API clients: Octokit authenticated as the GitHub App's
 * installation, with GitHub's rate limits and transient failures handled the same way everywhere.
 *
 * Configuration (the same names on AWS and locally; no local branch here):
 * - `GITHUB_API_URL`: the REST API base, https://api.github.com by default, `https://HOST/api/v3`
 *   on GitHub Enterprise Server, the local fake's URL under `npm start` and in tests.
 * - `GITHUB_APP_ID`: the App's id (or its client id, which GitHub also accepts as the JWT issuer).
 * - `GITHUB_APP_PRIVATE_KEY_PARAMETER` names an SSM SecureString holding the App's private key
 *   (.pem), read through Powertools and cached five minutes; `GITHUB_APP_PRIVATE_KEY` holds the
 *   key itself (local stack, tests).
 * - `GITHUB_APPS_PARAMETER`: more Apps that share JIT registrations (apps.ts, app-pool.ts).
 *
 * Per container: one Octokit per App and installation, created on first use and kept;
 * installation tokens cached until five minutes before GitHub expires them (token-cache.ts);
 * installation ids looked up from a repository once an hour at most, per App. A changed key or App
 * id (a rotation read from SSM) makes new clients; cached tokens stay valid, they do not depend on
 * the key. Every client reports GitHub's rate-limit answers to app-limits.ts.
 *
 * Importing this module does nothing: Octokit and its plugins are loaded on the first call.
 */
import type { Octokit } from "@octokit/core";
import { logger } from "../observability/logger.ts";
import { toGitHubApiError } from "./api-error.ts";
import { appLimits } from "./app-limits.ts";
import { webhookApp, type GitHubApp } from "./apps.ts";
import { createTokenCache } from "./token-cache.ts";
import { canWait } from "./deadline.ts";

export { DEFAULT_GITHUB_API_URL } from "./apps.ts";

/** A GitHub REST client; `request` is all Runway uses. */
export type GitHubClient = Octokit;

/** The REST API version Runway is written against. */
export const GITHUB_API_VERSION = "2022-11-28";

/** Rate limits: wait and retry inside the call when GitHub asks for at most this long. */
export const RATE_LIMIT_POLICY = { maxRetryAfterSeconds: 60, maxRetries: 2 } as const;
/** 5xx and network errors: retried by @octokit/plugin-retry after 1, 4 and 9 s. */
const RETRIES = 3;
/**
 * Not retried by plugin-retry: client errors that a second identical request cannot fix, 409 (a
 * runner name taken: the caller must pick another), and 429 (plugin-throttling's job, with
 * GitHub's own delay; retrying it here as well would multiply the waits).
 */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];
/** One request, including reading the answer; a hung connection must not eat a Lambda's budget. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Concurrent mutating requests per installation, and the least time between two. */
const WRITE_CONCURRENCY = 10;
const WRITE_SPACING_MS = 0;
const INSTALLATION_ID_CACHE_MS = 60 * 60_000;

/** Where a client is for: a repository, or an organisation when `repo` is absent. */
export interface GitHubTarget {
  owner: string;
  repo?: string | undefined;
  /** From the webhook's `installation.id`; looked up (and cached) when absent. */
  installationId?: number | undefined;
}

/**
 * How a client meets a rate limit that clears soon: `wait` inside the call (the webhook App's own
 * calls, which no other App can make), or `fail` at once so that the App picker (app-pool.ts) can
 * hand the call to another App, and wait itself only when every App is limited.
 */
export type OnRateLimit = "wait" | "fail";

type OctokitModules = Awaited<ReturnType<typeof loadOctokit>>;

let modules: Promise<OctokitModules> | undefined;
/** Per App, installation (none: the App's JWT) and rate-limit behaviour. */
const clients = new Map<string, { identity: string; client: GitHubClient }>();
const installationIds = new Map<string, { id: Promise<number>; until: number }>();
/** Per API and App: a key rotation keeps the tokens, another App or GitHub does not see them. */
const tokenCaches = new Map<string, ReturnType<typeof createTokenCache>>();

/**
 * The client for the installation that covers `target`.
 *
 * @example
 * const octokit = await githubClient({ owner: "acme", repo: "api", installationId: message.job.installationId });
 * const { encodedJitConfig } = await generateJitConfig(octokit, { owner: "acme", repo: "api", name, runnerGroupId: 1, labels });
 */
export async function githubClient(target: GitHubTarget, env: NodeJS.ProcessEnv = process.env): Promise<GitHubClient> {
  return appInstallationClient(await webhookApp(env), target, "wait");
}

/** The client for one installation of the webhook App, created once per container (and per key). */
export async function installationClient(installationId: number, env: NodeJS.ProcessEnv = process.env): Promise<GitHubClient> {
  return clientOf(await webhookApp(env), installationId, "wait");
}

/**
 * The client of a given App for `target`: the delivery's installation id is the webhook App's
 * only, so any other App looks its own installation up (cached an hour).
 *
 * @example
 * const octokit = await appInstallationClient(app, { owner: "acme", repo: "api", installationId: 42 }, "fail");
 */
export async function appInstallationClient(app: GitHubApp, target: GitHubTarget, onRateLimit: OnRateLimit): Promise<GitHubClient> {
  const installationId = app.webhook && target.installationId !== undefined ? target.installationId : await installationIdOf(app, target, onRateLimit);
  return clientOf(app, installationId, onRateLimit);
}

/**
 * The webhook App's installation id on a repository (`GET /repos/{owner}/{repo}/installation`) or
 * an organisation (`GET /orgs/{org}/installation`), cached for an hour.
 *
 * @throws GitHubApiError (404, permanent) when the App is not installed there.
 */
export async function findInstallationId(target: { owner: string; repo?: string | undefined }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return installationIdOf(await webhookApp(env), target, "wait");
}

async function installationIdOf(app: GitHubApp, target: { owner: string; repo?: string | undefined }, onRateLimit: OnRateLimit): Promise<number> {
  const { owner, repo } = target;
  const where = repo ? `${owner}/${repo}` : `organization ${owner}`;
  const which = app.webhook ? "the GitHub App" : `GitHub App ${app.appId}`;
  const key = `${app.baseUrl}\n${app.appId}\n${(repo ? `repos/${owner}/${repo}` : `orgs/${owner}`).toLowerCase()}`;
  const cached = installationIds.get(key);
  if (cached && cached.until > Date.now()) return cached.id;

  const id = (async () => {
    const client = await clientOf(app, undefined, onRateLimit);
    try {
      const { data } = repo
        ? await client.request("GET /repos/{owner}/{repo}/installation", { owner, repo })
        : await client.request("GET /orgs/{org}/installation", { org: owner });
      return data.id;
    } catch (error) {
      throw toGitHubApiError(error, {
        action: `find ${which}'s installation on ${where}`,
        hints: { 404: `${which} is not installed on ${where}: install it there (the App's page → Install App)` },
      });
    }
  })();
  const entry = { id, until: Date.now() + INSTALLATION_ID_CACHE_MS };
  installationIds.set(key, entry);
  // A failed lookup is not remembered: the next job asks again (the App may be installed by then).
  id.catch(() => installationIds.get(key) === entry && installationIds.delete(key));
  return id;
}

/** Forget every client, installation id and cached token (tests; a rotated App). */
export function resetGitHubClients(): void {
  clients.clear();
  installationIds.clear();
  tokenCaches.clear();
  appLimits.clear();
}

/**
 * Authenticated as the App itself (a JWT): only for the App's own endpoints (installations, the
 * App's webhook deliveries).
 *
 * @example
 * const app = await appClient();
 * await app.request("GET /app/hook/deliveries", { per_page: 100 });
 */
export async function appClient(env: NodeJS.ProcessEnv = process.env): Promise<GitHubClient> {
  return clientOf(await webhookApp(env), undefined, "wait");
}

/** One client per App, installation and rate-limit behaviour, replaced when the App's key changes. */
async function clientOf(app: GitHubApp, installationId: number | undefined, onRateLimit: OnRateLimit): Promise<GitHubClient> {
  const loaded = await loadModules();
  const key = `${app.baseUrl}\n${app.appId}\n${installationId ?? "app"}\n${onRateLimit}`;
  const kept = clients.get(key);
  if (kept?.identity === app.identity) return kept.client;
  const client = newClient(loaded, app, installationId, onRateLimit);
  clients.set(key, { identity: app.identity, client });
  return client;
}

function loadModules(): Promise<OctokitModules> {
  if (!modules) {
    const loading = loadOctokit();
    loading.catch(() => (modules = undefined));
    modules = loading;
  }
  return modules;
}

async function loadOctokit() {
  const [{ Octokit }, { createAppAuth }, { retry }, { throttling }, { default: Bottleneck }] = await Promise.all([
    import("@octokit/core"),
    import("@octokit/auth-app"),
    import("@octokit/plugin-retry"),
    import("@octokit/plugin-throttling"),
    import("bottleneck/light.js"),
  ]);
  // plugin-throttling spaces every POST/DELETE of an installation 1 s apart (GitHub's advice for
  // requests that create content and notify people). JIT registrations notify nobody and have
  // their own limit (actions_runner_registration, ~10,000 an hour per App), so that spacing would
  // cap launches at one a second: allow a few at once, and let GitHub's own rate-limit answers
  // (retry-after, handled below) slow us when it must.
  const write = new Bottleneck.Group({ id: "runway-write", maxConcurrent: WRITE_CONCURRENCY, minTime: WRITE_SPACING_MS });
  return { GitHubOctokit: Octokit.plugin(retry, throttling), createAppAuth, write };
}

function newClient({ GitHubOctokit, createAppAuth, write }: OctokitModules, credentials: GitHubApp, installationId: number | undefined, onRateLimit: OnRateLimit): GitHubClient {
  const appId = String(credentials.appId);
  const tokenScope = `${credentials.baseUrl}\n${credentials.appId}`;
  let tokens = tokenCaches.get(tokenScope);
  if (!tokens) tokenCaches.set(tokenScope, (tokens = createTokenCache()));
  const client = new GitHubOctokit({
    baseUrl: credentials.baseUrl,
    userAgent: "runway",
    authStrategy: createAppAuth,
    auth: {
      appId: credentials.appId,
      privateKey: credentials.privateKey,
      ...(installationId === undefined ? {} : { installationId }),
      cache: tokens,
      log: octokitLog,
    },
    log: octokitLog,
    request: { fetch: fetchWithTimeout, log: octokitLog },
    retry: { doNotRetry: DO_NOT_RETRY, retries: RETRIES },
    throttle: {
      // GitHub's secondary limits are per installation: so are the throttle's queues.
      id: `runway-${installationId ?? "app"}`,
      write,
      onRateLimit: onLimit("rate limit", appId, onRateLimit),
      onSecondaryRateLimit: onLimit("secondary rate limit", appId, onRateLimit),
    },
  });
  client.hook.before("request", (options) => {
    options.headers["x-github-api-version"] = GITHUB_API_VERSION;
  });
  // Outside the plugins' hooks: what GitHub finally answered, after their retries and waits.
  client.hook.after("request", (response) => appLimits.observeAnswer(appId, response.headers));
  client.hook.error("request", (error) => {
    appLimits.observeFailure(appId, error);
    throw error;
  });
  return client;
}

/** plugin-throttling's handlers: true means wait `retryAfter` seconds and send again. */
function onLimit(kind: string, appId: string, behaviour: OnRateLimit) {
  return (retryAfter: number, options: { method?: string; url?: string }, _octokit: unknown, retryCount: number): boolean => {
    appLimits.limit(appId, Date.now() + retryAfter * 1000, kind);
    // The route template ("/repos/{owner}/{repo}/…"), never headers or body.
    const fields = { appId, method: options.method, route: options.url, retryAfterSeconds: retryAfter, retryCount };
    if (behaviour === "fail") return false; // the App picker tries another App, or waits for the first reset
    if (retryCount < RATE_LIMIT_POLICY.maxRetries && retryAfter <= RATE_LIMIT_POLICY.maxRetryAfterSeconds && canWait(retryAfter)) {
      logger.warn(`GitHub ${kind}: waiting, then retrying`, fields);
      return true;
    }
    logger.warn(`GitHub ${kind}: not waiting that long, giving up on this call`, fields);
    return false;
  };
}

/** Octokit's own messages (auth-app's retries, deprecations) into the shared logger, text only. */
const octokitLog = {
  debug: (message: string) => logger.debug(String(message)),
  info: (message: string) => logger.info(String(message)),
  warn: (message: string) => logger.warn(String(message)),
  error: (message: string) => logger.error(String(message)),
};

const fetchWithTimeout: typeof fetch = (input, init) => {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
};
