/**
 * A local GitHub REST API: just the operations Runway calls, answered as GitHub answers them, so
 * the real Octokit client (lib/github/octokit.ts), its App authentication, retries and rate-limit
 * handling run unchanged against it.
 *
 *   POST   /app/installations/{id}/access_tokens            App JWT → ghs_… token (1 h), the App's own installations only
 *   GET    /repos/{owner}/{repo}/installation               App JWT
 *   GET    /orgs/{org}/installation                         App JWT
 *   POST   /repos/{owner}/{repo}/actions/runners/generate-jitconfig   Administration: write
 *   POST   /orgs/{org}/actions/runners/generate-jitconfig              Self-hosted runners: write
 *   GET    /repos/{owner}/{repo}/actions/runners?name=&per_page=&page=
 *   GET    /orgs/{org}/actions/runners?name=&per_page=&page=
 *   DELETE /repos/{owner}/{repo}/actions/runners/{runner_id}   (and the /orgs/{org} form)
 *   GET    /repos/{owner}/{repo}/actions/jobs/{job_id}/logs   Actions: read → 302 to a download
 *   GET    /repos/{owner}/{repo}/actions/jobs/{job_id}        Actions: read
 *   GET    /repos/{owner}/{repo}/actions/runners/{runner_id}  (and the /orgs/{org} form): `busy`
 *   GET    /orgs/{org}/actions/runner-groups?per_page=&page=&visible_to_repository=
 *   GET    /app/hook/deliveries?per_page=&cursor=&status=   App JWT: the App's delivery log, newest first
 *   GET    /app/hook/deliveries/{delivery_id}                App JWT: with the request and the answer
 *   POST   /app/hook/deliveries/{delivery_id}/attempts       App JWT: redeliver (same guid, new id)
 *   POST   /_fake/deliveries                                 sign, send and log a delivery given by hand
 *   GET    /repos/{owner}/{repo}/deployments?sha=&environment=   Deployments: read (deployment-routes.ts)
 *   GET    /repos/{owner}/{repo}/deployments/{id}/statuses   Deployments: read
 *   POST   /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule   Deployments: write
 *   GET    /repos/actions/runner/releases/latest, …/releases/tags/{tag}   no credentials needed (releases.ts)
 *
 * It knows several GitHub Apps when asked (`apps`), kept apart as GitHub keeps them: each App's
 * JWT is checked against its own key, sees only its own installations, and has its own
 * `actions_runner_registration` budget (`x-ratelimit-*` headers on every JIT answer, GitHub's 403
 * once it is used up, until the window resets; `setRateLimit` exhausts one for a test). Every call
 * records the App that made it (`state.calls[].app`).
 *
 * Beside the API it plays GitHub Actions (`actions`): jobs queued, runner hosts connecting, jobs
 * handed to any covering idle runner as GitHub does (assignment.ts), and the App's webhook
 * deliveries signed and sent (`setWebhook`, `deliver`), each logged in `state.deliveries`.
 *
 * Mounted by whoever owns the port, under `/github/api` by default:
 * `GITHUB_API_URL=http://127.0.0.1:PORT/github/api`. With `enterpriseServer` it plays a GitHub
 * Enterprise Server at that host instead (enterprise-server.ts): `GITHUB_SERVER_URL=http://HOST:PORT`,
 * `GITHUB_API_URL=http://HOST:PORT/api/v3`, as serverless.yml derives them from `params.githubUrl`.
 */
import type { KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createActions, type FakeActions } from "./actions.ts";
import { generateLocalAppKey, publicKeyOf } from "./app-key.ts";
import { WebhookSender, type DropSpec, type FakeDelivery, type WebhookTarget } from "./deliveries.ts";
import { ENTERPRISE_API_PATH, EnterpriseWebhookSender, webUrlOf, type EnterpriseServerOptions } from "./enterprise-server.ts";
import { createFailures, sendFault, type GitHubFailures } from "./failures.ts";
import type { FakeJob } from "./jobs.ts";
import type { RunnerGroupInput } from "./runner-groups.ts";
import { baseHeaders, errorBody, RateCounter, requestId, sendJson } from "./http.ts";
import { ROUTES, type Answer, type RouteContext } from "./routes.ts";
import type { FakeApp } from "./route-kit.ts";
import { DEFAULT_INSTALLATION, GitHubFakeState, type FakeInstallation } from "./state.ts";

