/**
 * A local GitHub REST API: just the operations Runway calls, answered as GitHub answers them, so
 * the real Octokit client (lib/github/octokit.ts), its App authentication, retries and rate-limit
 * handling run unchanged against it.
 *
 *   POST   /app/installations/{id}/access_tokens            App JWT → ghs_… token (1 h)
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
 *
 * Beside the API it plays GitHub Actions (`actions`): jobs queued, runner hosts connecting, jobs
 * handed to any covering idle runner as GitHub does (assignment.ts), and the App's webhook
 * deliveries signed and sent (`setWebhook`, `deliver`), each logged in `state.deliveries`.
 *
 * Mounted by whoever owns the port, under `/github/api` by default:
 * `GITHUB_API_URL=http://127.0.0.1:PORT/github/api`.
 */
import type { KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createActions, type FakeActions } from "./actions.ts";
import { generateLocalAppKey, publicKeyOf } from "./app-key.ts";
import { WebhookSender, type DropSpec, type FakeDelivery, type WebhookTarget } from "./deliveries.ts";
import { createFailures, sendFault, type GitHubFailures } from "./failures.ts";
import type { FakeJob } from "./jobs.ts";
import type { RunnerGroupInput } from "./runner-groups.ts";
import { baseHeaders, errorBody, RateCounter, requestId, sendJson } from "./http.ts";
import { ROUTES, type Answer, type RouteContext } from "./routes.ts";
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
  /** Mount point (default `/github/api`). */
  basePath?: string;
}

export interface GitHubFake {
  /** Serve a request under the mount point; resolves false (untouched) when it is not the fake's. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  state: GitHubFakeState;
  failures: GitHubFailures;
  /** The App the fake accepts; `privateKey` (PEM) when the fake generated the key pair. */
  app: { id: number | string; privateKey?: string };
  /** The mount point, e.g. `/github/api`: GITHUB_API_URL is the server's origin plus this. */
  basePath: string;
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
  const base = (options.basePath ?? "/github/api").replace(/\/+$/, "");
  const print = options.print === true ? (line: string) => console.log(line) : options.print || undefined;
  const generated = options.app ? undefined : generateLocalAppKey();
  const app = { id: options.app?.id ?? 1, publicKey: publicKeyOf(options.app?.publicKey ?? generated!.publicKey) };
  const state = new GitHubFakeState(options.installations ?? [DEFAULT_INSTALLATION], options.runnerGroups ?? []);
  const sender = new WebhookSender(state.deliveries, app.id, print);
  sender.configure(options.webhook);
  const actions = createActions(state, sender, { cancelBeforeStart: options.cancelBeforeStart, print });
  const failures = createFailures();
  const rate = new RateCounter();
  const downloads: RouteContext["downloads"] = new Map();
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;

  const serve = async (req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> => {
    const method = req.method ?? "GET";
    const match = ROUTES.map((route) => ({ route, found: route.method === method ? route.pattern.exec(path) : null })).find((m) => m.found);
    const routeName = match?.route.name ?? "unknown";
    const record = (status: number, note?: string) => {
      state.calls.push({ method, path, ...(url.search ? { query: url.search.slice(1) } : {}), route: routeName, status, at: new Date().toISOString() });
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
    const answer = await match.route.handler({ req, url, path, state, app, tokenLifetimeSeconds, apiUrl, downloads, sender }, params);
    req.resume();
    record(answer.status, answer.note);
    send(res, answer, answer.text === undefined ? rate.count(answer.caller ?? "anonymous", answer.resource) : {});
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
    basePath: base,
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
  if (answer.text !== undefined) {
    res.writeHead(answer.status, { ...baseHeaders(), ...answer.headers, "content-type": "text/plain; charset=utf-8" });
    res.end(answer.text);
    return;
  }
  sendJson(res, answer.status, answer.body, { ...rateHeaders, ...answer.headers });
}
