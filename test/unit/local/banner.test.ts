/**
 * `npm start`'s banner: the local default secret is shown (it is public), a secret of one's own is
 * named by where it came from and never printed. The last test runs `npm start`'s own file.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { banner, secretLine } from "../../../lib/local/banner.ts";
import { LOCAL_WEBHOOK_SECRET } from "../../../lib/local/defaults.ts";
import { REPO_ROOT } from "../cli/run.ts";

const OWN_SECRET = "own-webhook-secret-7c1e0f";
const stack = {
  url: "http://127.0.0.1:3000",
  webhookUrl: "http://127.0.0.1:3000/github/webhook",
  webhookSecret: OWN_SECRET,
  aws: { url: "http://127.0.0.1:4566" },
  dynamo: { endpoint: "http://127.0.0.1:4567" },
  s3: { endpoint: "http://127.0.0.1:4568" },
  githubApiUrl: "http://127.0.0.1:3000/github/api",
};

describe("npm start's banner", () => {
  it("shows the local default, which is no secret", () => {
    expect(secretLine(LOCAL_WEBHOOK_SECRET, {})).toBe(`${LOCAL_WEBHOOK_SECRET} (the local default; set GITHUB_WEBHOOK_SECRET to change it)`);
  });

  it("names GITHUB_WEBHOOK_SECRET and never prints its value", () => {
    const text = banner(stack, { GITHUB_WEBHOOK_SECRET: OWN_SECRET });
    expect(text).toContain("  secret    from GITHUB_WEBHOOK_SECRET (not shown; runway deliver signs with it)");
    expect(text).not.toContain(OWN_SECRET);
    expect(text).toContain("POST http://127.0.0.1:3000/github/webhook");
  });

  it("points at the API the functions use: the local GitHub, or a local Enterprise Server's /api/v3", () => {
    expect(banner(stack, {})).toContain("GitHub http://127.0.0.1:3000/github/api");
    expect(banner({ ...stack, githubApiUrl: "http://127.0.0.2:3101/api/v3" }, {})).toContain("GitHub http://127.0.0.2:3101/api/v3");
  });

  it("does not print a secret handed to the stack some other way either", () => {
    expect(banner(stack, {})).not.toContain(OWN_SECRET);
    expect(secretLine(OWN_SECRET, {})).toMatch(/^given to the local stack \(not shown/);
  });

  it("is what `npm start` prints, without the secret from GITHUB_WEBHOOK_SECRET", async () => {
    const node = join(REPO_ROOT, "node_modules", ".bin", "node");
    const child = spawn(node, ["lib/local/main.ts"], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: "0", GITHUB_WEBHOOK_SECRET: OWN_SECRET, FORCE_COLOR: "0", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    try {
      await expect.poll(() => out, { timeout: 15_000, interval: 100 }).toContain("From another terminal:");
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    expect(out).toMatch(/secret {4}from GITHUB_WEBHOOK_SECRET \(not shown/);
    expect(out).not.toContain(OWN_SECRET);
  });
});
