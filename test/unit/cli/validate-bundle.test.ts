/**
 * The single-file build of `runway validate`, run as an instance runs it: `node runway-validate.mjs`
 * in a directory with no node_modules anywhere above it, in a child process whose environment is
 * only what the CodeDeploy agent sets (and, for the AWS check, the SDK's usual variables).
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { bundleValidateCli, VALIDATE_CLI_FILE } from "../../../lib/build/bundle.ts";
import { startAwsEmulator, type AwsEmulator } from "../../../lib/local/aws-emulator/server.ts";
import { createCloudWatchEmulation } from "../../../lib/local/aws-emulator/services/cloudwatch.ts";
import { json, startGreen, type Green } from "../deploy/support.ts";
import { tempDir } from "./run.ts";

const AGENT = { APPLICATION_NAME: "shop", DEPLOYMENT_GROUP_NAME: "shop-prd", LIFECYCLE_EVENT: "ValidateService", DEPLOYMENT_ID: "d-EC2BUNDLE" };
const ENVIRONMENTS = { dev: { workflows: [[{ type: "WORKFLOW_NAME", pattern: "^deploy$" }]], codebuild: { project: "runner-dev" }, labels: ["runway-dev"] } };

let build: ReturnType<typeof tempDir>;
let instance: ReturnType<typeof tempDir>;
let bundle: Awaited<ReturnType<typeof bundleValidateCli>>;
let service: Green;
let aws: AwsEmulator;
const cloudwatch = createCloudWatchEmulation();

beforeAll(async () => {
  build = tempDir();
  instance = tempDir();
  bundle = await bundleValidateCli(build.dir);
  mkdirSync(join(instance.dir, "scripts"));
  copyFileSync(bundle.file, join(instance.dir, "scripts", VALIDATE_CLI_FILE));
  service = await startGreen((n, _req, res) => json(res, 200, { ok: true, n }));
  aws = await startAwsEmulator({ services: [cloudwatch] });
}, 60_000);
afterAll(async () => {
  await service?.close();
  await aws?.close();
  build?.remove();
  instance?.remove();
});

function writeConfig(checks: unknown[]): void {
  const deploy = { applications: { shop: { deploymentGroups: { "*": { hooks: { ValidateService: { checks } } } } } } };
  writeFileSync(join(instance.dir, "runway.yml"), stringify({ environments: ENVIRONMENTS, deploy }));
}

/** Runs the single file with `node` only: no node_modules, no NODE_PATH, no tsx — just the agent's variables. */
function runOnInstance(env: Record<string, string>, node = process.execPath): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      node,
      [join("scripts", VALIDATE_CLI_FILE), "--config", "runway.yml"],
      { cwd: instance.dir, env: { PATH: dirname(node), ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe("the single-file runway validate", () => {
  it("is one file that imports nothing but Node.js's own modules", () => {
    const [output] = Object.values(bundle.metafile.outputs);
    const imports = output!.imports.map((i) => i.path);
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    expect(imports.filter((path) => !builtins.has(path))).toEqual([]);
    expect(Object.keys(bundle.metafile.outputs).filter((path) => path.endsWith(".mjs"))).toHaveLength(1);
    expect(bundle.bytes).toBeLessThan(2 * 1024 * 1024);
    expect(existsSync(join(dirname(instance.dir), "node_modules"))).toBe(false);
  });

  it("passes a hook against a local service, with nothing but node", async () => {
    writeConfig([{ name: "health", type: "http", url: `${service.url}/health?deployment={deploymentId}`, count: 2, interval: "10ms" }]);
    const result = await runOnInstance(AGENT);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("runway validate: ValidateService of shop/shop-prd (d-EC2BUNDLE): 1 check: health");
    expect(result.stdout).toContain("Succeeded: ValidateService of shop/shop-prd (d-EC2BUNDLE) — all 1 check(s) passed");
  });

  it("fails a hook (exit 1) and refuses to run outside one (exit 2)", async () => {
    writeConfig([{ name: "health", type: "http", url: `${service.url}/health`, expect: { bodyContains: "never there" } }]);
    const failed = await runOnInstance(AGENT);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("body does not contain 'never there'");
    const outside = await runOnInstance({});
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain("APPLICATION_NAME, DEPLOYMENT_GROUP_NAME, LIFECYCLE_EVENT, DEPLOYMENT_ID are not set");
  });

  it("runs a cloudwatch check through the SDK's default credential chain (here: environment variables)", async () => {
    const thisMinute = Math.floor(Date.now() / 60_000) * 60_000;
    cloudwatch.putMetric({ namespace: "Shop", name: "Errors", dimensions: { Group: "shop-prd" } }, [{ at: thisMinute + 1_000, value: 0 }]);
    writeConfig([
      { name: "errors", type: "cloudwatch", metric: { namespace: "Shop", name: "Errors", stat: "Sum", dimensions: { Group: "{deploymentGroupName}" } }, successCondition: "max(result) < 1" },
    ]);
    const sdk = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL_CLOUDWATCH: aws.url };
    const result = await runOnInstance({ ...AGENT, ...sdk });
    expect(result.stdout).toContain('errors 1/1: ok Sum of Shop Errors {Group={deploymentGroupName}} per 60s over 5m: 1 datapoint, max(result) 0 — successCondition "max(result) < 1" holds');
    expect(result.code).toBe(0);
  });

  // The build targets Node.js 20.3+; where an older system node is installed (as on many instances), run with it too.
  const systemNode = ["/usr/bin/node", "/usr/local/bin/node"].find((path) => existsSync(path) && path !== process.execPath);
  it.runIf(systemNode)(`runs on the system's Node.js too (${systemNode})`, async () => {
    writeConfig([{ name: "health", type: "http", url: `${service.url}/health` }]);
    const result = await runOnInstance(AGENT, systemNode);
    expect(result).toMatchObject({ code: 0, stderr: "" });
  });
});
