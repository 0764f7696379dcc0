/**
 * The operations of GitHub's REST API that Runway calls, answered as GitHub answers them: who may
 * call (the App's JWT or an installation token, and its permissions), what is validated, and the
 * status and body of each outcome.
 */
import { randomBytes } from "node:crypto";
import { simpleUser } from "./accounts.ts";
import { webUrlOf } from "./enterprise-server.ts";
import { errorBody, readJson } from "./http.ts";
import {
  anyAppCaller,
  appOf,
  installationCaller,
  isAnswer,
  notFound,
  pageOf,
  registrationLimited,
  RUNNERS_DOCS,
  runnerJson,
  runnerPermission,
  seg,
  type Answer,
  type Route,
  type RouteContext,
} from "./route-kit.ts";
import type { FakeInstallation, Permission, RunnerScope } from "./state.ts";
import { DELIVERY_ROUTES } from "./delivery-routes.ts";
import { DEPLOYMENT_ROUTES } from "./deployment-routes.ts";
import { STATUS_ROUTES } from "./status-routes.ts";
import { RELEASE_ROUTES } from "./releases.ts";

export type { Answer, Route, RouteContext } from "./route-kit.ts";

export const ROUTES: Route[] = [
  { method: "POST", pattern: /^\/app\/installations\/(\d+)\/access_tokens$/, name: "access-tokens", handler: accessTokens },
  { method: "GET", pattern: new RegExp(`^/repos/${seg}/${seg}/installation$`), name: "installation", handler: (c, [o, r]) => installationOf(c, o!, r) },
  { method: "GET", pattern: new RegExp(`^/orgs/${seg}/installation$`), name: "installation", handler: (c, [o]) => installationOf(c, o!) },
  { method: "POST", pattern: new RegExp(`^/repos/${seg}/${seg}/actions/runners/generate-jitconfig$`), name: "generate-jitconfig", handler: (c, [o, r]) => generateJitConfig(c, "repo", o!, r) },
  { method: "POST", pattern: new RegExp(`^/orgs/${seg}/actions/runners/generate-jitconfig$`), name: "generate-jitconfig", handler: (c, [o]) => generateJitConfig(c, "org", o!) },
  { method: "GET", pattern: new RegExp(`^/repos/${seg}/${seg}/actions/runners$`), name: "list-runners", handler: (c, [o, r]) => listRunners(c, "repo", o!, r) },
  { method: "GET", pattern: new RegExp(`^/orgs/${seg}/actions/runners$`), name: "list-runners", handler: (c, [o]) => listRunners(c, "org", o!) },
  { method: "DELETE", pattern: new RegExp(`^/repos/${seg}/${seg}/actions/runners/(\\d+)$`), name: "delete-runner", handler: (c, [o, r, id]) => deleteRunner(c, "repo", o!, r, id!) },
  { method: "DELETE", pattern: new RegExp(`^/orgs/${seg}/actions/runners/(\\d+)$`), name: "delete-runner", handler: (c, [o, id]) => deleteRunner(c, "org", o!, undefined, id!) },
  { method: "GET", pattern: new RegExp(`^/repos/${seg}/${seg}/actions/jobs/(\\d+)/logs$`), name: "job-logs", handler: (c, [o, r, id]) => jobLogs(c, o!, r!, id!) },
  { method: "GET", pattern: /^\/_fake\/job-logs\/([\w-]+)$/, name: "job-logs-download", handler: (c, [key]) => downloadLogs(c, key!) },
  ...STATUS_ROUTES,
  ...DELIVERY_ROUTES,
  ...DEPLOYMENT_ROUTES,
  ...RELEASE_ROUTES,
];

function accessTokens(ctx: RouteContext, [id]: string[]): Answer {
  const app = anyAppCaller(ctx);
  if (isAnswer(app)) return app;
  const installation = ctx.state.installation(Number(id));
  // Another App's installation is not found, as on GitHub: an App sees only its own.
  if (!installation || appOf(ctx, installation) !== app) {
    return { ...notFound("https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app"), caller: `app:${app.id}` };
  }
  const { token, expiresAt } = ctx.state.issueToken(installation.id, ctx.tokenLifetimeSeconds);
  return {
    status: 201,
    body: {
      token,
      expires_at: expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
      permissions: permissionsOf(ctx, installation),
      repository_selection: Array.isArray(installation.repositories) ? "selected" : "all",
    },
    caller: `app:${app.id}`,
    note: `App ${app.id} installation ${installation.id} token, expires ${expiresAt.toISOString()}`,
  };
}

