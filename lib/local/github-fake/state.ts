/**
 * What the local GitHub remembers: the Apps' installations, the installation tokens it issued,
 * runner groups, registered runners, workflow jobs, seeded job logs, the App's webhook deliveries
 * and every call received (method, path, status: never a body, a token or a JIT configuration).
 */
import { randomBytes } from "node:crypto";
import type { FakeDelivery } from "./deliveries.ts";
import { decodeJitConfig, encodeJitConfig, type DecodedJitConfig } from "./jit-config.ts";
import { jobFromQueued, type FakeJob } from "./jobs.ts";
import { groupInOrg, runnerGroupFrom, runnerGroupsFrom, type FakeRunnerGroup, type RunnerGroupInput } from "./runner-groups.ts";

export type { DecodedJitConfig } from "./jit-config.ts";

export type Permission = "read" | "write";

export interface FakeInstallation {
  /** Unique across Apps, as GitHub's installation ids are. */
  id: number;
  /** The App it is an installation of; the fake's first App (the webhook App) when absent. */
  appId?: number | string;
  /** The user or organisation it is installed on; `*` stands for every account. */
  account: string;
  /** Repository names (without the owner) it covers; all of the account's by default. */
  repositories?: "all" | string[];
  permissions?: Record<string, Permission>;
}

/** What an App set up for Runway is granted (README: "Create the GitHub App"). */
export const DEFAULT_PERMISSIONS: Record<string, Permission> = {
  administration: "write",
  actions: "read",
  /** Custom deployment protection rules: read deployments, answer the rule (deployment-routes.ts). */
  deployments: "write",
  metadata: "read",
  organization_self_hosted_runners: "write",
};
/** The installation the sample deliveries name (`installation.id`), on every account. */
export const DEFAULT_INSTALLATION: FakeInstallation = { id: 42, account: "*" };

export type RunnerScope = "repo" | "org";

export interface FakeRunner {
  id: number;
  name: string;
  scope: RunnerScope;
  owner: string;
  /** Absent for organisation runners. */
  repo?: string;
  runnerGroupId: number;
  labels: string[];
  workFolder: string;
  os: string;
  /** Online from the moment its host connects; offline again when the host goes away. */
  status: "online" | "offline";
  busy: boolean;
  /** The job it was handed, while it runs it. */
  jobId: number | null;
  /** When it last became idle and online (ms): the runner idle longest is handed a job first. */
  idleSince: number | null;
  createdAt: string;
}

export interface FakeCall {
  method: string;
  /** Below the fake's base path, without the query string. */
  path: string;
  /** The query string without its `?`, when there is one (runner names, pages: no secrets). */
  query?: string;
  /** Which operation answered (`generate-jitconfig`, `access-tokens`, …), `unknown` for none. */
  route: string;
  /** The App whose credential made the call (its JWT, or a token of one of its installations). */
  app?: string;
  status: number;
  at: string;
}

interface IssuedToken {
  installationId: number;
  expiresAt: number;
}

const TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export class GitHubFakeState {
  readonly calls: FakeCall[] = [];
  readonly installations: FakeInstallation[];
  /** Runner groups (the Default group, id 1, always among them). */
  readonly runnerGroups: FakeRunnerGroup[];
  /** The App's webhook deliveries, oldest first, in GitHub's hook-delivery shape. */
  readonly deliveries: FakeDelivery[] = [];
  readonly #tokens = new Map<string, IssuedToken>();
  readonly #runners = new Map<number, FakeRunner>();
  readonly #jobs = new Map<number, FakeJob>();
  readonly #logs = new Map<string, string>();
  readonly #removals = new Set<(runnerId: number) => void>();
  #nextRunnerId = 23;

  constructor(installations: FakeInstallation[], runnerGroups: readonly RunnerGroupInput[]) {
    this.installations = installations.map((i) => ({ ...i }));
    this.runnerGroups = runnerGroupsFrom(runnerGroups);
  }

  /** Registered runners, oldest first (copies). */
  runners(): FakeRunner[] {
    return [...this.#runners.values()].map((r) => ({ ...r, labels: [...r.labels] }));
  }

  /** The online runners not running a job: the live records, for assignment to update. */
  idleRunners(): FakeRunner[] {
    return [...this.#runners.values()].filter((r) => r.status === "online" && !r.busy);
  }

  /** A runner group by id, if it exists (in `org`, when given). */
  runnerGroup(id: number, org?: string): FakeRunnerGroup | undefined {
    return this.runnerGroups.find((g) => g.id === id && (org === undefined || groupInOrg(g, org)));
  }

  /** Add a runner group (or replace the one with its id). */
  addRunnerGroup(group: RunnerGroupInput): FakeRunnerGroup {
    const created = runnerGroupFrom(group);
    const at = this.runnerGroups.findIndex((g) => g.id === created.id);
    if (at >= 0) this.runnerGroups.splice(at, 1, created);
    else this.runnerGroups.push(created);
    return created;
  }

  /** What a JIT configuration from `generate-jitconfig` says; throws when the fake did not issue it. */
  decodeJitConfig(encoded: string): DecodedJitConfig {
    return decodeJitConfig(encoded);
  }

  /**
   * Know a job from its `queued` delivery. A delivery sent again changes nothing; a later attempt
   * of the same job id starts it afresh. Returns the job as it now stands (live record).
   */
  registerJob(payload: unknown): FakeJob | undefined {
    const job = jobFromQueued(payload);
    if (!job) return undefined;
    const known = this.#jobs.get(job.id);
    if (known && known.runAttempt >= job.runAttempt) return known;
    this.#jobs.set(job.id, job);
    return job;
  }

  /** A job by id (live record: the fake's own code changes it). */
  job(id: number): FakeJob | undefined {
    return this.#jobs.get(id);
  }

  /** Every job, in the order they were queued (copies). */
  jobs(): FakeJob[] {
    return [...this.#jobs.values()].map((j) => structuredClone(j));
  }

  /** Jobs waiting for a runner, oldest first (live records). */
  queuedJobs(): FakeJob[] {
    return [...this.#jobs.values()].filter((j) => j.status === "queued");
  }

  /** Mark a runner online / busy by hand (tests); the Actions service does it for connected runners. */
  updateRunner(id: number, patch: Partial<Pick<FakeRunner, "status" | "busy" | "jobId" | "idleSince">>): void {
    const runner = this.#runners.get(id);
    if (runner) Object.assign(runner, patch);
  }

  /** Remove a runner, as GitHub does once a JIT runner's job has ended. */
  removeRunner(id: number): boolean {
    const removed = this.#runners.delete(id);
    if (removed) for (const listener of this.#removals) listener(id);
    return removed;
  }

  /** Be told when a runner is removed (its host, if connected, loses its session). */
  onRunnerRemoved(listener: (runnerId: number) => void): void {
    this.#removals.add(listener);
  }

  /** Give a job logs, served by `GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs`. */
  seedJobLogs(job: { owner: string; repo: string; jobId: number }, text: string): void {
    this.#logs.set(logKey(job.owner, job.repo, job.jobId), text);
  }

  jobLogs(owner: string, repo: string, jobId: number): string | undefined {
    return this.#logs.get(logKey(owner, repo, jobId));
  }

  installation(id: number): FakeInstallation | undefined {
    return this.installations.find((i) => i.id === id);
  }

  /** The App's installation covering a repository (or, without `repo`, an organisation). */
  installationOn(owner: string, repo?: string, appId?: number | string): FakeInstallation | undefined {
    return this.installations.find((i) => (appId === undefined || String(i.appId) === String(appId)) && covers(i, owner, repo));
  }

  permission(installation: FakeInstallation, name: string): Permission | undefined {
    return (installation.permissions ?? DEFAULT_PERMISSIONS)[name];
  }

  covers(installation: FakeInstallation, owner: string, repo?: string): boolean {
    return covers(installation, owner, repo);
  }

  /** A new `ghs_…` token for an installation. */
  issueToken(installationId: number, lifetimeSeconds: number): { token: string; expiresAt: Date } {
    const bytes = randomBytes(36);
    const token = `ghs_${Array.from(bytes, (b) => TOKEN_ALPHABET[b % TOKEN_ALPHABET.length]).join("")}`;
    const expiresAt = new Date(Date.now() + lifetimeSeconds * 1000);
    this.#tokens.set(token, { installationId, expiresAt: expiresAt.getTime() });
    return { token, expiresAt };
  }

  /** The installation a token belongs to, if the fake issued it and it has not expired. */
  tokenInstallation(token: string): FakeInstallation | undefined {
    const issued = this.#tokens.get(token);
    if (!issued || issued.expiresAt <= Date.now()) return undefined;
    return this.installation(issued.installationId);
  }

  /** The runner named so in a scope (names are case-insensitive on GitHub). */
  runnerNamed(scope: RunnerScope, owner: string, repo: string | undefined, name: string): FakeRunner | undefined {
    return this.scopeRunners(scope, owner, repo).find((r) => r.name.toLowerCase() === name.toLowerCase());
  }

  scopeRunners(scope: RunnerScope, owner: string, repo: string | undefined): FakeRunner[] {
    const same = (a: string | undefined, b: string | undefined) => (a ?? "").toLowerCase() === (b ?? "").toLowerCase();
    return [...this.#runners.values()].filter((r) => r.scope === scope && same(r.owner, owner) && (scope === "org" || same(r.repo, repo)));
  }

  /** A runner by id (live record). */
  runner(id: number): FakeRunner | undefined {
    return this.#runners.get(id);
  }

  /** Register a runner and build its JIT configuration, in the real one's shape. */
  registerRunner(input: Omit<FakeRunner, "id" | "os" | "status" | "busy" | "jobId" | "idleSince" | "createdAt">, serverUrl: string): { runner: FakeRunner; encoded: string } {
    const runner: FakeRunner = { ...input, id: this.#nextRunnerId++, os: "unknown", status: "offline", busy: false, jobId: null, idleSince: null, createdAt: new Date().toISOString() };
    this.#runners.set(runner.id, runner);
    const group = this.runnerGroup(runner.runnerGroupId)?.name ?? `group-${runner.runnerGroupId}`;
    return { runner, encoded: encodeJitConfig(runner, group, serverUrl) };
  }

  /** Forget runners, jobs, deliveries, tokens, logs and calls; installations and runner groups stay. */
  reset(): void {
    this.calls.length = 0;
    this.deliveries.length = 0;
    this.#jobs.clear();
    this.#tokens.clear();
    this.#runners.clear();
    this.#logs.clear();
  }
}

function covers(installation: FakeInstallation, owner: string, repo?: string): boolean {
  if (installation.account !== "*" && installation.account.toLowerCase() !== owner.toLowerCase()) return false;
  const repos = installation.repositories ?? "all";
  return repo === undefined || repos === "all" || repos.some((r) => r.toLowerCase() === repo.toLowerCase());
}

function logKey(owner: string, repo: string, jobId: number): string {
  return `${owner}/${repo}/${jobId}`.toLowerCase();
}
