import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../lib/config/load.ts";
import { route } from "../../../lib/routing/route.ts";
import { sampleConfig } from "../../support/config.ts";
import { workflowJob } from "../../support/payloads.ts";

const config = sampleConfig();

describe("route() with the sample dev/stg/prd configuration", () => {
  it.each([
    { workflowName: "action-payments-dev-deploy", headBranch: "feature/x", env: "dev" },
    { workflowName: "action-dev-deploy", headBranch: "main", env: "dev" },
    { workflowName: "action-web-stg-deploy", headBranch: "release/2.1", env: "stg" },
    { workflowName: "action-web-prd-deploy", headBranch: "main", env: "prd" },
  ])("$workflowName on $headBranch → $env", ({ workflowName, headBranch, env }) => {
    const labels = ["self-hosted", `runway-${env}`, "runway-run-940463255-1"];
    const decision = route(workflowJob({ workflowName, headBranch, labels }), config);
    expect(decision.outcome).toBe("routed");
    if (decision.outcome !== "routed") return;
    expect(decision.environment).toBe(env);
    expect(decision.codebuild.project).toBe(`runway-runner-${env}`);
    expect(decision.labels).toEqual(labels);
  });

  it.each([
    // Anchors: the pattern is ^(action.*dev-deploy)$, so neither prefix nor suffix may differ.
    { workflowName: "deploy-web", why: `no environment's workflow filter matched "deploy-web"` },
    { workflowName: "my-action-dev-deploy", why: `no environment's workflow filter matched "my-action-dev-deploy"` },
    { workflowName: "action-dev-deploy-2", why: `no environment's workflow filter matched "action-dev-deploy-2"` },
    // Case: patterns are case-sensitive, as CodeBuild's are.
    { workflowName: "Action-Payments-Dev-Deploy", why: `no environment's workflow filter matched "Action-Payments-Dev-Deploy"` },
  ])("$workflowName is ignored", ({ workflowName, why }) => {
    const decision = route(workflowJob({ workflowName }), config);
    expect(decision).toMatchObject({ outcome: "ignored", reason: why });
  });

  it("applies a branch filter: a stg deploy from a feature branch is not stg's", () => {
    const decision = route(workflowJob({ workflowName: "action-stg-deploy", headBranch: "feature/y" }), config);
    expect(decision).toMatchObject({
      outcome: "ignored",
      reason: `workflow "action-stg-deploy" matched no environment's filters (nearest: stg group 1, where HEAD_BRANCH "feature/y" !~ ^(main|release\\/.+)$)`,
    });
    const stg = decision.trace.find((t) => t.environment === "stg")!;
    expect(stg.groups[0]!.filters.map((f) => [f.type, f.passed])).toEqual([
      ["WORKFLOW_NAME", true],
      ["HEAD_BRANCH", false],
    ]);
  });

  it("applies an exclusion: dependabot may not deploy to prd", () => {
    const labels = ["self-hosted", "runway-prd", "runway-run-940463255-1"];
    const byBot = route(workflowJob({ workflowName: "action-prd-deploy", actor: "dependabot[bot]", labels }), config);
    const byPerson = route(workflowJob({ workflowName: "action-prd-deploy", actor: "alice", labels }), config);
    expect(byBot.outcome).toBe("ignored");
    expect(byPerson).toMatchObject({ outcome: "routed", environment: "prd" });
  });

  it("requires every environment label, case-insensitively, and says which are missing", () => {
    const upper = route(workflowJob({ labels: ["Self-Hosted", "RUNWAY-DEV", "Runway-Run-940463255-1"] }), config);
    expect(upper).toMatchObject({ outcome: "routed", environment: "dev" });

    const otherEnvironment = route(workflowJob({ labels: ["self-hosted", "runway-prd", "runway-run-940463255-1"] }), config);
    expect(otherEnvironment).toMatchObject({
      outcome: "ignored",
      reason: `workflow "action-payments-dev-deploy" matched dev, but the job's runs-on labels (self-hosted, runway-prd, runway-run-940463255-1) lack runway-dev`,
    });
  });

  it("never launches a job whose runs-on names a GitHub-hosted image, whatever else it says", () => {
    for (const labels of [["ubuntu-22.04"], ["self-hosted", "runway-dev", "runway-run-940463255-1", "ubuntu-latest"], ["macos-15-xlarge"], ["windows-2022"]]) {
      const decision = route(workflowJob({ labels }), config);
      expect(decision.outcome).toBe("ignored");
      expect(decision.reason).toMatch(/names the GitHub-hosted image .*: GitHub runs this job on its own runners, never Runway$/);
    }
    // A self-hosted label that merely starts like one is not GitHub's.
    const custom = route(workflowJob({ labels: ["self-hosted", "runway-dev", "ubuntu-runway", "runway-run-940463255-1"] }), config);
    expect(custom).toMatchObject({ outcome: "routed", environment: "dev" });
  });

  it("requires the run label where the environment asks for it, and says what to write", () => {
    const decision = route(workflowJob({ labels: ["self-hosted", "runway-dev"] }), config);
    expect(decision).toMatchObject({
      outcome: "ignored",
      reason: "workflow \"action-payments-dev-deploy\" matched dev, but the job's runs-on labels (self-hosted, runway-dev) lack runway-run-${{ github.run_id }}-${{ github.run_attempt }}",
    });
  });

  it("accepts CodeBuild's run label form, so workflows written for CodeBuild-managed runners keep working", () => {
    const decision = route(workflowJob({ labels: ["self-hosted", "runway-dev", "codebuild-runway-runner-dev-940463255-1"] }), config);
    expect(decision).toMatchObject({ outcome: "routed", environment: "dev" });
  });

  it("refuses a job whose run label names another run or attempt than the delivery's own", () => {
    for (const label of ["runway-run-111-1", "runway-run-940463255-2", "codebuild-runway-runner-dev-111-1"]) {
      const decision = route(workflowJob({ runId: 940463255, runAttempt: 1, labels: ["self-hosted", "runway-dev", label] }), config);
      expect(decision.outcome).toBe("ignored");
      expect(decision.reason).toContain(`its run label ${label} names run`);
      expect(decision.reason).toContain("but the job is run 940463255 attempt 1");
    }
  });

  it("never throws on a delivery without workflow_name (older GitHub Enterprise Server)", () => {
    const decision = route(workflowJob({ workflowName: null, runAttempt: null }), config);
    expect(decision.outcome).toBe("ignored");
    // The reason explains it: test/unit/routing/nameless.test.ts.
    expect(decision.reason).toMatch(/^the delivery has no workflow_name \(GitHub Enterprise Server before 3\.7 /);
    expect(decision.trace[0]!.groups[0]!.filters[0]!.value).toBeNull();
  });

  it.each([null, undefined, 42, "text", [], {}, { workflow_job: null }, { workflow_job: { labels: "self-hosted" } }])(
    "never throws on a malformed payload (%j)",
    (payload) => {
      expect(route(payload, config).outcome).toBe("ignored");
    },
  );

  it("refuses environments the stage does not serve, naming the environment", () => {
    const decision = route(workflowJob({ workflowName: "action-prd-deploy", labels: ["self-hosted", "runway-prd", "runway-run-940463255-1"] }), config, new Set(["dev"]));
    expect(decision).toMatchObject({ outcome: "ignored", reason: `workflow "action-prd-deploy" matched prd, which this stage does not serve` });
  });
});

describe("route() filter-group semantics", () => {
  const groups = parseConfig(
    `
environments:
  dev:
    workflows:
      - - { type: WORKFLOW_NAME, pattern: "^deploy$" }
        - { type: REPOSITORY, pattern: "^acme/" }
      - - { type: JOB_NAME, pattern: "(?i:hotfix)" }
    labels: [self-hosted, dev]
    requireRunLabel: false
    codebuild: { project: p-dev }
  stg:
    workflows:
      - - { type: WORKFLOW_NAME, pattern: "stg" }
    labels: [self-hosted, stg]
    requireRunLabel: false
    codebuild: { project: p-stg }
`,
    "inline.yml",
  );

  it("matches when any group matches (second group, case-insensitive modifier)", () => {
    const decision = route(workflowJob({ workflowName: "other", jobName: "HOTFIX now", labels: ["self-hosted", "dev"] }), groups);
    expect(decision).toMatchObject({ outcome: "routed", environment: "dev" });
    if (decision.outcome === "routed") expect(decision.reason).toContain("group 2");
  });

  it("needs every filter of a group to pass", () => {
    const labels = ["self-hosted", "dev"];
    expect(route(workflowJob({ workflowName: "deploy", repository: "other/x", jobName: "build", labels }), groups).outcome).toBe("ignored");
    expect(route(workflowJob({ workflowName: "deploy", repository: "acme/x", jobName: "build", labels }), groups)).toMatchObject({ environment: "dev" });
  });

  it("treats a job two environments claim as ambiguous and launches nowhere", () => {
    const decision = route(workflowJob({ workflowName: "stg", jobName: "hotfix", labels: ["self-hosted", "dev", "stg"] }), groups);
    expect(decision).toMatchObject({
      outcome: "ignored",
      reason: `workflow "stg" matched dev and stg: make their filters exclusive so a job has one environment`,
    });
  });

  it("lets an exclusion on a missing field pass and an inclusion on it fail", () => {
    const cfg = parseConfig(
      `
environments:
  a:
    workflows: [[{ type: WORKFLOW_NAME, pattern: "x", excludeMatchedPattern: true }]]
    labels: [a]
    requireRunLabel: false
    codebuild: { project: p-a }
`,
      "inline.yml",
    );
    expect(route(workflowJob({ workflowName: null, labels: ["a"] }), cfg)).toMatchObject({ outcome: "routed", environment: "a" });
    expect(route(workflowJob({ workflowName: "x", labels: ["a"] }), cfg).outcome).toBe("ignored");
  });
});
