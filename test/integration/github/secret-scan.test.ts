/**
 * The App's installation tokens, its private key and JIT runner configurations are credentials:
 * none may reach a log line, the console or an error (message, stack, or the error inspected
 * whole, cause included), whatever path a call takes.
 */
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { deleteRunner, findRunnerByName, generateJitConfig } from "../../../lib/github/jit-config.ts";
import { githubClient } from "../../../lib/github/octokit.ts";
import { logger } from "../../../lib/observability/logger.ts";
import { rejection, startGitHub, type GitHubHarness } from "./harness.ts";

let github: GitHubHarness | undefined;
const written: string[] = [];

beforeEach(() => {
  const capture =
    (prefix: string) =>
    (...args: unknown[]) =>
      void written.push(`${prefix} ${args.map((a) => (typeof a === "string" ? a : `${JSON.stringify(a)} ${inspect(a, { depth: 10 })}`)).join(" ")}`);
  for (const level of ["debug", "info", "warn", "error", "critical"] as const) vi.spyOn(logger, level).mockImplementation(capture(`logger.${level}`));
  for (const level of ["debug", "info", "log", "warn", "error"] as const) vi.spyOn(console, level).mockImplementation(capture(`console.${level}`));
});

afterEach(async () => {
  vi.restoreAllMocks();
  written.length = 0;
  await github?.close();
  github = undefined;
});

/** Every token and JIT configuration the fake sent, and the parts of them that are secret. */
function secretsSent(harness: GitHubHarness): string[] {
  const secrets: string[] = [];
  for (const body of harness.sent) {
    let parsed: { token?: string; encoded_jit_config?: string };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      continue;
    }
    if (parsed.token) secrets.push(parsed.token, parsed.token.slice(4));
    if (parsed.encoded_jit_config) {
      secrets.push(parsed.encoded_jit_config);
      const files = JSON.parse(Buffer.from(parsed.encoded_jit_config, "base64").toString("utf8")) as Record<string, string>;
      secrets.push(files[".credentials_rsaparams"]!, (JSON.parse(Buffer.from(files[".credentials_rsaparams"]!, "base64").toString("utf8")) as { d: string }).d);
    }
  }
  return secrets;
}

function describeError(error: Error): string {
  return [error.message, error.stack, String(error), JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })].join("\n");
}

describe("secrets in logs and errors", () => {
  it("never shows a token, the private key or a JIT configuration", async () => {
    github = await startGitHub({ installations: [{ id: 77, account: "acme", repositories: ["api"] }] });
    const privateKey = process.env.GITHUB_APP_PRIVATE_KEY!;
    const octokit = await githubClient({ owner: "acme", repo: "api" });
    const target = { owner: "acme", repo: "api", runnerGroupId: 1, labels: ["runway-dev"] };

    const jit = await generateJitConfig(octokit, { ...target, name: "runner-1" });
    logger.info("runner registered", { jit }); // a careless log line

    github.fake.failures.add({ route: "generate-jitconfig", status: 403, retryAfter: 1 }); // logged retry
    github.fake.failures.add({ route: "generate-jitconfig", status: 500 });
    await generateJitConfig(octokit, { ...target, name: "runner-2" });

    const errors = [
      await rejection(() => generateJitConfig(octokit, { ...target, name: "runner-1" })), // 409
      await rejection(() => generateJitConfig(octokit, { ...target, owner: "acme", repo: "not-installed", name: "runner-3" })), // 404
      await rejection(() => generateJitConfig(octokit, { ...target, runnerGroupId: 99, name: "runner-4" })), // 404 group
      await rejection(async () => {
        github!.fake.failures.add({ route: "generate-jitconfig", status: 403, retryAfter: 600 });
        await generateJitConfig(octokit, { ...target, name: "runner-5" });
      }),
      await rejection(() => githubClient({ owner: "acme", repo: "other" })), // App not installed
    ];
    const runner = await findRunnerByName(octokit, { owner: "acme", repo: "api", name: "runner-1" });
    await deleteRunner(octokit, { owner: "acme", repo: "api", runnerId: runner!.id });

    const secrets = secretsSent(github);
    expect(secrets.filter((s) => s.startsWith("ghs_")).length).toBeGreaterThan(0);
    expect(secrets).toContain(jit.encodedJitConfig);
    const keyBody = privateKey.split("\n").filter((line) => line && !line.startsWith("-----"));
    secrets.push(privateKey, ...keyBody);

    const seen = [...written, ...errors.map(describeError)].join("\n");
    expect(written.some((line) => line.includes("secondary rate limit"))).toBe(true);
    expect(seen).toContain("runner-1"); // the scan reads what was logged and thrown
    for (const secret of secrets) expect(seen.includes(secret), `a secret (${secret.slice(0, 6)}…) leaked`).toBe(false);
  });
});