export { generateLocalAppKey, verifyAppJwt, type LocalAppKey } from "./app-key.ts";
export type { FailureSpec, FakeRoute, GitHubFailures } from "./failures.ts";
export { DEFAULT_INSTALLATION, DEFAULT_PERMISSIONS } from "./state.ts";
export type { DecodedJitConfig, FakeCall, FakeInstallation, FakeRunner, GitHubFakeState, Permission } from "./state.ts";
export type { FakeActions, JobEnd } from "./actions.ts";
export type { DropSpec, FakeDelivery, WebhookTarget } from "./deliveries.ts";
export type { FakeJob, JobStatus, JobStep } from "./jobs.ts";
export { DEFAULT_RUNNER_GROUP, type FakeRunnerGroup, type RunnerGroupInput } from "./runner-groups.ts";
export { deploymentsOf, type FakeDeployment, type FakeDeployments, type FakeGate, type FakeGateReview } from "./deployments.ts";
export { releasesOf, type FakeRelease, type FakeReleases, type ReleaseInput } from "./releases.ts";
export { ENTERPRISE_API_PATH, type EnterpriseOmittedField, type EnterpriseServerOptions } from "./enterprise-server.ts";

export interface GitHubFakeOptions {
  /** Print each call on a line: `true` for stdout, or a function taking each line. */
  print?: boolean | ((line: string) => void);
  /**
   * The GitHub App whose JWTs are accepted: its id and public key (or the private key, whose public
   * half is used). By default the fake makes a key pair and exposes the private key as `app.privateKey`.
   */
  app?: { id: number | string; publicKey: string | KeyObject };
  /** Installations of the App; by default one, id 42, on every account with every permission Runway needs. */
  installations?: FakeInstallation[];
  /** JIT registrations an hour for the App (GitHub: about 10,000, `actions_runner_registration`). */
  registrationsPerHour?: number;
  /**
   * More GitHub Apps beside `app` (which alone has the webhook and the delivery log): each with its
   * key (generated when absent, exposed in `apps[]`), its installations (by default one on every
   * account, id 1042, 2042 …, with every permission Runway needs) and its registration budget.
   */
  apps?: FakeAppInput[];
  /**
   * Runner groups besides GitHub's Default group (id 1, always there): an id alone is a group
   * open to every repository and workflow; an object sets its name, organisation, visibility,
   * selected repositories and selected workflows.
   */
  runnerGroups?: RunnerGroupInput[];
  /** Where the App's webhook deliveries go (also settable later with `setWebhook`). */
  webhook?: WebhookTarget;
  /**
   * A queued job this says yes to is cancelled at the moment a runner would have taken it (a
   * person cancelled it first): `completed` / `cancelled`, no runner. The local stack picks by name.
   */
  cancelBeforeStart?: (job: FakeJob) => boolean;
  /** Lifetime of installation tokens (GitHub: one hour). */
  tokenLifetimeSeconds?: number;
  /** Mount point (default `/github/api`, or `/api/v3` as an Enterprise Server). */
  basePath?: string;
  /**
   * Play a GitHub Enterprise Server at the host that serves the fake (enterprise-server.ts): the
   * API under `/api/v3`, web links on that host, and deliveries without `withoutFields`.
   */
  enterpriseServer?: EnterpriseServerOptions;
}

/** A further App of the fake. */
export interface FakeAppInput {
  id: number | string;
  /** Its public key (or private key, whose public half is used); generated when absent. */
  publicKey?: string | KeyObject;
  installations?: Omit<FakeInstallation, "appId">[];
  registrationsPerHour?: number;
}

/** A budget to set by hand: which App, how many requests are left, when the window resets. */
export interface RateLimitSpec {
  app: number | string;
  /** GitHub's rate-limit resource (default `actions_runner_registration`). */
  resource?: string;
  /** Requests left in the window (0: the next is refused). */
  remaining: number;
  resetInSeconds: number;
}