function permissionsOf(ctx: RouteContext, installation: FakeInstallation): Record<string, Permission> {
  const names = ["administration", "actions", "deployments", "metadata", "organization_self_hosted_runners"];
  return installation.permissions ?? Object.fromEntries(names.map((n) => [n, ctx.state.permission(installation, n)!]));
}

function installationOf(ctx: RouteContext, owner: string, repo?: string): Answer {
  const app = anyAppCaller(ctx);
  if (isAnswer(app)) return app;
  const installation = ctx.state.installationOn(owner, repo, app.id);
  if (!installation) return { ...notFound("https://docs.github.com/rest/apps/apps"), caller: `app:${app.id}` };
  const account = installation.account === "*" ? owner : installation.account;
  return {
    status: 200,
    body: {
      id: installation.id,
      account: simpleUser(account, 1000 + installation.id, repo ? "User" : "Organization"),
      app_id: Number(app.id) || app.id,
      app_slug: app.slug,
      target_id: 1000 + installation.id,
      target_type: repo ? "User" : "Organization",
      single_file_name: null,
      html_url: repo ? `${webUrlOf(ctx.apiUrl)}/settings/installations/${installation.id}` : `${webUrlOf(ctx.apiUrl)}/organizations/${account}/settings/installations/${installation.id}`,
      repository_selection: Array.isArray(installation.repositories) ? "selected" : "all",
      access_tokens_url: `${ctx.apiUrl}/app/installations/${installation.id}/access_tokens`,
      repositories_url: `${ctx.apiUrl}/installation/repositories`,
      permissions: permissionsOf(ctx, installation),
      events: ["workflow_job"],
      created_at: "2024-01-01T00:00:00Z",
      updated_at: "2024-01-01T00:00:00Z",
      suspended_by: null,
      suspended_at: null,
    },
    caller: `app:${app.id}`,
    note: `App ${app.id} installation ${installation.id}`,
  };
}

async function generateJitConfig(ctx: RouteContext, scope: RunnerScope, owner: string, repo?: string): Promise<Answer> {
  const docs = `${RUNNERS_DOCS}#create-configuration-for-a-just-in-time-runner-for-${scope === "org" ? "an-organization" : "a-repository"}`;
  const caller = installationCaller(ctx, owner, repo, runnerPermission(scope, "write"), docs);
  if (isAnswer(caller)) return caller;
  const who = `installation:${caller.id}`;
  const app = appOf(ctx, caller);
  const limited = registrationLimited(ctx, app, caller);
  if (limited) {
    ctx.req.resume();
    return limited;
  }
  const body = await readJson(ctx.req);
  if (body === null || typeof body !== "object" || Array.isArray(body)) return { status: 400, body: errorBody(400, "Problems parsing JSON", docs), caller: who };
  const { name, runner_group_id: group, labels, work_folder: workFolder } = body as Record<string, unknown>;
  const invalid = (why: string): Answer => ({ status: 422, body: errorBody(422, `Invalid request.\n\n${why}`, docs), caller: who, note: why });
  if (typeof name !== "string" || name.trim() === "") return invalid("Invalid input: object is missing required key: name.");
  if (typeof group !== "number" || !Number.isInteger(group)) return invalid("Invalid input: object is missing required key: runner_group_id.");
  if (!Array.isArray(labels) || labels.length < 1) return invalid("For 'properties/labels', the array has fewer items than the minimum 1.");
  if (labels.length > 100) return invalid("For 'properties/labels', the array has more items than the maximum 100.");
  if (labels.some((l) => typeof l !== "string" || l.trim() === "")) return invalid("For 'items', labels must be non-empty strings.");
  if (workFolder !== undefined && typeof workFolder !== "string") return invalid("For 'properties/work_folder', it is not a string.");
  // GitHub answers 404 for a runner group the installation cannot see (an organisation's own groups).
  if (!ctx.state.runnerGroup(group, scope === "org" ? owner : undefined)) return { ...notFound(docs), caller: who, note: `no runner group ${group}` };
  if (ctx.state.runnerNamed(scope, owner, repo, name)) {
    return { status: 409, body: errorBody(409, `Already exists - A runner with the name ${name} already exists.`, docs), caller: who, note: `name ${name} taken` };
  }
  // The runner's GitHub: an Enterprise Server's own host (enterprise-server.ts), else github.com.
  const serverUrl = webUrlOf(ctx.apiUrl);
  const { runner, encoded } = ctx.state.registerRunner(
    { name, scope, owner, ...(repo ? { repo } : {}), runnerGroupId: group, labels: labels as string[], workFolder: workFolder ?? "_work" },
    serverUrl,
  );
  return {
    status: 201,
    body: { runner: runnerJson(runner), encoded_jit_config: encoded },
    // JIT registrations draw on the App-wide actions_runner_registration budget: each App its own.
    caller: `app:${app.id}`,
    resource: "actions_runner_registration",
    note: `App ${app.id} runner ${runner.id} ${runner.name} [${runner.labels.join(", ")}] group ${group}`,
  };
}

