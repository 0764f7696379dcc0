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
  ])("reads $yaml", ({ yaml, want }) => {
    expect(runsOn(yaml)).toEqual(want);
  });

  it("names the workflow after its file when name: is absent, as GitHub does", () => {
    const parsed = parseWorkflow("on: push\njobs:\n  a:\n    runs-on: x\n", "/repo/.github/workflows/release.yaml");
    expect(parsed).toMatchObject({ workflow: { name: ".github/workflows/release.yaml", named: false } });
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