export interface GitHubFake {
  /** Serve a request under the mount point; resolves false (untouched) when it is not the fake's. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  state: GitHubFakeState;
  failures: GitHubFailures;
  /** The webhook App; `privateKey` (PEM) when the fake generated the key pair. */
  app: { id: number | string; privateKey?: string };
  /** Every App the fake knows, the webhook App first; `privateKey` where the fake generated it. */
  apps: { id: number | string; privateKey?: string }[];
  /** Set an App's budget window, e.g. its registrations used up until a reset a few seconds away. */
  setRateLimit(spec: RateLimitSpec): void;
  /** The mount point, e.g. `/github/api`: GITHUB_API_URL is the server's origin plus this. */
  basePath: string;
  /** GITHUB_SERVER_URL for a fake at `origin`: that host as an Enterprise Server, else github.com. */
  webUrl(origin: string): string;
  /** GitHub Actions: jobs, runner hosts connecting, assignment, job ends. */
  actions: FakeActions;
  /** Point the App's webhook somewhere (the local stack's `/github/webhook`), or nowhere. */
  setWebhook(target: WebhookTarget | undefined): void;
  /** Sign and send one event to the webhook, logged in `state.deliveries`; resolves once answered. */
  deliver(event: string, payload: Record<string, any>): Promise<FakeDelivery>;
  /** Drop the next delivery matching the spec (logged as failed, never received): a lost event. */
  dropDelivery(spec: DropSpec): void;
  /** Forget runners, jobs, deliveries, tokens, logs, calls and faults. */
  reset(): void;
}

/**
 * Create the fake.
 *
 * @example
 * const github = createGitHubFake({ print: true });
 * createServer(async (req, res) => { if (!(await github.handle(req, res))) { res.statusCode = 404; res.end(); } }).listen(3000);
 * // GITHUB_API_URL=http://127.0.0.1:3000/github/api GITHUB_APP_ID=1 GITHUB_APP_PRIVATE_KEY=<github.app.privateKey>
 */
