import { describe, expect, it } from "vitest";
import { isGitHubHosted, parseWorkflow, type RunsOn } from "../../../lib/cli/workflows.ts";

function runsOn(yaml: string): RunsOn {
  const parsed = parseWorkflow(`on: push\njobs:\n  job:\n${yaml.replace(/^/gm, "    ")}\n`, "w.yml");
  if ("error" in parsed) throw new Error(parsed.error.message);
  return parsed.workflow.jobs[0]!.runsOn;
}

describe("parseWorkflow", () => {
  it.each([
    { yaml: "runs-on: self-hosted", want: { kind: "labels", labels: ["self-hosted"] } },
    { yaml: "runs-on: [self-hosted, runway]", want: { kind: "labels", labels: ["self-hosted", "runway"] } },
    { yaml: "runs-on:\n  group: deployers\n  labels: runway", want: { kind: "labels", labels: ["runway"], group: "deployers" } },
    { yaml: "runs-on: { group: deployers }", want: { kind: "labels", labels: [], group: "deployers" } },
    { yaml: "runs-on: ${{ matrix.os }}", want: { kind: "expression", expression: "${{ matrix.os }}" } },
    { yaml: "runs-on: [self-hosted, '${{ inputs.env }}']", want: { kind: "expression", expression: `["self-hosted","\${{ inputs.env }}"]` } },
    { yaml: "uses: acme/shared/.github/workflows/deploy.yml@v1", want: { kind: "reusable", uses: "acme/shared/.github/workflows/deploy.yml@v1" } },
    { yaml: "steps: []", want: { kind: "invalid", message: "the job has no runs-on" } },
    { yaml: "runs-on: 42", want: { kind: "invalid", message: "runs-on 42 is not a label, a list of labels or { group, labels }" } },
    // A YAML number among the labels is the label GitHub reads: its text.
    { yaml: "runs-on: [self-hosted, macos, 15]", want: { kind: "labels", labels: ["self-hosted", "macos", "15"] } },
    // CodeBuild's folded label: its run label is known, only the overrides' values wait for a run.
    {
      yaml: "runs-on:\n  - codebuild-web-${{ github.run_id }}-${{ github.run_attempt }}\n    image:${{ matrix.os == 'arm' && 'arm-3.0' || 'linux-5.0' }}\n    instance-size:large",
      want: { kind: "labels", labels: ["codebuild-web-${{ github.run_id }}-${{ github.run_attempt }} image:${{ matrix.os == 'arm' && 'arm-3.0' || 'linux-5.0' }} instance-size:large"] },
    },
    { yaml: "runs-on: [self-hosted, runway, 'instance-size:${{ matrix.size }}']", want: { kind: "labels", labels: ["self-hosted", "runway", "instance-size:${{ matrix.size }}"] } },
    { yaml: "runs-on: codebuild-web-${{ matrix.arch }}-${{ github.run_id }}-${{ github.run_attempt }}", want: { kind: "expression", expression: "codebuild-web-${{ matrix.arch }}-${{ github.run_id }}-${{ github.run_attempt }}" } },
  ])("reads $yaml", ({ yaml, want }) => {
    expect(runsOn(yaml)).toEqual(want);
  });

  it("names the workflow after its file when name: is absent, as GitHub does", () => {
    const parsed = parseWorkflow("on: push\njobs:\n  a:\n    runs-on: x\n", "/repo/.github/workflows/release.yaml");
    expect(parsed).toMatchObject({ workflow: { name: ".github/workflows/release.yaml", named: false } });
  });

  it("names the workflow as GitHub shows a YAML number: name: 2024 is \"2024\", not the file's path", () => {
    const parsed = parseWorkflow("name: 2024\non: push\njobs:\n  a:\n    name: 7\n    runs-on: x\n", "/repo/.github/workflows/release.yml");
    expect(parsed).toMatchObject({ workflow: { name: "2024", named: true, jobs: [{ name: "7" }] } });
  });

  it("reads the events, and a reusable workflow's input defaults", () => {
    const parsed = parseWorkflow("on:\n  workflow_call:\n    inputs:\n      Runner: { type: string, default: runway-dev }\n  push:\njobs:\n  a:\n    runs-on: x\n", "w.yml");
    expect(parsed).toMatchObject({ workflow: { events: ["workflow_call", "push"], inputDefaults: { runner: "runway-dev" } } });
  });

  it("uses the job's name:, else its key", () => {
    const parsed = parseWorkflow("name: W\non: push\njobs:\n  a:\n    name: Build it\n    runs-on: x\n  b:\n    runs-on: x\n", "w.yml");
    expect("workflow" in parsed && parsed.workflow.jobs.map((j) => [j.id, j.name, j.line])).toEqual([
      ["a", "Build it", 4],
      ["b", "b", 7],
    ]);
  });

  it.each([
    { text: "name: W\njobs:\n  a:\n    runs-on: [x\n", line: 5, message: /^not valid YAML/ },
    { text: "name: W\nname: V\njobs: {}\n", line: 2, message: /^not valid YAML: Map keys must be unique/ },
    { text: "- a\n- b\n", line: 1, message: /a workflow is a mapping/ },
    { text: "name: W\non: push\n", line: 1, message: /no jobs/ },
    { text: "name: W\njobs:\n  a: 42\n", line: 3, message: /job a is not a mapping/ },
  ])("reports a broken file with its line: $message", ({ text, line, message }) => {
    const parsed = parseWorkflow(text, "w.yml");
    expect("error" in parsed && parsed.error).toMatchObject({ path: "w.yml", line, message: expect.stringMatching(message) });
  });
});

