import { mkdirSync, copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { routeCommand } from "../../../lib/cli/commands/route.ts";
import type { WorkflowsReport } from "../../../lib/cli/commands/route-workflows.ts";
import { SAMPLE_CONFIG_FILE } from "../../support/config.ts";
import { FIXTURE_WORKFLOWS, runCommand, tempDir } from "./run.ts";

const routeWorkflows = (argv: string[], options?: Parameters<typeof runCommand>[2]) =>
  runCommand(routeCommand.run, ["--workflows", FIXTURE_WORKFLOWS, "--config", SAMPLE_CONFIG_FILE, ...argv], options);

function jobsOf(report: WorkflowsReport, file: string) {
  const workflow = report.workflows.find((w) => w.path.endsWith(file));
  if (!workflow) throw new Error(`no report for ${file}`);
  return workflow;
}

describe("runway route --workflows", () => {
  it("says, per workflow and job, which environment runs it and why (text)", async () => {
    const result = await routeWorkflows(["--repo", "acme/web", "--branch", "main"]);

    // broken.yml is reported and the other files are still processed: exit 1.
    expect(result.code).toBe(1);
    const out = result.stdout;
    expect(out).toContain("no stage, every environment served; repository acme/web, branch main");
    expect(out).toContain(`test/fixtures/workflows/dev-deploy.yml: workflow "action-payments-dev-deploy"`);
    expect(out).toContain(`  job deploy "Deploy to dev" (line 7), runs-on: self-hosted, runway-dev, runway-run-\${{ github.run_id }}-\${{ github.run_attempt }}\n    → dev: workflow "action-payments-dev-deploy" matched dev`);
    expect(out).toContain("  job notify (line 13), runs-on: ubuntu-latest\n    → GitHub-hosted (ubuntu-latest): GitHub runs it, not Runway");
    expect(out).toContain(`test/fixtures/workflows/ci.yaml: workflow "CI"`);
    expect(out).toContain("    → GitHub-hosted (windows-latest)");
    expect(out).toContain(`test/fixtures/workflows/unnamed.yml: workflow ".github/workflows/unnamed.yml" (no name:, so GitHub uses the file's path)`);
    expect(out).toContain(`    → ignored: no environment's workflow filter matched ".github/workflows/unnamed.yml"`);
    expect(out).toContain("    → unresolved: runs-on is ${{ matrix.os }}, an expression only a run can resolve");
    expect(out).toContain("  job deploy (line 14), runs-on: group runway-stg, labels self-hosted, runway-stg, runway-run-${{ github.run_id }}-${{ github.run_attempt }}\n    → stg: ");
    expect(out).toContain("    → skipped: calls the reusable workflow ./.github/workflows/smoke.yml");
    expect(out).toMatch(/^test\/fixtures\/workflows\/broken\.yml:6:5 not valid YAML: /m);
    expect(out.trimEnd().split("\n").at(-1)).toBe(
      "4 workflows, 8 jobs: 2 routed (1 to dev, 1 to stg), 1 ignored, 3 GitHub-hosted, 1 unresolved, 1 skipped; 1 file could not be read",
    );
  });

  it("with --json, prints the report as JSON and the broken file's location on stderr", async () => {
    const result = await routeWorkflows(["--repo", "acme/web", "--branch", "main", "--json"]);

    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as WorkflowsReport;
    expect(report.context).toEqual({ repo: "acme/web", branch: "main" });
    expect(report.workflows.map((w) => w.name)).toEqual(["CI", "action-payments-dev-deploy", "action-web-stg-deploy", ".github/workflows/unnamed.yml"]);
    expect(jobsOf(report, "dev-deploy.yml").jobs.map((j) => [j.id, j.name, j.verdict, "environment" in j ? j.environment : null])).toEqual([
      ["deploy", "Deploy to dev", "routed", "dev"],
      ["notify", "notify", "github-hosted", null],
    ]);
    expect(jobsOf(report, "stg-deploy.yml").jobs).toMatchObject([
      { id: "build", verdict: "unresolved", expression: "${{ matrix.os }}" },
      { id: "deploy", verdict: "routed", environment: "stg", group: "runway-stg", labels: ["self-hosted", "runway-stg", "runway-run-${{ github.run_id }}-${{ github.run_attempt }}"] },
      { id: "smoke", verdict: "skipped" },
    ]);
    // The routed job carries route()'s own decision, trace included.
    const deploy = jobsOf(report, "dev-deploy.yml").jobs[0]!;
    expect("decision" in deploy && deploy.decision.trace.length).toBe(3);
    expect(report.errors).toEqual([{ path: "test/fixtures/workflows/broken.yml", line: 6, column: 5, message: expect.stringMatching(/^not valid YAML/) }]);
    expect(result.stderr).toMatch(/^test\/fixtures\/workflows\/broken\.yml:6:5 not valid YAML/);
  });

  it("without --branch, says which environment a branch filter kept from taking a job", async () => {
    const result = await routeWorkflows(["--json"]);
    const deploy = jobsOf(JSON.parse(result.stdout) as WorkflowsReport, "stg-deploy.yml").jobs[1]!;

    expect(deploy.verdict).toBe("ignored");
    expect(deploy.reason).toBe(
      `workflow "action-web-stg-deploy" matched no environment's filters (nearest: stg group 1, where HEAD_BRANCH (missing) !~ ^(main|release\\/.+)$); stg could take it: its group 1 needs HEAD_BRANCH, which the files do not say (give --branch)`,
    );
  });

  it("with --stage dev, a stg deploy is not this stage's", async () => {
    const result = await routeWorkflows(["--branch", "main", "--stage", "dev", "--json"]);
    const report = JSON.parse(result.stdout) as WorkflowsReport;

    expect(report.stage).toBe("dev");
    expect(jobsOf(report, "stg-deploy.yml").jobs[1]).toMatchObject({
      verdict: "ignored",
      reason: `workflow "action-web-stg-deploy" matched stg, which this stage does not serve`,
    });
  });

  describe("given a repository root", () => {
    let temp: ReturnType<typeof tempDir>;
    beforeEach(() => {
      temp = tempDir();
    });
    afterEach(() => temp.remove());

    it("reads its .github/workflows folder and exits 0 when every file parses", async () => {
      const folder = join(temp.dir, ".github", "workflows");
      mkdirSync(folder, { recursive: true });
      copyFileSync(join(FIXTURE_WORKFLOWS, "dev-deploy.yml"), join(folder, "deploy.yml"));

      const result = await runCommand(routeCommand.run, ["--workflows", ".", "--config", SAMPLE_CONFIG_FILE], { cwd: temp.dir });

      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`.github/workflows/deploy.yml: workflow "action-payments-dev-deploy"`);
      expect(result.stdout).toContain("1 workflow, 2 jobs: 1 routed (1 to dev), 0 ignored, 1 GitHub-hosted, 0 unresolved");
    });
  });

  it.each([
    { argv: ["--workflows", "no/such/dir"], says: "no/such/dir: not a directory" },
    { argv: ["--workflows", "test/fixtures/workflows", "--repo", "payments"], says: "--repo payments: expected owner/name" },
  ])("exits 2 on bad usage: $argv", async ({ argv, says }) => {
    const result = await runCommand(routeCommand.run, [...argv, "--config", SAMPLE_CONFIG_FILE]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(says);
  });
});

describe("runway route --workflows, launches the launcher would refuse", () => {
  it("calls a job refused when it asks for an override its environment does not allow, as the launcher would", async () => {
    const { dir, remove } = tempDir();
    writeFileSync(
      join(dir, "stg-arm.yml"),
      `name: action-web-stg-deploy
on: push
jobs:
  arm:
    runs-on: [self-hosted, runway-stg, "runway-run-\${{ github.run_id }}-\${{ github.run_attempt }}", "image:arm-3.0"]
    steps: [{ run: make }]
  plain:
    runs-on: [self-hosted, runway-stg, "runway-run-\${{ github.run_id }}-\${{ github.run_attempt }}"]
    steps: [{ run: make }]
`,
    );
    const result = await runCommand(routeCommand.run, ["--workflows", dir, "--config", SAMPLE_CONFIG_FILE, "--branch", "main", "--json"]);
    const report = JSON.parse(result.stdout) as WorkflowsReport;
    const [arm, plain] = report.workflows[0]!.jobs;
    expect(arm).toMatchObject({ verdict: "refused", environment: "stg", reason: expect.stringContaining('stg would refuse it: the job asks for "image:arm-3.0" but this environment does not allow image overrides') });
    expect(plain).toMatchObject({ verdict: "routed", environment: "stg" });
    remove();
  });
});
