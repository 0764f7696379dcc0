import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runValidate, scriptDeployment, validateCommand } from "../../../lib/cli/commands/validate.ts";
import { runCli } from "../../../lib/cli/main.ts";
import { json, startGreen, type Green } from "../deploy/support.ts";
import { runCommand, tempDir } from "./run.ts";

const ENVIRONMENTS = {
  dev: { workflows: [[{ type: "WORKFLOW_NAME", pattern: "^deploy$" }]], codebuild: { project: "runner-dev" }, labels: ["runway-dev"] },
};

/** What the CodeDeploy agent sets for a ValidateService script of shop/shop-prd. */
const AGENT = { APPLICATION_NAME: "shop", DEPLOYMENT_GROUP_NAME: "shop-prd", LIFECYCLE_EVENT: "ValidateService", DEPLOYMENT_ID: "d-EC2TEST01", DEPLOYMENT_GROUP_ID: "8b0f4e1c" };

let temp: ReturnType<typeof tempDir>;
let service: Green | undefined;
beforeEach(() => {
  temp = tempDir();
});
afterEach(async () => {
  await service?.close();
  service = undefined;
  temp.remove();
});

/** Writes runway.yml with these hooks for shop's "*" group. */
function writeConfig(hooks: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const file = join(temp.dir, "runway.yml");
  writeFileSync(file, stringify({ environments: ENVIRONMENTS, deploy: { applications: { shop: { deploymentGroups: { "*": { hooks } } } }, ...extra } }));
  return file;
}

const validate = (argv: string[] = ["--config", "runway.yml"], env: Record<string, string | undefined> = AGENT) => runCommand(validateCommand.run, argv, { cwd: temp.dir, env });

/** A local service answering /health as `health(n)` says, n counting from 1. */
async function startService(health: (n: number) => number) {
  service = await startGreen((n, req, res) => json(res, health(n), { ok: health(n) < 400, path: req.url }));
  return service;
}