export function createGitHubFake(options: GitHubFakeOptions = {}): GitHubFake {
  const base = (options.basePath ?? (options.enterpriseServer ? ENTERPRISE_API_PATH : "/github/api")).replace(/\/+$/, "");
  const print = options.print === true ? (line: string) => console.log(line) : options.print || undefined;
  const generated = options.app ? undefined : generateLocalAppKey();
  const app = { id: options.app?.id ?? 1, publicKey: publicKeyOf(options.app?.publicKey ?? generated!.publicKey) };
  const extra = (options.apps ?? []).map((input, i) => ({ input, generated: input.publicKey ? undefined : generateLocalAppKey(), n: i + 1 }));
  const apps: FakeApp[] = [
    { id: app.id, slug: "runway", publicKey: app.publicKey },
    ...extra.map(({ input, generated: key }) => ({ id: input.id, slug: `runway-${input.id}`, publicKey: publicKeyOf(input.publicKey ?? key!.publicKey) })),
  ];
  const installations = [
    ...(options.installations ?? [DEFAULT_INSTALLATION]).map((i) => ({ appId: app.id, ...i })),
    ...extra.flatMap(({ input, n }) => (input.installations ?? [{ id: n * 1000 + DEFAULT_INSTALLATION.id, account: "*" }]).map((i) => ({ ...i, appId: input.id }))),
  ];
  const state = new GitHubFakeState(installations, options.runnerGroups ?? []);
  const omitted = options.enterpriseServer?.withoutFields ?? [];
  const sender = omitted.length > 0 ? new EnterpriseWebhookSender(omitted, state.deliveries, app.id, print) : new WebhookSender(state.deliveries, app.id, print);
  sender.configure(options.webhook);
  const actions = createActions(state, sender, { cancelBeforeStart: options.cancelBeforeStart, print });
  const failures = createFailures();
  const rate = new RateCounter();
  const budgets: [number | string, number | undefined][] = [[app.id, options.registrationsPerHour], ...extra.map(({ input }): [number | string, number | undefined] => [input.id, input.registrationsPerHour])];
  for (const [id, perHour] of budgets) if (perHour !== undefined) rate.setLimit(`app:${id}`, "actions_runner_registration", perHour);
  /** Whose budget an answer counts against: the webhook App's own endpoints say just "app". */
  const callerOf = (answer: Answer) => (answer.caller === "app" ? `app:${app.id}` : answer.caller);
  /** The App behind a caller: itself, or the App of the installation whose token was used. */
  const appOfCaller = (caller: string | undefined): string | undefined => {
    if (caller?.startsWith("app:")) return caller.slice(4);
    const installation = caller?.startsWith("installation:") ? state.installation(Number(caller.slice(13))) : undefined;
    return installation ? String(installation.appId) : undefined;
  };
  const downloads: RouteContext["downloads"] = new Map();
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;

  const serve = async (req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> => {
    const method = req.method ?? "GET";
    const match = ROUTES.map((route) => ({ route, found: route.method === method ? route.pattern.exec(path) : null })).find((m) => m.found);
    const routeName = match?.route.name ?? "unknown";
    const record = (status: number, note?: string, caller?: string) => {
      const by = appOfCaller(caller);
      state.calls.push({ method, path, ...(url.search ? { query: url.search.slice(1) } : {}), route: routeName, status, ...(by ? { app: by } : {}), at: new Date().toISOString() });
      print?.(`github ${status} ${method} ${path}${note ? `  ${note}` : ""}`);
    };
    if (!match) {
      req.resume();
      record(404);
      return sendJson(res, 404, errorBody(404, "Not Found"), rate.count("anonymous"));
    }
    const fault = failures.take(match.route.name);
    if (fault) {
      req.resume();
      record(fault.status, `injected ${fault.status}`);
      return sendFault(res, fault, rate.count("anonymous"), requestId());
    }
    const params = match.found!.slice(1).map((p) => decodeURIComponent(p));
    const apiUrl = `http://${req.headers.host ?? "127.0.0.1"}${base}`;
    const answer = await match.route.handler({ req, url, path, state, app, apps, rate, tokenLifetimeSeconds, apiUrl, downloads, sender }, params);
    req.resume();
    const caller = callerOf(answer);
    record(answer.status, answer.note, caller);
    send(res, answer, answer.text === undefined && answer.bytes === undefined ? rate.count(caller ?? "anonymous", answer.resource) : {});
  };

  return {
    async handle(req, res) {
      const url = new URL(req.url ?? "/", "http://fake");
      if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return false;
      try {
        await serve(req, res, url, url.pathname.slice(base.length) || "/");
      } catch (error) {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`github fake: ${(error as Error).message}`);
      }
      return true;
    },
    state,
    failures,
    app: { id: app.id, ...(generated ? { privateKey: generated.privateKey } : {}) },
    apps: [
      { id: app.id, ...(generated ? { privateKey: generated.privateKey } : {}) },
      ...extra.map(({ input, generated: key }) => ({ id: input.id, ...(key ? { privateKey: key.privateKey } : {}) })),
    ],
    setRateLimit: ({ app: id, resource = "actions_runner_registration", remaining, resetInSeconds }) => rate.set(`app:${id}`, resource, { remaining, resetInSeconds }),
    basePath: base,
    webUrl: (origin) => webUrlOf(`${origin.replace(/\/+$/, "")}${base}`),
    actions,
    setWebhook: (target) => sender.configure(target),
    deliver: (event, payload) => sender.deliver(event, payload),
    dropDelivery: (spec) => sender.drop(spec),
    reset() {
      actions.reset();
      state.reset();
      sender.clear();
      failures.clear();
      rate.clear();
      downloads.clear();
    },
  };
}

function send(res: ServerResponse, answer: Answer, rateHeaders: Record<string, string>): void {
  if (answer.bytes !== undefined) {
    res.writeHead(answer.status, { "content-type": "application/octet-stream", ...answer.headers, "content-length": String(answer.bytes.length) });
    res.end(answer.bytes);
    return;
  }
  if (answer.text !== undefined) {
    res.writeHead(answer.status, { ...baseHeaders(), ...answer.headers, "content-type": "text/plain; charset=utf-8" });
    res.end(answer.text);
    return;
  }
  sendJson(res, answer.status, answer.body, { ...rateHeaders, ...answer.headers });
}
