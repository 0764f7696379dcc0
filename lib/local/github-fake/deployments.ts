/**
 * What the local GitHub knows of deployments and of custom deployment protection rules:
 *
 * - deployments and their statuses, as GitHub Actions records them for every job that names an
 *   environment (created by github-actions[bot]; a status `success` when the job succeeded), which
 *   Runway reads to know that a commit was validated in another environment;
 * - gates: a run's job waiting on the App's rule for an environment. `requestGate` creates the
 *   waiting job's deployment and returns the `deployment_protection_rule` delivery GitHub sends;
 *   the App answers through `deployment_callback_url` (deployment-routes.ts), and every answer is
 *   kept in `reviews`.
 *
 * Kept beside the fake's state (one store per `GitHubFakeState`), reached with `deploymentsOf`.
 */
import type { components } from "@octokit/openapi-types";
import type { GitHubFakeState } from "./state.ts";

type DeploymentJson = components["schemas"]["deployment"];
type DeploymentStatusJson = components["schemas"]["deployment-status"];
export type DeploymentState = DeploymentStatusJson["state"];

export interface FakeDeploymentStatus {
  id: number;
  state: DeploymentState;
  createdAt: string;
  creator: string;
}

export interface FakeDeployment {
  id: number;
  owner: string;
  repo: string;
  sha: string;
  ref: string;
  environment: string;
  creator: string;
  createdAt: string;
  /** Oldest first; GitHub lists them newest first. */
  statuses: FakeDeploymentStatus[];
}

export interface DeploymentInput {
  owner: string;
  repo: string;
  sha: string;
  environment: string;
  ref?: string;
  /** Whose deployment it is (`github-actions[bot]` by default, as Actions creates them). */
  creator?: string;
  /** Oldest first; `at` defaults to the deployment's creation time plus a minute per status. */
  statuses?: Array<{ state: DeploymentState; at?: Date | string }>;
  createdAt?: Date | string;
}

/** A job of a run waiting on the App's protection rule for one environment. */
export interface FakeGate {
  owner: string;
  repo: string;
  runId: number;
  environment: string;
  deploymentId: number;
  state: "pending" | "approved" | "rejected";
}

/** One `POST …/actions/runs/{run_id}/deployment_protection_rule` the fake took. */
export interface FakeGateReview {
  owner: string;
  repo: string;
  runId: number;
  environment: string;
  state: "approved" | "rejected" | null;
  comment: string | null;
  installationId: number;
  at: string;
}

export interface GateInput {
  owner: string;
  repo: string;
  runId: number;
  environment: string;
  sha: string;
  ref?: string;
  /** What started the run (default push). */
  event?: string;
  installationId?: number;
  /** The fake's API URL (GITHUB_API_URL), for `deployment_callback_url`. */
  apiUrl: string;
  sender?: string;
}

export const ACTIONS_BOT = "github-actions[bot]";

export class FakeDeployments {
  readonly reviews: FakeGateReview[] = [];
  readonly #deployments: FakeDeployment[] = [];
  readonly #gates: FakeGate[] = [];
  #nextId = 1_000;

  /** Record a deployment (and its statuses), as Actions does for a job that names an environment. */
  addDeployment(input: DeploymentInput): FakeDeployment {
    const created = new Date(input.createdAt ?? Date.now());
    const creator = input.creator ?? ACTIONS_BOT;
    const deployment: FakeDeployment = {
      id: this.#nextId++,
      owner: input.owner,
      repo: input.repo,
      sha: input.sha,
      ref: input.ref ?? "main",
      environment: input.environment,
      creator,
      createdAt: created.toISOString(),
      statuses: [],
    };
    this.#deployments.push(deployment);
    (input.statuses ?? []).forEach((s, i) => this.addStatus(deployment.id, s.state, s.at ?? new Date(created.getTime() + (i + 1) * 60_000)));
    return deployment;
  }