describe("runway validate", () => {
  it("passes the hook against a real local service, printing each measurement and the evidence", async () => {
    const svc = await startService(() => 200);
    writeConfig({ ValidateService: { checks: [{ name: "health", type: "http", url: `${svc.url}/health?d={deploymentId}&h={hook}`, expect: { bodyContains: '"ok":true' }, count: 3, interval: "10ms" }] } });
    const result = await validate();
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("runway validate: ValidateService of shop/shop-prd (d-EC2TEST01): 1 check: health");
    expect(lines.slice(1, 4)).toEqual([1, 2, 3].map((n) => expect.stringMatching(new RegExp(`^  health ${n}/3: ok GET http://127\\.0\\.0\\.1:\\d+/health → 200 in \\d+ ms$`))));
    expect(lines[4]).toBe("Succeeded: ValidateService of shop/shop-prd (d-EC2TEST01) — all 1 check(s) passed");
    expect(lines[5]).toMatch(/^ {2}PASS health \[http\] \(3\/3 measured, 0 failed, failureLimit 0\): ok GET/);
    expect(svc.requests).toBe(3);
  });

  it("fails the hook (exit 1) when the service does not answer as expected, with the evidence", async () => {
    const svc = await startService((n) => (n === 1 ? 200 : 503));
    writeConfig({ ValidateService: { checks: [{ name: "health", type: "http", url: `${svc.url}/health`, count: 3, interval: "10ms" }] } });
    const result = await validate();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("  health 2/3: FAILED GET");
    expect(result.stdout).toMatch(/Failed: ValidateService of shop\/shop-prd \(d-EC2TEST01\) — check health failed: 1 of 2 measurements failed, more than failureLimit 0; last: GET http:\/\/127\.0\.0\.1:\d+\/health → 503 in \d+ ms: status 503, expected 2xx/);
  });

  it("fails the hook when nothing listens (connection refused)", async () => {
    writeConfig({ ValidateService: { checks: [{ type: "http", url: "http://127.0.0.1:9/health" }] } });
    const result = await validate();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("FAILED error:");
  });

  it("passes with a failing dry run, saying it did not decide", async () => {
    const svc = await startService(() => 200);
    writeConfig({
      ValidateService: {
        checks: [
          { name: "health", type: "http", url: `${svc.url}/health` },
          { name: "strict", type: "http", url: `${svc.url}/health`, expect: { status: 204 }, dryRun: true },
        ],
      },
    });
    const result = await validate();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("2 checks: health, strict (dry run)");
    expect(result.stdout).toContain("  strict (dry run) 1/1: FAILED GET");
    expect(result.stdout).toContain("all 1 check(s) passed; 1 dry run(s), not deciding");
    expect(result.stdout).toContain("FAIL strict [http, dry run: not deciding]");
  });

  it("passes a hook that declares checks: [] on purpose (exit 0)", async () => {
    writeConfig({ ValidateService: { checks: [] } });
    const result = await validate();
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain("Succeeded: ValidateService of shop/shop-prd (d-EC2TEST01) — no checks configured for this hook (checks: [])");
  });

  it("exits 2 when runway.yml declares nothing for the hook, the group or the application", async () => {
    writeConfig({ AfterInstall: { checks: [] } });
    const noHook = await validate();
    expect(noHook).toMatchObject({ code: 2, stdout: "" });
    expect(noHook.stderr).toContain("runway validate: no checks for ValidateService in shop/shop-prd: add deploy.applications.shop.deploymentGroups.*.hooks.ValidateService.checks");
    const noApp = await validate(undefined, { ...AGENT, APPLICATION_NAME: "shp" });
    expect(noApp).toMatchObject({ code: 2 });
    expect(noApp.stderr).toContain('no checks for CodeDeploy application "shp": add deploy.applications.shp (configured: shop)');
  });

  it("exits 2 when the agent's variables are missing, naming each", async () => {
    writeConfig({ ValidateService: { checks: [] } });
    const result = await validate(undefined, { APPLICATION_NAME: "shop", DEPLOYMENT_GROUP_NAME: "shop-prd" });
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toContain("runway validate: LIFECYCLE_EVENT, DEPLOYMENT_ID are not set: run this from an appspec hook script");
    expect(result.stderr).toContain("Run `runway validate --help` for usage.");
  });

  it("exits 2 for a lifecycle event that runs no scripts, bad usage, or a timeout that is not a duration", async () => {
    writeConfig({ ValidateService: { checks: [] } });
    expect((await validate(undefined, { ...AGENT, LIFECYCLE_EVENT: "DownloadBundle" })).stderr).toContain('LIFECYCLE_EVENT is "DownloadBundle", which runs no hook scripts');
    expect((await validate(["--config", "runway.yml", "extra"])).code).toBe(2);
    expect((await validate(["--bogus"])).code).toBe(2);
    expect((await validate(["--config", "runway.yml", "--timeout", "soon"])).stderr).toContain("--timeout soon: expected a duration such as 90s or 5m");
  });

  it("exits 2 for a configuration that does not load, with its file and line", async () => {
    writeConfig({ ValidateService: { checks: [{ type: "http", url: "http://x/", interval: "often" }] } });
    const result = await validate();
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^runway\.yml:\d+:\d+ deploy\.applications\.shop\.deploymentGroups\.\*\.hooks\.ValidateService\.checks\.0\.interval: "often" is not a duration/m);
    const missing = await validate(["--config", "missing.yml"]);
    expect(missing).toMatchObject({ code: 2, stdout: "" });
    expect(missing.stderr).toContain("missing.yml:0:0 (file): file not found");
  });

  it("stops at --timeout and fails with the evidence gathered so far", async () => {
    const svc = await startService(() => 200);
    writeConfig({ ValidateService: { checks: [{ name: "health", type: "http", url: `${svc.url}/health`, count: 100, interval: "50ms" }] } });
    const result = await validate(["--config", "runway.yml", "--timeout", "0.2"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/check health stopped: stopped after \d+ of 100 measurements: DeployError: --timeout 0\.2 reached before the checks finished/);
    expect(result.stdout).toContain("  health 1/100: ok GET");
  });

  it("stops when its signal aborts (SIGTERM from the agent) and still prints the evidence", async () => {
    const svc = await startService(() => 200);
    writeConfig({ ValidateService: { checks: [{ name: "health", type: "http", url: `${svc.url}/health`, count: 100, interval: "50ms" }] } });
    let stdout = "";
    const terminated = new AbortController();
    setTimeout(() => terminated.abort(new Error("stopped by SIGTERM")), 150);
    const code = await runValidate(
      { argv: ["--config", "runway.yml"], stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true }, stdin: (async function* () {})(), cwd: temp.dir, env: AGENT },
      { signal: terminated.signal },
    );
    expect(code).toBe(1);
    expect(stdout).toContain("STOP health [http]");
    expect(stdout).toContain("stopped by SIGTERM");
  });

  it("is a runway subcommand", async () => {
    writeConfig({ ValidateService: { checks: [] } });
    let stdout = "";
    const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true }, stdin: (async function* () {})(), cwd: temp.dir, env: AGENT };
    expect(await runCli({ ...io, argv: ["validate", "--config", "runway.yml"] })).toBe(0);
    expect(await runCli({ ...io, argv: ["help", "validate"] })).toBe(0);
    expect(stdout).toContain("Usage: runway validate [--config FILE] [--timeout DURATION]");
  });

  it("reads the deployment from the agent's variables", () => {
    expect(scriptDeployment(AGENT)).toEqual({ applicationName: "shop", deploymentGroupName: "shop-prd", deploymentId: "d-EC2TEST01", hook: "ValidateService" });
  });
});
