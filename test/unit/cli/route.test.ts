import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { routeCommand } from "../../../lib/cli/commands/route.ts";
import type { RouteDecision } from "../../../lib/routing/decision.ts";
import { SAMPLE_CONFIG_FILE } from "../../support/config.ts";
import { workflowJob, type JobOptions } from "../../support/payloads.ts";
import { runCommand, tempDir } from "./run.ts";

let temp: ReturnType<typeof tempDir>;
beforeEach(() => {
  temp = tempDir();
});
afterEach(() => temp.remove());

function payloadFile(job: JobOptions, name = "payload.json"): string {
  const file = join(temp.dir, name);
  writeFileSync(file, JSON.stringify(workflowJob(job)));
  return file;
}

const route = (argv: string[], options?: Parameters<typeof runCommand>[2]) =>
  runCommand(routeCommand.run, [...argv, "--config", SAMPLE_CONFIG_FILE], options);

describe("runway route <payload>", () => {
  it("routes a dev deploy to dev: the decision as JSON on stdout, the reasoning on stderr, exit 0", async () => {
    const result = await route([payloadFile({ workflowName: "action-payments-dev-deploy", headBranch: "feature/x" })]);

    expect(result.code).toBe(0);
    const decision = JSON.parse(result.stdout) as RouteDecision;
    expect(decision).toMatchObject({ outcome: "routed", environment: "dev", codebuild: { project: "runway-runner-dev" } });
    expect(decision.trace.map((t) => t.environment)).toEqual(["dev", "stg", "prd"]);

    const lines = result.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe(`Job "deploy" of workflow "action-payments-dev-deploy" (acme/payments, branch feature/x), runs-on: self-hosted, runway-dev, runway-run-940463255-1`);
    expect(lines).toContain("dev: served; takes the job");
    expect(lines).toContain(`    ✓ WORKFLOW_NAME "action-payments-dev-deploy" ~ ^(action.*dev-deploy)$`);
    expect(lines).toContain("stg: served; no filter group matched");
    expect(lines).toContain(`    ✗ HEAD_BRANCH "feature/x" !~ ^(main|release\\/.+)$`);
    expect(lines).toContain(`    ✓ ACTOR "octocat" avoids excluded ^dependabot\\[bot\\]$`);
    expect(lines).toContain("  labels: needs self-hosted, runway-dev, the run label; all present");
    expect(lines.at(-1)).toBe(`Routed to dev: ${decision.reason}`);
  });

  it("ignores deploy-web and says no environment's filter matched, exit 1 (payload from stdin)", async () => {
    const result = await route(["-"], { stdin: JSON.stringify(workflowJob({ workflowName: "deploy-web" })) });

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: "ignored", reason: `no environment's workflow filter matched "deploy-web"` });
    expect(result.stderr).toContain(`    ✗ WORKFLOW_NAME "deploy-web" !~ ^(action.*dev-deploy)$`);
    expect(result.stderr.trimEnd().split("\n").at(-1)).toBe(`Ignored: no environment's workflow filter matched "deploy-web"`);
  });

  it("explains a delivery without workflow_name (older GitHub Enterprise Server)", async () => {
    const result = await route([payloadFile({ workflowName: null })]);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).reason).toMatch(/^the delivery has no workflow_name \(GitHub Enterprise Server before 3\.7 .*: dev group 1, stg group 1, prd group 1 need the workflow's name; filters that still work/);
    expect(result.stderr).toContain(`of workflow (no workflow_name in the delivery)`);
    expect(result.stderr).toContain(`    ✗ WORKFLOW_NAME (missing) !~ ^(action.*dev-deploy)$`);
  });

  it("says which labels a matching job lacks", async () => {
    const result = await route([payloadFile({ labels: ["self-hosted"] })]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("dev: served; a filter group matched, but the job's runs-on lacks runway-dev, runway-run-${{ github.run_id }}-${{ github.run_attempt }}");
    expect(result.stderr).toContain("  labels: needs self-hosted, runway-dev, the run label; missing runway-dev, runway-run-${{ github.run_id }}-${{ github.run_attempt }}");
  });

  it("with --stage prd, a dev deploy is ignored because the stage does not serve dev", async () => {
    const result = await route([payloadFile({ workflowName: "action-payments-dev-deploy" }), "--stage", "prd"]);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: "ignored", reason: `workflow "action-payments-dev-deploy" matched dev, which this stage does not serve` });
    expect(result.stderr).toContain("Stage prd serves prd");
    expect(result.stderr).toContain("dev: not served by this stage; would take the job");
  });

  it("takes the stage from RUNWAY_STAGE when --stage is not given", async () => {
    const result = await route([payloadFile({})], { env: { RUNWAY_STAGE: "stg" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Stage stg serves stg");
  });

  it("reports a stage the file does not list as a configuration problem, exit 2", async () => {
    const result = await route([payloadFile({}), "--stage", "qa"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/runway\.yml:0:0 stages\.qa: RUNWAY_STAGE is "qa" but stages lists only dev, stg, prd/);
  });

  it.each([["--json"], ["--explain=false"], ["--no-explain"]])("%s prints only JSON", async (flag) => {
    const result = await route([payloadFile({}), flag]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).outcome).toBe("routed");
    expect(result.stderr).toBe("");
  });

  it("reads runway.yml from the working directory when no --config is given", async () => {
    const result = await runCommand(routeCommand.run, [payloadFile({})]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).environment).toBe("dev");
  });

  it("exits 2 with every configuration problem, one per line, when the configuration does not load", async () => {
    const config = join(temp.dir, "runway.yml");
    writeFileSync(config, "environments:\n  dev:\n    workflows: []\n    codebuild: { project: x1 }\n    colour: blue\n");
    const result = await runCommand(routeCommand.run, [payloadFile({}), "--config", config], { cwd: temp.dir });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^runway\.yml:3:\d+ environments\.dev\.workflows: /m);
    expect(result.stderr).toMatch(/^runway\.yml:5:\d+ environments\.dev: unknown field colour/m);
  });

  it.each([
    { argv: [], says: "give a workflow_job payload file" },
    { argv: ["missing.json"], says: "missing.json: file not found" },
    { argv: ["a.json", "b.json"], says: "one payload at a time" },
    { argv: ["p.json", "--repo", "acme/web"], says: "--repo goes with --workflows" },
    { argv: ["p.json", "--workflows", "."], says: "not both" },
    { argv: ["--colour"], says: "Unknown option '--colour'" },
  ])("exits 2 on bad usage: $argv", async ({ argv, says }) => {
    const result = await route(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(says);
    expect(result.stderr).toContain("Run `runway help route` for usage.");
  });

  it("reads a form-encoded payload= body as the webhook does, and routes it the same as its JSON", async () => {
    const body = JSON.stringify(workflowJob({ workflowName: "action-payments-dev-deploy", headBranch: "feature/x" }));
    const form = join(temp.dir, "delivery.form");
    writeFileSync(form, `payload=${encodeURIComponent(body)}`);

    const fromForm = await route([form, "--json"]);
    const fromJson = await route(["-", "--json"], { stdin: body });

    expect(fromForm.code).toBe(0);
    expect(JSON.parse(fromForm.stdout)).toMatchObject({ outcome: "routed", environment: "dev" });
    expect(fromForm.stdout).toBe(fromJson.stdout);
  });

  it("exits 2 on a payload that is not JSON, or not a workflow_job body", async () => {
    const notJson = await route(["-"], { stdin: "{ action: queued" });
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain("stdin: the body is not valid JSON");

    const formWithoutPayload = await route(["-"], { stdin: "action=queued" });
    expect(formWithoutPayload.code).toBe(2);
    expect(formWithoutPayload.stderr).toContain("stdin: a form-encoded delivery must carry its JSON in payload=");

    const ping = await route(["-"], { stdin: JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 }) });
    expect(ping.code).toBe(2);
    expect(ping.stderr).toContain(`stdin is not a workflow_job delivery body: it has no "workflow_job" object`);
  });

  it("prints its usage with --help", async () => {
    const result = await route(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("runway route <payload.json | -> [--config FILE]");
    expect(result.stdout).toContain("1  the payload is ignored");
  });
});