describe("parseWorkflow, YAML anchors and aliases (GitHub reads them since 2025)", () => {
  const anchored = `x-runner: &runner [self-hosted, runway-dev]
on: push
jobs:
  build: &build
    runs-on: *runner
    steps: [{ run: make }]
  again: *build
`;

  it("resolves runs-on: *runner to the anchored labels, and reads a job written as an alias as a job", () => {
    const parsed = parseWorkflow(anchored, "w.yml");
    expect("workflow" in parsed && parsed.workflow.jobs.map((j) => [j.id, j.line, j.runsOn])).toEqual([
      ["build", 4, { kind: "labels", labels: ["self-hosted", "runway-dev"] }],
      ["again", 7, { kind: "labels", labels: ["self-hosted", "runway-dev"] }],
    ]);
  });

  it("reports an alias that names no anchor at its line", () => {
    const parsed = parseWorkflow("on: push\njobs:\n  a:\n    runs-on: *nowhere\n", "w.yml");
    expect("error" in parsed && parsed.error).toMatchObject({ line: 4, message: "not valid YAML: the alias *nowhere names no anchor set before it" });
  });

  it("refuses the merge key <<, which GitHub does not support, at its line", () => {
    const parsed = parseWorkflow(`${anchored}  merged:\n    <<: *build\n    name: merged\n`, "w.yml");
    expect("error" in parsed && parsed.error).toMatchObject({ line: 9, message: expect.stringContaining("merge key <<, which GitHub Actions does not support") });
  });

  it("stops at an alias bomb with a message, not a hang", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...["b", "c", "d", "e", "f"].map((k, i) => `${k}: &${k} [${Array(10).fill(`*${"abcde"[i]}`).join(", ")}]`), "on: push", "jobs: {}"].join("\n");
    const parsed = parseWorkflow(bomb, "w.yml");
    expect("error" in parsed && parsed.error.message).toMatch(/aliases expand too far/);
  });
});

describe("isGitHubHosted", () => {
  it.each([
    [["ubuntu-latest"], true],
    [["windows-2022"], true],
    [["macos-14"], true],
    [["self-hosted"], false],
    [["self-hosted", "ubuntu-latest"], false],
    [[], false],
  ])("%j → %s", (labels, hosted) => {
    expect(isGitHubHosted(labels)).toBe(hosted);
  });
});
