/**
 * What GitHub says about jobs, runners and runner groups: the truth Runway asks for before it
 * stops a build (is the job still queued? is the runner busy?) and the runner groups it resolves
 * `runners.group` names through.
 *
 *   GET /repos/{owner}/{repo}/actions/jobs/{job_id}        Actions: read
 *   GET /repos/{owner}/{repo}/actions/runners/{runner_id}  Administration: read
 *   GET /orgs/{org}/actions/runners/{runner_id}            Organization self-hosted runners: read
 *   GET /orgs/{org}/actions/runner-groups?per_page=&page=&visible_to_repository=
 *                                                          Organization self-hosted runners: read
 */
import { jobJson } from "./jobs.ts";
import { groupAllowsRepository, groupInOrg, groupJson } from "./runner-groups.ts";
import { installationCaller, isAnswer, notFound, pageOf, RUNNERS_DOCS, runnerJson, runnerPermission, seg, type Answer, type Route, type RouteContext } from "./route-kit.ts";
import type { RunnerScope } from "./state.ts";

const JOBS_DOCS = "https://docs.github.com/rest/actions/workflow-jobs#get-a-job-for-a-workflow-run";
const GROUPS_DOCS = "https://docs.github.com/rest/actions/self-hosted-runner-groups#list-self-hosted-runner-groups-for-an-organization";

export const STATUS_ROUTES: Route[] = [
  { method: "GET", pattern: new RegExp(`^/repos/${seg}/${seg}/actions/jobs/(\\d+)$`), name: "get-job", handler: (c, [o, r, id]) => getJob(c, o!, r!, id!) },
  { method: "GET", pattern: new RegExp(`^/repos/${seg}/${seg}/actions/runners/(\\d+)$`), name: "get-runner", handler: (c, [o, r, id]) => getRunner(c, "repo", o!, r, id!) },
  { method: "GET", pattern: new RegExp(`^/orgs/${seg}/actions/runners/(\\d+)$`), name: "get-runner", handler: (c, [o, id]) => getRunner(c, "org", o!, undefined, id!) },
  { method: "GET", pattern: new RegExp(`^/orgs/${seg}/actions/runner-groups$`), name: "list-runner-groups", handler: (c, [o]) => listRunnerGroups(c, o!) },
];

function getJob(ctx: RouteContext, owner: string, repo: string, id: string): Answer {
  const caller = installationCaller(ctx, owner, repo, ["actions", "read"], JOBS_DOCS);
  if (isAnswer(caller)) return caller;
  const who = `installation:${caller.id}`;
  const job = ctx.state.job(Number(id));
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (!job || !same(job.owner, owner) || !same(job.repo, repo)) return { ...notFound(JOBS_DOCS), caller: who, note: `no job ${id}` };
  return { status: 200, body: jobJson(job, ctx.apiUrl), caller: who, note: `job ${id} ${job.status}${job.runnerName ? ` on ${job.runnerName}` : ""}` };
}

function getRunner(ctx: RouteContext, scope: RunnerScope, owner: string, repo: string | undefined, id: string): Answer {
  const docs = `${RUNNERS_DOCS}#get-a-self-hosted-runner-for-${scope === "org" ? "an-organization" : "a-repository"}`;
  const caller = installationCaller(ctx, owner, repo, runnerPermission(scope, "read"), docs);
  if (isAnswer(caller)) return caller;
  const who = `installation:${caller.id}`;
  const runner = ctx.state.runner(Number(id));
  if (!runner || !ctx.state.scopeRunners(scope, owner, repo).includes(runner)) return { ...notFound(docs), caller: who, note: `no runner ${id}` };
  return { status: 200, body: runnerJson(runner), caller: who, note: `runner ${id} ${runner.status}${runner.busy ? " busy" : ""}` };
}

function listRunnerGroups(ctx: RouteContext, org: string): Answer {
  const caller = installationCaller(ctx, org, undefined, runnerPermission("org", "read"), GROUPS_DOCS);
  if (isAnswer(caller)) return caller;
  // `visible_to_repository` names a repository of the organisation: only groups it may use.
  const visibleTo = ctx.url.searchParams.get("visible_to_repository");
  const all = ctx.state.runnerGroups.filter((g) => groupInOrg(g, org) && (visibleTo === null || groupAllowsRepository(g, org, visibleTo, true) === undefined));
  const { items, headers } = pageOf(ctx, all);
  return {
    status: 200,
    body: { total_count: all.length, runner_groups: items.map((g) => groupJson(g, ctx.apiUrl, org)) },
    headers,
    caller: `installation:${caller.id}`,
    note: `${items.length} of ${all.length} runner groups`,
  };
}
