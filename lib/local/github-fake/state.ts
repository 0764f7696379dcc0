/**
 * What the local GitHub remembers: the App's installations, the installation tokens it issued,
 * registered runners, seeded job logs and every call received (method, path, status: never a
 * body, a token or a JIT configuration).
 */
import { randomBytes, randomUUID } from "node:crypto";

export type Permission = "read" | "write";

export interface FakeInstallation {
  id: number;
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
  status: "online" | "offline";
  busy: boolean;
  createdAt: string;
}

/** What a JIT configuration issued by the fake says, for the local stack's simulated runner. */
export interface DecodedJitConfig {
  runnerId: number;
  runnerName: string;
  runnerGroupId: number;
  labels: string[];
  scope: RunnerScope;
  owner: string;
  repo?: string;
  workFolder: string;
  serverUrl: string;
}

export interface FakeCall {
  method: string;
  /** Below the fake's base path, without the query string. */
  path: string;
  /** The query string without its `?`, when there is one (runner names, pages: no secrets). */
  query?: string;
  /** Which operation answered (`generate-jitconfig`, `access-tokens`, …), `unknown` for none. */
  route: string;
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
  readonly runnerGroups: Set<number>;
  readonly #tokens = new Map<string, IssuedToken>();
  readonly #runners = new Map<number, FakeRunner>();
  readonly #logs = new Map<string, string>();
  #nextRunnerId = 23;

  constructor(installations: FakeInstallation[], runnerGroups: number[]) {
    this.installations = installations.map((i) => ({ ...i }));
    this.runnerGroups = new Set(runnerGroups);
  }

  /** Registered runners, oldest first. */
  runners(): FakeRunner[] {
    return [...this.#runners.values()].map((r) => ({ ...r, labels: [...r.labels] }));
  }

  /** What a JIT configuration from `generate-jitconfig` says; throws when the fake did not issue it. */
  decodeJitConfig(encoded: string): DecodedJitConfig {
    try {
      const files = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as Record<string, string>;
      const runner = JSON.parse(Buffer.from(files[".runner"] ?? "", "base64").toString("utf8")) as Record<string, any>;
      const fake = runner.RunwayFake as { scope: RunnerScope; owner: string; repo?: string; labels: string[] };
      return {
        runnerId: runner.AgentId,
        runnerName: runner.AgentName,
        runnerGroupId: runner.PoolId,
        labels: [...fake.labels],
        scope: fake.scope,
        owner: fake.owner,
        ...(fake.repo ? { repo: fake.repo } : {}),
        workFolder: runner.WorkFolder,
        serverUrl: runner.ServerUrl,
      };
    } catch {
      throw new Error("not a JIT runner configuration issued by the local GitHub fake");
    }
  }

  /** Mark a runner online / busy, as a connected runner would appear. */
  updateRunner(id: number, patch: Partial<Pick<FakeRunner, "status" | "busy">>): void {
    const runner = this.#runners.get(id);
    if (runner) Object.assign(runner, patch);
  }

  /** Remove a runner, as GitHub does once a JIT runner's job has ended. */
  removeRunner(id: number): boolean {
    return this.#runners.delete(id);
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

  /** The installation covering a repository (or, without `repo`, an organisation). */
  installationOn(owner: string, repo?: string): FakeInstallation | undefined {
    return this.installations.find((i) => covers(i, owner, repo));
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

  runner(id: number): FakeRunner | undefined {
    return this.#runners.get(id);
  }

  /** Register a runner and build its JIT configuration, in the real one's shape. */
  registerRunner(input: Omit<FakeRunner, "id" | "os" | "status" | "busy" | "createdAt">, serverUrl: string): { runner: FakeRunner; encoded: string } {
    const runner: FakeRunner = { ...input, id: this.#nextRunnerId++, os: "unknown", status: "offline", busy: false, createdAt: new Date().toISOString() };
    this.#runners.set(runner.id, runner);
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");
    const files = {
      ".runner": b64({
        AgentId: runner.id,
        AgentName: runner.name,
        PoolId: runner.runnerGroupId,
        PoolName: runner.runnerGroupId === 1 ? "Default" : `group-${runner.runnerGroupId}`,
        ServerUrl: serverUrl,
        GitHubUrl: `${serverUrl}/${runner.owner}${runner.repo ? `/${runner.repo}` : ""}`,
        WorkFolder: runner.workFolder,
        Ephemeral: true,
        DisableUpdate: true,
        RunwayFake: { scope: runner.scope, owner: runner.owner, repo: runner.repo, labels: runner.labels },
      }),
      ".credentials": b64({ Scheme: "OAuth", Data: { ClientId: randomUUID(), AuthorizationUrl: `${serverUrl}/_apis/oauth2/token` } }),
      // The secret part of a real configuration: the runner's private key.
      ".credentials_rsaparams": b64({ d: randomBytes(128).toString("base64"), modulus: randomBytes(128).toString("base64"), exponent: "AQAB" }),
    };
    return { runner, encoded: Buffer.from(JSON.stringify(files)).toString("base64") };
  }

  /** Forget runners, tokens, logs and calls; installations and runner groups stay. */
  reset(): void {
    this.calls.length = 0;
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
