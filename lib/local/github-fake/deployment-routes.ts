/**
 * Deployments and custom deployment protection rules, answered as GitHub answers them:
 *
 *   GET  /repos/{owner}/{repo}/deployments?sha=&ref=&task=&environment=&per_page=&page=   Deployments: read
 *   GET  /repos/{owner}/{repo}/deployments/{deployment_id}/statuses?per_page=&page=      Deployments: read
 *   POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule          Deployments: write
 *        { environment_name, state: approved|rejected, comment } (a comment alone is allowed) → 204
 *
 * The review is recorded (deployments.ts, `reviews`) and settles the run's gate for that
 * environment. A run with no gate of the App's is 404. A review of a gate already settled, or of an
 * environment the run does not wait on, is 422: GitHub's documentation does not describe that
 * answer; it is modelled on reports of GitHub refusing an approval with "nothing to approve".
 */
import { deploymentJson, deploymentsOf, deploymentStatusJson } from "./deployments.ts";
import { errorBody, readJson } from "./http.ts";
import { installationCaller, isAnswer, notFound, pageOf, seg, type Answer, type Route, type RouteContext } from "./route-kit.ts";

const LIST_DOCS = "https://docs.github.com/rest/deployments/deployments#list-deployments";
const STATUSES_DOCS = "https://docs.github.com/rest/deployments/statuses#list-deployment-statuses";
const REVIEW_DOCS = "https://docs.github.com/rest/actions/workflow-runs#review-custom-deployment-protection-rules-for-a-workflow-run";

export const DEPLOYMENT_ROUTES: Route[] = [
  { method: "GET", pattern: new RegExp(`^/repos/${seg}/${seg}/deployments$`), name: "list-deployments", handler: (c, [o, r]) => listDeployments(c, o!, r!) },
  { method: "GET", pattern: new RegExp(`^/repos/${seg}/${seg}/deployments/(\\d+)/statuses$`), name: "list-deployment-statuses", handler: (c, [o, r, id]) => listStatuses(c, o!, r!, id!) },
  {
    method: "POST",
    pattern: new RegExp(`^/repos/${seg}/${seg}/actions/runs/(\\d+)/deployment_protection_rule$`),
    name: "review-protection-rule",
    handler: (c, [o, r, id]) => reviewProtectionRule(c, o!, r!, id!),
  },
];

function listDeployments(ctx: RouteContext, owner: string, repo: string): Answer {
  const caller = installationCaller(ctx, owner, repo, ["deployments", "read"], LIST_DOCS);
  if (isAnswer(caller)) return caller;
  const q = ctx.url.searchParams;
  const all = deploymentsOf(ctx.state).list(owner, repo, { sha: q.get("sha"), ref: q.get("ref"), environment: q.get("environment"), task: q.get("task") });
  const { items, headers } = pageOf(ctx, all);
  return { status: 200, body: items.map((d) => deploymentJson(d, ctx.apiUrl)), headers, caller: `installation:${caller.id}`, note: `${items.length} of ${all.length}` };
}

function listStatuses(ctx: RouteContext, owner: string, repo: string, id: string): Answer {
  const caller = installationCaller(ctx, owner, repo, ["deployments", "read"], STATUSES_DOCS);
  if (isAnswer(caller)) return caller;
  const who = `installation:${caller.id}`;
  const deployment = deploymentsOf(ctx.state).deployment(Number(id));
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (!deployment || !same(deployment.owner, owner) || !same(deployment.repo, repo)) return { ...notFound(STATUSES_DOCS), caller: who, note: `no deployment ${id}` };
  const { items, headers } = pageOf(ctx, [...deployment.statuses].reverse());
  return { status: 200, body: items.map((s) => deploymentStatusJson(deployment, s, ctx.apiUrl)), headers, caller: who, note: `deployment ${id}: ${items.map((s) => s.state).join(", ") || "no statuses"}` };
}

async function reviewProtectionRule(ctx: RouteContext, owner: string, repo: string, id: string): Promise<Answer> {
  const caller = installationCaller(ctx, owner, repo, ["deployments", "write"], REVIEW_DOCS);
  if (isAnswer(caller)) return caller;
  const who = `installation:${caller.id}`;
  const store = deploymentsOf(ctx.state);
  const runId = Number(id);
  const gates = store.gatesOf(owner, repo, runId);
  if (gates.length === 0) return { ...notFound(REVIEW_DOCS), caller: who, note: `run ${id} waits on no rule of the App` };

  const body = await readJson(ctx.req);
  if (body === null || typeof body !== "object" || Array.isArray(body)) return { status: 400, body: errorBody(400, "Problems parsing JSON", REVIEW_DOCS), caller: who };
  const { environment_name: environment, state, comment } = body as Record<string, unknown>;
  const invalid = (why: string): Answer => ({ status: 422, body: errorBody(422, `Invalid request.\n\n${why}`, REVIEW_DOCS), caller: who, note: why });
  if (typeof environment !== "string" || environment === "") return invalid("No subschema in \"anyOf\" matched: environment_name is required.");
  if (state !== undefined && state !== "approved" && state !== "rejected") return invalid(`For 'properties/state', ${JSON.stringify(state)} is not one of ["approved", "rejected"].`);
  if (comment !== undefined && typeof comment !== "string") return invalid("For 'properties/comment', it is not a string.");
  if (state === undefined && typeof comment !== "string") return invalid("No subschema in \"anyOf\" matched: a comment is required when state is not provided.");

  const gate = gates.find((g) => g.environment.toLowerCase() === environment.toLowerCase() && g.state === "pending");
  if (!gate) {
    const note = `run ${id} has no pending rule of the App for ${environment}`;
    return { status: 422, body: errorBody(422, `No pending custom deployment protection rule of this app for environment ${environment}`, REVIEW_DOCS), caller: who, note };
  }
  store.reviews.push({ owner, repo, runId, environment: gate.environment, state: state ?? null, comment: typeof comment === "string" ? comment : null, installationId: caller.id, at: new Date().toISOString() });
  if (state !== undefined) gate.state = state;
  return { status: 204, caller: who, note: `run ${id} ${gate.environment}: ${state ?? "commented"}` };
}