  addStatus(deploymentId: number, state: DeploymentState, at: Date | string = new Date()): FakeDeploymentStatus | undefined {
    const deployment = this.deployment(deploymentId);
    if (!deployment) return undefined;
    const status = { id: this.#nextId++, state, createdAt: new Date(at).toISOString(), creator: deployment.creator };
    deployment.statuses.push(status);
    return status;
  }

  deployment(id: number): FakeDeployment | undefined {
    return this.#deployments.find((d) => d.id === id);
  }

  /** Deployments of a repository, newest first, as the list endpoint filters them. */
  list(owner: string, repo: string, filter: { sha?: string | null; ref?: string | null; environment?: string | null; task?: string | null }): FakeDeployment[] {
    return this.#deployments
      .filter((d) => same(d.owner, owner) && same(d.repo, repo))
      .filter((d) => (filter.sha ? d.sha === filter.sha : true) && (filter.ref ? d.ref === filter.ref : true))
      .filter((d) => (filter.environment ? d.environment === filter.environment : true) && (filter.task ? filter.task === "deploy" : true))
      .reverse();
  }

  /**
   * A run's job now waits on the App's rule for `environment`: its deployment is created and the
   * delivery GitHub sends the App is returned, ready for `fake.deliver("deployment_protection_rule", payload)`.
   */
  requestGate(input: GateInput): { gate: FakeGate; payload: Record<string, any> } {
    const deployment = this.addDeployment({ owner: input.owner, repo: input.repo, sha: input.sha, environment: input.environment, ref: input.ref ?? "main" });
    const gate: FakeGate = { owner: input.owner, repo: input.repo, runId: input.runId, environment: input.environment, deploymentId: deployment.id, state: "pending" };
    this.#gates.push(gate);
    const repository = `${input.owner}/${input.repo}`;
    const sender = input.sender ?? "octocat";
    return {
      gate,
      payload: {
        action: "requested",
        environment: input.environment,
        event: input.event ?? "push",
        sha: input.sha,
        ref: input.ref ?? "main",
        deployment_callback_url: `${input.apiUrl}/repos/${repository}/actions/runs/${input.runId}/deployment_protection_rule`,
        deployment: deploymentJson(deployment, input.apiUrl),
        repository: { id: 4242, name: input.repo, full_name: repository, html_url: `https://github.com/${repository}`, owner: { login: input.owner, id: 4243, type: "Organization" } },
        installation: { id: input.installationId ?? 42, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI=" },
        sender: { login: sender, id: 583231, type: "User" },
      },
    };
  }

  /** The gates of a run (live records). */
  gatesOf(owner: string, repo: string, runId: number): FakeGate[] {
    return this.#gates.filter((g) => same(g.owner, owner) && same(g.repo, repo) && g.runId === runId);
  }

  gates(): FakeGate[] {
    return this.#gates.map((g) => ({ ...g }));
  }

  reset(): void {
    this.reviews.length = 0;
    this.#deployments.length = 0;
    this.#gates.length = 0;
  }
}

const stores = new WeakMap<GitHubFakeState, FakeDeployments>();

/** The deployments and gates of one fake (created on first use). */
export function deploymentsOf(state: GitHubFakeState): FakeDeployments {
  let store = stores.get(state);
  if (!store) stores.set(state, (store = new FakeDeployments()));
  return store;
}

/** GitHub's deployment object. */
export function deploymentJson(d: FakeDeployment, apiUrl: string): DeploymentJson {
  const url = `${apiUrl}/repos/${d.owner}/${d.repo}/deployments/${d.id}`;
  const updated = d.statuses.at(-1)?.createdAt ?? d.createdAt;
  return {
    url,
    id: d.id,
    node_id: `DE_${Buffer.from(String(d.id)).toString("base64url")}`,
    sha: d.sha,
    ref: d.ref,
    task: "deploy",
    payload: {},
    original_environment: d.environment,
    environment: d.environment,
    description: null,
    creator: simpleUser(d.creator, apiUrl),
    created_at: d.createdAt,
    updated_at: updated,
    statuses_url: `${url}/statuses`,
    repository_url: `${apiUrl}/repos/${d.owner}/${d.repo}`,
    transient_environment: false,
    production_environment: false,
  };
}

/** GitHub's deployment-status object. */
export function deploymentStatusJson(d: FakeDeployment, s: FakeDeploymentStatus, apiUrl: string): DeploymentStatusJson {
  const deploymentUrl = `${apiUrl}/repos/${d.owner}/${d.repo}/deployments/${d.id}`;
  return {
    url: `${deploymentUrl}/statuses/${s.id}`,
    id: s.id,
    node_id: `DES_${Buffer.from(String(s.id)).toString("base64url")}`,
    state: s.state,
    creator: simpleUser(s.creator, apiUrl),
    description: "",
    environment: d.environment,
    // Actions links its deployments' statuses to the run that deployed.
    target_url: `${new URL(apiUrl).origin}/${d.owner}/${d.repo}/actions`,
    log_url: `${new URL(apiUrl).origin}/${d.owner}/${d.repo}/actions`,
    created_at: s.createdAt,
    updated_at: s.createdAt,
    deployment_url: deploymentUrl,
    repository_url: `${apiUrl}/repos/${d.owner}/${d.repo}`,
  };
}

function simpleUser(login: string, apiUrl: string): components["schemas"]["simple-user"] {
  const bot = login.endsWith("[bot]");
  const id = bot ? 41898282 : 583231;
  const web = new URL(apiUrl).origin;
  const api = `${apiUrl}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: bot ? "MDM6Qm90NDE4OTgyODI=" : "MDQ6VXNlcjU4MzIzMQ==",
    avatar_url: `${web}/avatars/${id}`,
    gravatar_id: "",
    url: api,
    html_url: `${web}/${bot ? "apps/" + login.replace("[bot]", "") : login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: bot ? "Bot" : "User",
    site_admin: false,
  };
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
