/** The local GitHub as a client sees it on the wire: raw requests, GitHub's statuses, bodies and headers. */
import { createSign } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { generateLocalAppKey } from "../../../lib/local/github-fake/index.ts";
import { startGitHub, type GitHubHarness } from "./harness.ts";

let github: GitHubHarness | undefined;
afterEach(async () => {
  await github?.close();
  github = undefined;
});

function jwt(payload: Record<string, unknown>, privateKey = github!.fake.app.privateKey!, header: Record<string, unknown> = { alg: "RS256", typ: "JWT" }): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createSign("RSA-SHA256").update(input).sign(privateKey, "base64url")}`;
}
const now = () => Math.floor(Date.now() / 1000);
const otherKey = generateLocalAppKey().privateKey;
const validJwt = () => jwt({ iat: now() - 30, exp: now() + 540, iss: 1 });

async function call(method: string, path: string, auth?: string, body?: unknown): Promise<Response> {
  return fetch(`${github!.apiUrl}${path}`, {
    method,
    redirect: "manual",
    headers: { ...(auth ? { authorization: auth } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

async function installationToken(): Promise<string> {
  const response = await call("POST", "/app/installations/42/access_tokens", `Bearer ${validJwt()}`);
  return ((await response.json()) as { token: string }).token;
}

const jitBody = { name: "runner-1", runner_group_id: 1, labels: ["runway-dev"] };

describe("the local GitHub's App authentication", () => {
  it("issues a ghs_ token, valid one hour, for a JWT signed by the App's key", async () => {
    github = await startGitHub();
    const response = await call("POST", "/app/installations/42/access_tokens", `Bearer ${validJwt()}`);
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("x-github-request-id")).toMatch(/^[0-9A-F]{4}:[0-9A-F]{4}:[0-9A-F]{6}:[0-9A-F]{8}:[0-9A-F]{8}$/);
    expect(response.headers.get("x-ratelimit-limit")).toBe("5000");
    expect(response.headers.get("x-ratelimit-remaining")).toBe("4999");
    const body = (await response.json()) as { token: string; expires_at: string; permissions: Record<string, string> };
    expect(body.token).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
    expect(Date.parse(body.expires_at) - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(body.permissions).toMatchObject({ administration: "write", actions: "read", metadata: "read" });
  });

  it.each([
    ["signed by another key", () => jwt({ iat: now() - 30, exp: now() + 540, iss: 1 }, otherKey), "A JSON web token could not be decoded"],
    ["not RS256", () => jwt({ iat: now() - 30, exp: now() + 540, iss: 1 }, undefined, { alg: "HS256" }), "A JSON web token could not be decoded"],
    ["expired", () => jwt({ iat: now() - 700, exp: now() - 100, iss: 1 }), "'Expiration time' claim ('exp') must be a numeric value"],
    ["valid for more than ten minutes", () => jwt({ iat: now(), exp: now() + 3600, iss: 1 }), "is too far in the future"],
    ["issued in the future", () => jwt({ iat: now() + 600, exp: now() + 660, iss: 1 }), "'Issued at' claim ('iat')"],
    ["for another App", () => jwt({ iat: now() - 30, exp: now() + 540, iss: 2 }), "'Issuer' claim ('iss')"],
    ["garbage", () => "not.a.jwt", "A JSON web token could not be decoded"],
  ])("refuses a JWT %s with 401", async (_case, make, message) => {
    github = await startGitHub();
    const response = await call("POST", "/app/installations/42/access_tokens", `Bearer ${make()}`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { message: string }).message).toContain(message);
  });

  it("answers 404 for an installation that does not exist", async () => {
    github = await startGitHub();
    expect((await call("POST", "/app/installations/9/access_tokens", `Bearer ${validJwt()}`)).status).toBe(404);
  });

  it("refuses an installation token it never issued, or one that expired", async () => {
    github = await startGitHub({ tokenLifetimeSeconds: 0 });
    const expired = await installationToken();
    expect((await call("POST", "/repos/acme/api/actions/runners/generate-jitconfig", `token ${expired}`, jitBody)).status).toBe(401);
    expect((await call("POST", "/repos/acme/api/actions/runners/generate-jitconfig", "token ghs_madeup", jitBody)).status).toBe(401);
    expect((await call("POST", "/repos/acme/api/actions/runners/generate-jitconfig", undefined, jitBody)).status).toBe(401);
  });

  it("answers the installation of a repository and of an organisation to the App's JWT only", async () => {
    github = await startGitHub({ installations: [{ id: 5, account: "acme", repositories: ["api"] }] });
    const repo = await call("GET", "/repos/acme/api/installation", `Bearer ${validJwt()}`);
    expect(repo.status).toBe(200);
    expect(await repo.json()).toMatchObject({ id: 5, account: { login: "acme" }, app_id: 1, repository_selection: "selected" });
    expect((await call("GET", "/repos/acme/web/installation", `Bearer ${validJwt()}`)).status).toBe(404);
    expect((await call("GET", "/orgs/acme/installation", `Bearer ${validJwt()}`)).status).toBe(200);
    expect((await call("GET", "/repos/acme/api/installation", "token ghs_x")).status).toBe(401);
  });
});

describe("the local GitHub's runner endpoints", () => {
  it.each([
    ["no labels", { ...jitBody, labels: [] }, "fewer items than the minimum 1"],
    ["101 labels", { ...jitBody, labels: Array.from({ length: 101 }, (_, i) => `l${i}`) }, "more items than the maximum 100"],
    ["an empty label", { ...jitBody, labels: ["ok", ""] }, "non-empty strings"],
    ["no runner group", { name: "runner-1", labels: ["a"] }, "missing required key: runner_group_id"],
    ["no name", { runner_group_id: 1, labels: ["a"] }, "missing required key: name"],
  ])("refuses a generate-jitconfig body with %s: 422", async (_case, body, message) => {
    github = await startGitHub();
    const response = await call("POST", "/repos/acme/api/actions/runners/generate-jitconfig", `token ${await installationToken()}`, body);
    expect(response.status).toBe(422);
    expect(((await response.json()) as { message: string }).message).toContain(message);
    expect(github.fake.state.runners()).toEqual([]);
  });

  it("answers 400 to a body that is not JSON", async () => {
    github = await startGitHub();
    expect((await call("POST", "/repos/acme/api/actions/runners/generate-jitconfig", `token ${await installationToken()}`, "{nope")).status).toBe(400);
  });

  it("answers GitHub's runner shape and a configuration the fake reads back", async () => {
    github = await startGitHub();
    const response = await call("POST", "/repos/acme/api/actions/runners/generate-jitconfig", `token ${await installationToken()}`, jitBody);
    expect(response.status).toBe(201);
    expect(response.headers.get("x-ratelimit-resource")).toBe("actions_runner_registration");
    expect(response.headers.get("x-ratelimit-limit")).toBe("10000");
    const body = (await response.json()) as { runner: unknown; encoded_jit_config: string };
    expect(body.runner).toEqual({
      id: expect.any(Number),
      name: "runner-1",
      os: "unknown",
      status: "offline",
      busy: false,
      ephemeral: true,
      runner_group_id: 1,
      labels: [{ id: expect.any(Number), name: "runway-dev", type: "custom" }],
    });
    expect(github.fake.state.decodeJitConfig(body.encoded_jit_config)).toMatchObject({ runnerName: "runner-1", labels: ["runway-dev"], workFolder: "_work" });
    expect(() => github!.fake.state.decodeJitConfig("bm90IG91cnM=")).toThrow("not a JIT runner configuration issued by the local GitHub fake");
  });

  it("pages the runner list with a link header and filters it by name", async () => {
    github = await startGitHub();
    const token = await installationToken();
    for (const name of ["a", "b", "c"]) await call("POST", "/repos/acme/api/actions/runners/generate-jitconfig", `token ${token}`, { ...jitBody, name });
    const first = await call("GET", "/repos/acme/api/actions/runners?per_page=2", `token ${token}`);
    expect(await first.json()).toMatchObject({ total_count: 3, runners: [{ name: "a" }, { name: "b" }] });
    expect(first.headers.get("link")).toBe(
      `<${github.apiUrl}/repos/acme/api/actions/runners?per_page=2&page=2>; rel="next", <${github.apiUrl}/repos/acme/api/actions/runners?per_page=2&page=2>; rel="last"`,
    );
    const second = await call("GET", "/repos/acme/api/actions/runners?per_page=2&page=2", `token ${token}`);
    expect(await second.json()).toMatchObject({ total_count: 3, runners: [{ name: "c" }] });
    const named = await call("GET", "/repos/acme/api/actions/runners?name=B", `token ${token}`);
    expect(await named.json()).toMatchObject({ total_count: 1, runners: [{ name: "b" }] });
    expect(github.fake.state.calls.filter((c) => c.route === "list-runners").map((c) => c.query)).toEqual(["per_page=2", "per_page=2&page=2", "name=B"]);
  });

  it("redirects job logs to a download it serves, and refuses jobs it has no logs for", async () => {
    github = await startGitHub();
    github.fake.state.seedJobLogs({ owner: "acme", repo: "api", jobId: 2832853555 }, "##[group]Run tests\nFAIL src/app.test.ts\n");
    const token = await installationToken();
    const redirect = await call("GET", "/repos/acme/api/actions/jobs/2832853555/logs", `token ${token}`);
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get("location")!;
    expect(location.startsWith(`${github.apiUrl}/_fake/job-logs/`)).toBe(true);
    const download = await fetch(location);
    expect(download.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await download.text()).toBe("##[group]Run tests\nFAIL src/app.test.ts\n");
    expect((await call("GET", "/repos/acme/api/actions/jobs/1/logs", `token ${token}`)).status).toBe(404);
  });

  it("needs the Actions permission for job logs", async () => {
    github = await startGitHub({ installations: [{ id: 42, account: "*", permissions: { administration: "write" } }] });
    github.fake.state.seedJobLogs({ owner: "acme", repo: "api", jobId: 1 }, "log");
    const response = await call("GET", "/repos/acme/api/actions/jobs/1/logs", `token ${await installationToken()}`);
    expect(response.status).toBe(403);
    expect(response.headers.get("x-accepted-github-permissions")).toBe("actions=read");
  });

  it("answers GitHub's 404 for anything else under its path, and leaves other paths alone", async () => {
    github = await startGitHub();
    const response = await call("GET", "/repos/acme/api/pulls");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ message: "Not Found" });
    expect((await fetch(github.apiUrl.replace(/\/github\/api$/, "/elsewhere"))).status).toBe(404);
    expect(github.fake.state.calls.map((c) => c.path)).toEqual(["/repos/acme/api/pulls"]);
  });
});

describe("the local GitHub's injected failures", () => {
  it("fire for the named operation, as many times as asked, with GitHub's shapes", async () => {
    github = await startGitHub();
    const token = await installationToken();
    github.fake.failures.add({ route: "generate-jitconfig", status: 403, retryAfter: 30, times: 2 });
    const limited = await call("POST", "/repos/acme/api/actions/runners/generate-jitconfig", `token ${token}`, jitBody);
    expect(limited.status).toBe(403);
    expect(limited.headers.get("retry-after")).toBe("30");
    expect(((await limited.json()) as { message: string }).message).toContain("You have exceeded a secondary rate limit");
    // Another operation is not affected.
    expect((await call("GET", "/repos/acme/api/actions/runners", `token ${token}`)).status).toBe(200);
    expect((await call("POST", "/repos/acme/api/actions/runners/generate-jitconfig", `token ${token}`, jitBody)).status).toBe(403);
    expect((await call("POST", "/repos/acme/api/actions/runners/generate-jitconfig", `token ${token}`, jitBody)).status).toBe(201);
    expect(github.fake.failures.pending()).toEqual([]);

    github.fake.failures.add({ route: "*", status: 429, retryAfter: 5 });
    const exhausted = await call("GET", "/repos/acme/api/actions/runners", `token ${token}`);
    expect(exhausted.status).toBe(429);
    expect(exhausted.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(exhausted.headers.get("x-ratelimit-reset"))).toBeGreaterThanOrEqual(now() + 4);
  });
});
