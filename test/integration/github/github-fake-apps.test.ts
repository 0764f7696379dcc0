/**
 * The local GitHub with several Apps, over a real socket: each App is kept apart as GitHub keeps
 * it (its own key, its own installations, its own actions_runner_registration budget), and each
 * call records the App that made it. Every answer is held to GitHub's OpenAPI description.
 */
import { createSign } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { startGitHub, type GitHubHarness } from "./harness.ts";

let github: GitHubHarness | undefined;
afterEach(async () => {
  await github?.close();
  github = undefined;
});

const now = () => Math.floor(Date.now() / 1000);

/** A JWT signed with App `index`'s key (the fake generated it). */
function appJwt(index: number): string {
  const app = github!.fake.apps[index]!;
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ iat: now() - 30, exp: now() + 540, iss: app.id })}`;
  return `${input}.${createSign("RSA-SHA256").update(input).sign(app.privateKey!, "base64url")}`;
}

const call = (path: string, credential: string, init: RequestInit = {}) =>
  fetch(`${github!.apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${credential}`, "content-type": "application/json", ...init.headers } });

async function token(index: number, installationId: number): Promise<string> {
  const response = await call(`/app/installations/${installationId}/access_tokens`, appJwt(index), { method: "POST" });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

const jit = (credential: string, name: string) =>
  call("/repos/acme/payments/actions/runners/generate-jitconfig", credential, { method: "POST", body: JSON.stringify({ name, labels: ["runway-dev"], runner_group_id: 1 }) });

describe("the local GitHub with two Apps", () => {
  it("shows each App its own installation and refuses it another App's", async () => {
    github = await startGitHub({ apps: [{ id: 77 }] });

    const first = await call("/repos/acme/payments/installation", appJwt(0));
    const second = await call("/repos/acme/payments/installation", appJwt(1));
    expect(await first.json()).toMatchObject({ id: 42, app_id: 1, app_slug: "runway" });
    expect(await second.json()).toMatchObject({ id: 1042, app_id: 77, app_slug: "runway-77" });

    const stolen = await call("/app/installations/42/access_tokens", appJwt(1), { method: "POST" });
    expect(stolen.status).toBe(404);
    expect(github.fake.state.calls.map((c) => [c.route, c.status, c.app])).toEqual([
      ["installation", 200, "1"],
      ["installation", 200, "77"],
      ["access-tokens", 404, "77"],
    ]);
  });

  it("keeps a registration budget per App: counted down in x-ratelimit headers, then 403 until the window resets", async () => {
    github = await startGitHub({ apps: [{ id: 77, registrationsPerHour: 2 }] });
    const limited = await token(1, 1042);
    const other = await token(0, 42);

    const answers = [];
    for (const name of ["r-1", "r-2", "r-3"]) answers.push(await jit(limited, name));
    expect(answers.map((r) => [r.status, r.headers.get("x-ratelimit-remaining"), r.headers.get("x-ratelimit-resource")])).toEqual([
      [201, "1", "actions_runner_registration"],
      [201, "0", "actions_runner_registration"],
      [403, "0", "actions_runner_registration"],
    ]);
    const refused = answers[2]!;
    expect(await refused.json()).toMatchObject({ message: "API rate limit exceeded for installation ID 1042.", status: "403" });
    expect(Number(refused.headers.get("x-ratelimit-reset"))).toBeGreaterThan(now() + 3000);
    expect(github.fake.state.runners().map((r) => r.name)).toEqual(["r-1", "r-2"]); // the refused one registered nothing

    // The other App's budget is its own.
    const unaffected = await jit(other, "r-4");
    expect([unaffected.status, unaffected.headers.get("x-ratelimit-remaining")]).toEqual([201, "9999"]);
    expect(github.fake.state.calls.filter((c) => c.route === "generate-jitconfig").map((c) => [c.app, c.status])).toEqual([
      ["77", 201],
      ["77", 201],
      ["77", 403],
      ["1", 201],
    ]);
  });

  it("lets a test use an App's registrations up until a reset seconds away, and serves it again after", async () => {
    github = await startGitHub({ apps: [{ id: 77 }] });
    const credential = await token(1, 1042);
    github.fake.setRateLimit({ app: 77, remaining: 0, resetInSeconds: 1 });

    const refused = await jit(credential, "r-1");
    expect(refused.status).toBe(403);
    expect(Number(refused.headers.get("x-ratelimit-reset"))).toBeLessThanOrEqual(now() + 1);

    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const served = await jit(credential, "r-1");
    expect([served.status, served.headers.get("x-ratelimit-remaining")]).toEqual([201, "9999"]);
  });
});
