/**
 * What every route of the fake shares: its context and answer, who may call (the App's JWT or an
 * installation token with a permission), GitHub's 401/403/404 answers, paging with a `link`
 * header, and the runner object GitHub returns.
 */
import type { IncomingMessage } from "node:http";
import type { KeyObject } from "node:crypto";
import type { components } from "@octokit/openapi-types";
import { jwtIssuer, verifyAppJwt } from "./app-key.ts";
import type { WebhookSender } from "./deliveries.ts";
import type { FakeRoute } from "./failures.ts";
import { credential, errorBody, type RateCounter } from "./http.ts";
import type { FakeInstallation, FakeRunner, GitHubFakeState, Permission, RunnerScope } from "./state.ts";

export interface RouteContext {
  req: IncomingMessage;
  /** The request's URL (its query: `url.searchParams`). */
  url: URL;
  /** The path below the mount point. */
  path: string;
  state: GitHubFakeState;
  /** The webhook App: its JWT reads its deliveries. */
  app: { id: number | string; publicKey: KeyObject };
  /** Every App the fake knows, the webhook App first. */
  apps: readonly FakeApp[];
  /** Requests counted per App and installation, as GitHub's rate limits count them. */
  rate: RateCounter;
  tokenLifetimeSeconds: number;
  /** Absolute URL of the fake's mount point, e.g. http://127.0.0.1:3000/github/api. */
  apiUrl: string;
  downloads: Map<string, { owner: string; repo: string; jobId: number; until: number }>;
  /** The App's webhook: redeliveries and deliveries sent by hand go out through it. */
  sender: WebhookSender;
}

export interface Answer {
  status: number;
  body?: unknown;
  /** A text/plain body instead of JSON. */
  text?: string;
  /** A binary body (a release asset's download), sent as is with the answer's content-type. */
  bytes?: Buffer;
  headers?: Record<string, string>;
  /** For the terminal line: what happened, without secrets. */
  note?: string;
  /** Whose rate limit the call counts against. */
  caller?: string;
  /** Which of GitHub's rate-limit budgets (`core` by default). */
  resource?: string;
}

/** A GitHub App as the fake knows it. */
export interface FakeApp {
  id: number | string;
  slug: string;
  publicKey: KeyObject;
}

type Handler = (ctx: RouteContext, params: string[]) => Promise<Answer> | Answer;

export interface Route {
  method: string;
  pattern: RegExp;
  name: FakeRoute;
  handler: Handler;
}

export const RUNNERS_DOCS = "https://docs.github.com/rest/actions/self-hosted-runners";
export const seg = "([^/]+)";

export const notFound = (documentationUrl?: string): Answer => ({ status: 404, body: errorBody(404, "Not Found", documentationUrl) });
export const unauthorized = (message = "Bad credentials"): Answer => ({ status: 401, body: errorBody(401, message) });

/** The App's own endpoints: a JWT signed with its key. */
export function appCaller(ctx: RouteContext): Answer | undefined {
  const jwt = credential(ctx.req);
  if (!jwt) return unauthorized("A JSON web token could not be decoded");
  const check = verifyAppJwt(jwt, ctx.app.publicKey, ctx.app.id);
  return check.ok ? undefined : unauthorized(check.message);
}

/** Endpoints any App may call with its JWT (its installations, tokens): the App whose key signed it. */
export function anyAppCaller(ctx: RouteContext): FakeApp | Answer {
  const jwt = credential(ctx.req);
  if (!jwt) return unauthorized("A JSON web token could not be decoded");
  const issuer = jwtIssuer(jwt);
  // An issuer the fake does not know is checked against the first App: GitHub's answer names the claim.
  const app = ctx.apps.find((a) => String(a.id) === issuer) ?? ctx.apps[0]!;
  const check = verifyAppJwt(jwt, app.publicKey, app.id);
  return check.ok ? app : unauthorized(check.message);
}

/** The App an installation belongs to. */
export function appOf(ctx: RouteContext, installation: FakeInstallation): FakeApp {
  return ctx.apps.find((a) => String(a.id) === String(installation.appId)) ?? ctx.apps[0]!;
}

/**
 * GitHub's refusal once the App's JIT registrations are used up (`actions_runner_registration`,
 * per App): 403, GitHub's primary-limit message, `x-ratelimit-remaining: 0` and the window's reset
 * (added by the fake's rate counter from `caller` and `resource`).
 */
export function registrationLimited(ctx: RouteContext, app: FakeApp, installation: FakeInstallation): Answer | undefined {
  const caller = `app:${app.id}`;
  const { remaining, reset } = ctx.rate.peek(caller, "actions_runner_registration");
  if (remaining > 0) return undefined;
  return {
    status: 403,
    body: errorBody(403, `API rate limit exceeded for installation ID ${installation.id}.`, "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"),
    caller,
    resource: "actions_runner_registration",
    note: `App ${app.id}: registrations used up until ${new Date(reset * 1000).toISOString()}`,
  };
}

/** Installation endpoints: a token the fake issued, an installation covering the target, a permission. */
export function installationCaller(ctx: RouteContext, owner: string, repo: string | undefined, permission: [string, Permission], docs: string): FakeInstallation | Answer {
  const token = credential(ctx.req);
  if (!token) return unauthorized("Requires authentication");
  const installation = ctx.state.tokenInstallation(token);
  if (!installation) return unauthorized();
  if (!ctx.state.covers(installation, owner, repo)) return { ...notFound(docs), caller: `installation:${installation.id}` };
  const granted = ctx.state.permission(installation, permission[0]);
  if (!granted || (permission[1] === "write" && granted !== "write")) {
    return {
      status: 403,
      body: errorBody(403, "Resource not accessible by integration", docs),
      headers: { "x-accepted-github-permissions": `${permission[0]}=${permission[1]}` },
      caller: `installation:${installation.id}`,
      note: `missing permission ${permission[0]}=${permission[1]}`,
    };
  }
  return installation;
}

export const isAnswer = (value: FakeInstallation | FakeApp | Answer): value is Answer => "status" in value;

export const runnerPermission = (scope: RunnerScope, level: Permission): [string, Permission] =>
  scope === "org" ? ["organization_self_hosted_runners", level] : ["administration", level];

/** One page of `all` (GitHub's `per_page` up to 100, `page` from 1) and its `link` header. */
export function pageOf<T>(ctx: RouteContext, all: readonly T[]): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(ctx.url.searchParams.get("per_page")) || 30));
  const page = Math.max(1, Number(ctx.url.searchParams.get("page")) || 1);
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const link = (p: number, rel: string) => {
    const url = new URL(`${ctx.apiUrl}${ctx.path}${ctx.url.search}`);
    url.searchParams.set("page", String(p));
    return `<${url.href}>; rel="${rel}"`;
  };
  const links = [...(page < last ? [link(page + 1, "next"), link(last, "last")] : []), ...(page > 1 ? [link(1, "first"), link(page - 1, "prev")] : [])];
  return { items: all.slice((page - 1) * perPage, page * perPage), headers: links.length > 0 ? { link: links.join(", ") } : {} };
}

type RunnerJson = components["schemas"]["runner"];

/** GitHub's runner object; `busy` is what Runway asks before stopping a build. */
export function runnerJson(runner: FakeRunner): RunnerJson {
  return {
    id: runner.id,
    name: runner.name,
    os: runner.os,
    status: runner.status,
    busy: runner.busy,
    ephemeral: true,
    runner_group_id: runner.runnerGroupId,
    labels: runner.labels.map((name, i) => ({ id: runner.id * 1000 + i, name, type: "custom" })),
  };
}
