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
    expect(out).toContain("  job smoke (line 20), uses: ./.github/workflows/smoke.yml\n    → skipped: calls ./.github/workflows/smoke.yml, which is not in this folder");
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
      { id: "smoke", verdict: "skipped", uses: "./.github/workflows/smoke.yml" },
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

  describe("given a folder that holds no workflows", () => {
    let temp: ReturnType<typeof tempDir>;
    beforeEach(() => {
      temp = tempDir();
    });
    afterEach(() => temp.remove());

    it("exits 2 on an empty folder, saying there is nothing to route", async () => {
      const result = await runCommand(routeCommand.run, ["--workflows", temp.dir, "--config", SAMPLE_CONFIG_FILE]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${temp.dir}: no workflow files (*.yml, *.yaml) in it`);
    });

    it("refuses a repository root without .github/workflows rather than read its other YAML files as workflows", async () => {
      mkdirSync(join(temp.dir, ".git"));
      writeFileSync(join(temp.dir, "codecov.yml"), "coverage:\n  status:\n    project: off\n");
      writeFileSync(join(temp.dir, "docker-compose.yml"), "services:\n  web:\n    image: nginx\n");

      const result = await runCommand(routeCommand.run, ["--workflows", ".", "--config", SAMPLE_CONFIG_FILE], { cwd: temp.dir });

      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${temp.dir} is a repository root (it has .git) with no .github/workflows folder`);
      expect(result.stdout).not.toContain("codecov.yml");
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

/** Write workflow files into a fresh folder and route them with the sample configuration. */
async function routeFiles(files: Record<string, string>, argv: string[] = []) {
  const { dir, remove } = tempDir();
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const result = await runCommand(routeCommand.run, ["--workflows", dir, "--config", SAMPLE_CONFIG_FILE, "--branch", "main", ...argv]);
    return { ...result, report: argv.includes("--json") ? (JSON.parse(result.stdout) as WorkflowsReport) : undefined };
  } finally {
    remove();
  }
}

const RUN_LABEL = "runway-run-${{ github.run_id }}-${{ github.run_attempt }}";

describe("runway route --workflows, reusable workflows", () => {
  const caller = `name: action-web-dev-deploy
on: push
jobs:
  lint:
    name: Lint code
    uses: ./.github/workflows/lint.yml
    with:
      runner: runway-dev
  shared:
    uses: acme/shared/.github/workflows/deploy.yml@v1
`;
  const lint = `name: reusable-lint
on:
  workflow_call:
    inputs:
      runner: { type: string, default: runway-stg }
jobs:
  lint:
    name: Lint
    runs-on: [self-hosted, "\${{ inputs.runner }}", "${RUN_LABEL}"]
    steps: [{ run: make lint }]
`;

  it("routes a called workflow's jobs under the caller's name, as GitHub delivers them, with the called job's runs-on and the caller's inputs", async () => {
    const { code, report } = await routeFiles({ "ci.yml": caller, "lint.yml": lint }, ["--json"]);

    expect(code).toBe(0);
    // lint.yml is only on: workflow_call: GitHub never sends "reusable-lint" as a workflow name.
    expect(report!.workflows.map((w) => w.name)).toEqual(["action-web-dev-deploy"]);
    expect(report!.reusable).toEqual([{ path: expect.stringMatching(/lint\.yml$/), name: "reusable-lint", calledBy: [expect.stringMatching(/ci\.yml$/)] }]);
    const [called, shared] = report!.workflows[0]!.jobs;
    expect(called).toMatchObject({
      id: "lint/lint",
      name: "Lint code / Lint",
      line: 7,
      path: expect.stringMatching(/lint\.yml$/),
      uses: "./.github/workflows/lint.yml",
      via: [{ job: "lint", name: "Lint code", uses: "./.github/workflows/lint.yml", line: 4 }],
      verdict: "routed",
      environment: "dev",
      labels: ["self-hosted", "runway-dev", RUN_LABEL],
    });
    expect("decision" in called! && called.decision.reason).toContain(`workflow "action-web-dev-deploy" matched dev`);
    // What cannot be expanded is said, with the job-level uses:.
    expect(shared).toMatchObject({ id: "shared", verdict: "skipped", uses: "acme/shared/.github/workflows/deploy.yml@v1" });
    expect(shared!.reason).toContain("calls acme/shared/.github/workflows/deploy.yml@v1 from another repository (give --repo if it is this repository)");
  });

  it("says it in text: the composed name, where the job is written, and the call that brings it", async () => {
    const { stdout } = await routeFiles({ "ci.yml": caller, "lint.yml": lint });
    expect(stdout).toMatch(/  job "Lint code \/ Lint" \(\S*lint\.yml line 7; lint \(line 4\) uses \.\/\.github\/workflows\/lint\.yml\), runs-on: self-hosted, runway-dev, runway-run-/);
    expect(stdout).toMatch(/lint\.yml: reusable workflow "reusable-lint" \(on: workflow_call only\): never a run of its own; routed above as part of \S*ci\.yml/);
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("1 workflow, 2 jobs (1 of them from reusable workflows): 1 routed (1 to dev), 0 ignored, 0 GitHub-hosted, 0 unresolved, 1 skipped; 1 reusable workflow run only from callers");
  });

  it("uses an input's default when the caller passes none, and expands owner/repo/…@ref calls to the same repository", async () => {
    const sameRepo = `name: action-web-stg-deploy
on: push
jobs:
  lint:
    uses: acme/web/.github/workflows/lint.yml@main
`;
    const { report } = await routeFiles({ "ci.yml": sameRepo, "lint.yml": lint }, ["--json", "--repo", "acme/web"]);
    expect(report!.workflows[0]!.jobs).toMatchObject([
      { name: "lint / Lint", verdict: "routed", environment: "stg", labels: ["self-hosted", "runway-stg", RUN_LABEL], reason: expect.stringContaining("acme/web/.github/workflows/lint.yml@main names this repository") },
    ]);
  });

  it("names nested calls' jobs caller / called / called, and says when a called file is missing", async () => {
    const outer = `name: action-web-dev-deploy
on: push
jobs:
  release:
    uses: ./.github/workflows/middle.yml
`;
    const middle = `on: workflow_call
jobs:
  build:
    uses: ./.github/workflows/lint.yml
    with: { runner: runway-dev }
  docs:
    uses: ./.github/workflows/missing.yml
`;
    const { report } = await routeFiles({ "a.yml": outer, "middle.yml": middle, "lint.yml": lint }, ["--json"]);
    expect(report!.workflows.map((w) => w.name)).toEqual(["action-web-dev-deploy"]);
    expect(report!.workflows[0]!.jobs.map((j) => [j.name, j.verdict])).toEqual([
      ["release / build / Lint", "routed"],
      ["docs", "skipped"],
    ]);
    expect(report!.workflows[0]!.jobs[1]).toMatchObject({ uses: "./.github/workflows/missing.yml", reason: expect.stringContaining("which is not in this folder") });
  });
});

describe("runway route --workflows, CodeBuild labels", () => {
  const folded = (overrides: string) => `name: action-web-dev-deploy
on: push
jobs:
  build:
    runs-on:
      - self-hosted
      - runway-dev
      - codebuild-runway-runner-dev-\${{ github.run_id }}-\${{ github.run_attempt }}
        ${overrides}
    strategy:
      matrix:
        os: [arm, linux]
    steps: [{ run: make }]
`;

  it("routes a job whose only run label is folded with its overrides, and says which override a run decides", async () => {
    const { report } = await routeFiles({ "w.yml": folded("image:${{ matrix.os == 'arm' && 'arm-3.0' || 'linux-5.0' }} instance-size:small") }, ["--json"]);
    const [job] = report!.workflows[0]!.jobs;
    expect(job).toMatchObject({ verdict: "routed", environment: "dev" });
    expect(job!.reason).toContain("image:${{ matrix.os == 'arm' && 'arm-3.0' || 'linux-5.0' }} is decided by each run");
  });

  it("calls refused what the launcher would refuse in a folded label: an override dev does not allow, a key in the wrong case", async () => {
    const fleet = await routeFiles({ "w.yml": folded("fleet:warm") }, ["--json"]);
    expect(fleet.report!.workflows[0]!.jobs[0]).toMatchObject({ verdict: "refused", reason: expect.stringContaining('the job asks for "fleet:warm" but this environment does not allow fleet overrides') });

    const miscased = await routeFiles({ "w.yml": folded("Image:arm-3.0") }, ["--json"]);
    expect(miscased.report!.workflows[0]!.jobs[0]).toMatchObject({ verdict: "refused", reason: expect.stringContaining('"Image:arm-3.0": CodeBuild\'s label overrides are written in lower case') });
  });
});

describe("runway route --workflows on real repositories' workflows", () => {
  it("finch (runfinch/finch): called jobs routed under the caller, runs-on made of the caller's with:", async () => {
    const result = await runCommand(routeCommand.run, ["--workflows", join(FIXTURE_WORKFLOWS, "finch"), "--config", SAMPLE_CONFIG_FILE, "--json"]);
    const report = JSON.parse(result.stdout) as WorkflowsReport;

    expect(result.code).toBe(0);
    expect(report.workflows.map((w) => w.name)).toEqual(["Build, test and upload .pkg to S3"]);
    expect(report.reusable.map((r) => [r.name, r.calledBy.length])).toEqual([
      ["build-pkg", 1],
      ["test-pkg", 1],
    ]);
    expect(report.workflows[0]!.jobs.map((j) => [j.name, j.verdict, "labels" in j ? j.labels.join(",") : null])).toEqual([
      ["Get tag name", "github-hosted", "ubuntu-latest"],
      ["macos-aarch64-pkg-build / build", "ignored", "self-hosted,release,macos,arm64,15"],
      ["macos-x86-64-pkg-build / build", "ignored", "self-hosted,release,macos,amd64,15"],
      ["macos-aarch64-pkg-test (…matrix values) / test", "unresolved", null],
      ["macos-x86-64-pkg-test (…matrix values) / test", "unresolved", null],
    ]);
  });

  it("aws-lc (aws/aws-lc): folded CodeBuild labels read without a run, a call into the folder expanded, the others said", async () => {
    const result = await runCommand(routeCommand.run, ["--workflows", join(FIXTURE_WORKFLOWS, "aws-lc"), "--config", SAMPLE_CONFIG_FILE, "--json"]);
    const report = JSON.parse(result.stdout) as WorkflowsReport;
    const jobs = report.workflows.flatMap((w) => w.jobs.map((j) => ({ workflow: w.name, ...j })));

    expect(jobs.filter((j) => j.verdict === "unresolved")).toEqual([]);
    const analytics = jobs.find((j) => j.workflow === "aws-lc-analytics")!;
    expect("labels" in analytics && analytics.labels).toEqual([
      "codebuild-aws-lc-ci-github-actions-${{ github.run_id }}-${{ github.run_attempt }} image:${{ matrix.arch == 'x86_64' && 'linux-5.0' || matrix.arch == 'aarch64' && 'arm-3.0' }} instance-size:large",
    ]);
    const imageBuild = jobs.filter((j) => j.workflow === "image-build");
    expect(imageBuild.filter((j) => j.via).map((j) => j.name)).toEqual([
      "amazonlinux2023 / x86_64_build",
      "amazonlinux2023 / aarch64_build",
      "amazonlinux2023 / x86_64_push",
      "amazonlinux2023 / aarch64_push",
      "amazonlinux2023 / multiarch_manifest",
    ]);
    expect(imageBuild.filter((j) => j.verdict === "skipped")).toHaveLength(13);
    // image-build-al2023.yml also runs on push: a workflow of its own as well.
    expect(report.workflows.map((w) => w.name)).toContain("image-build-al2023");
  });
});