function listRunners(ctx: RouteContext, scope: RunnerScope, owner: string, repo?: string): Answer {
  const docs = `${RUNNERS_DOCS}#list-self-hosted-runners-for-${scope === "org" ? "an-organization" : "a-repository"}`;
  const caller = installationCaller(ctx, owner, repo, runnerPermission(scope, "read"), docs);
  if (isAnswer(caller)) return caller;
  const name = ctx.url.searchParams.get("name");
  const all = ctx.state.scopeRunners(scope, owner, repo).filter((r) => name === null || r.name.toLowerCase() === name.toLowerCase());
  const { items: runners, headers } = pageOf(ctx, all);
  return {
    status: 200,
    body: { total_count: all.length, runners: runners.map(runnerJson) },
    headers,
    caller: `installation:${caller.id}`,
    note: `${runners.length} of ${all.length}${name === null ? "" : ` named ${name}`}`,
  };
}

function deleteRunner(ctx: RouteContext, scope: RunnerScope, owner: string, repo: string | undefined, id: string): Answer {
  const docs = `${RUNNERS_DOCS}#delete-a-self-hosted-runner-from-${scope === "org" ? "an-organization" : "a-repository"}`;
  const caller = installationCaller(ctx, owner, repo, runnerPermission(scope, "write"), docs);
  if (isAnswer(caller)) return caller;
  const who = `installation:${caller.id}`;
  const runner = ctx.state.runner(Number(id));
  const inScope = runner && ctx.state.scopeRunners(scope, owner, repo).includes(runner);
  if (!runner || !inScope) return { ...notFound(docs), caller: who, note: `no runner ${id}` };
  if (runner.busy) return { status: 422, body: errorBody(422, `Bad request - Runner "${runner.name}" is still running a job"`, docs), caller: who };
  ctx.state.removeRunner(runner.id);
  return { status: 204, caller: who, note: `runner ${runner.id} ${runner.name}` };
}

function jobLogs(ctx: RouteContext, owner: string, repo: string, id: string): Answer {
  const docs = "https://docs.github.com/rest/actions/workflow-jobs#download-job-logs-for-a-workflow-run";
  const caller = installationCaller(ctx, owner, repo, ["actions", "read"], docs);
  if (isAnswer(caller)) return caller;
  const who = `installation:${caller.id}`;
  const jobId = Number(id);
  if (ctx.state.jobLogs(owner, repo, jobId) === undefined) return { ...notFound(docs), caller: who, note: `no logs for job ${id}` };
  // Like GitHub's signed blob URL: unguessable, no credentials needed, valid for a minute.
  const key = randomBytes(18).toString("base64url");
  ctx.downloads.set(key, { owner, repo, jobId, until: Date.now() + 60_000 });
  return { status: 302, headers: { location: `${ctx.apiUrl}/_fake/job-logs/${key}` }, caller: who, note: `job ${id}` };
}

function downloadLogs(ctx: RouteContext, key: string): Answer {
  const download = ctx.downloads.get(key);
  if (!download || download.until <= Date.now()) return { status: 403, text: "AuthenticationFailed: the download link has expired", note: "expired link" };
  const text = ctx.state.jobLogs(download.owner, download.repo, download.jobId) ?? "";
  return { status: 200, text, note: `job ${download.jobId}, ${Buffer.byteLength(text)} bytes` };
}
