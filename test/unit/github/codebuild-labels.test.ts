/**
 * CodeBuild's runner-label syntax as its user guide documents it ("Label overrides supported with
 * the CodeBuild-hosted GitHub Actions runner"): separate labels, overrides folded into the run
 * label after spaces, and the single-label suffix — and routing's run-label check reading all three.
 */
import { describe, expect, it } from "vitest";
import { codeBuildRequest, onlyOverridesVary, parseCodeBuildRunLabel } from "../../../lib/github/codebuild-labels.ts";
import { parseRunLabel, runLabels } from "../../../lib/github/run-label.ts";
import { route } from "../../../lib/routing/route.ts";
import { workflowJob } from "../../support/payloads.ts";
import { sampleConfig } from "../../support/config.ts";

describe("parseRunLabel", () => {
  it.each([
    { label: "codebuild-web-42-1", want: { label: "codebuild-web-42-1", project: "web", runId: 42, runAttempt: 1 } },
    // A YAML list item continued on the next lines folds into one label with spaces.
    { label: "codebuild-web-42-1 image:arm-3.0 instance-size:small", want: { label: "codebuild-web-42-1", project: "web", runId: 42, runAttempt: 1 } },
    { label: "codebuild-agent-amd-42-2-small", want: { label: "codebuild-agent-amd-42-2-small", project: "agent-amd", runId: 42, runAttempt: 2 } },
    { label: "codebuild-web-42-1-arm-3.0-large-with-buildspec", want: { project: "web", runId: 42, runAttempt: 1 } },
    { label: "codebuild-web-42-1-fleet-warm-pool", want: { project: "web", runId: 42, runAttempt: 1 } },
    { label: "codebuild-my-1-2-project-42-1", want: { project: "my-1-2-project", runId: 42, runAttempt: 1 } },
  ])("reads $label", ({ label, want }) => {
    expect(parseRunLabel(label)).toMatchObject(want);
  });

  it.each(["codebuild-web-42-1-potato", "codebuild-web-42", "image:arm-3.0 codebuild-web-42-1", `codebuild-${"a".repeat(300)}-1-1`])("is not a run label: %s", (label) => {
    expect(parseRunLabel(label)).toBeUndefined();
  });

  it("finds the run label inside a folded label among the job's labels", () => {
    expect(runLabels(["self-hosted", "codebuild-web-42-1 image:arm-3.0"])).toEqual([{ label: "codebuild-web-42-1", project: "web", runId: 42, runAttempt: 1 }]);
  });
});

describe("codeBuildRequest", () => {
  it("reads the overrides of every documented form, in the order written", () => {
    const request = codeBuildRequest(["codebuild-web-7-1 image:arm-3.0 instance-size:small", "fleet:warm"]);
    expect(request).toEqual({
      overrides: [
        { key: "image", value: "arm-3.0", written: "image:arm-3.0" },
        { key: "instance-size", value: "small", written: "instance-size:small" },
        { key: "fleet", value: "warm", written: "fleet:warm" },
      ],
      problems: [],
    });
    expect(codeBuildRequest(["codebuild-web-7-1-linux-5.0-large-fleet-warm-with-buildspec"]).overrides.map((o) => `${o.key}:${o.value}`)).toEqual([
      "image:linux-5.0",
      "instance-size:large",
      "fleet:warm",
      "buildspec-override:true",
    ]);
  });

  it("keeps an expression with spaces in one override", () => {
    const request = codeBuildRequest(["codebuild-web-7-1 image:${{ matrix.arch == 'x86_64' && 'linux-5.0' || 'arm-3.0' }} instance-size:large"]);
    expect(request.overrides.map((o) => o.written)).toEqual(["image:${{ matrix.arch == 'x86_64' && 'linux-5.0' || 'arm-3.0' }}", "instance-size:large"]);
  });

  it("reports a key in a case the docs do not give, folded or not, instead of ignoring it", () => {
    const { overrides, problems } = codeBuildRequest(["codebuild-web-7-1 Image:arm-3.0", "INSTANCE-SIZE:large"]);
    expect(overrides).toEqual([]);
    expect(problems).toEqual([
      expect.stringMatching(/^"Image:arm-3\.0": CodeBuild's label overrides are written in lower case .*; write image:arm-3\.0$/),
      expect.stringMatching(/^"INSTANCE-SIZE:large": .*write instance-size:large$/),
    ]);
  });

  it("leaves other labels alone: custom labels, and words of a label that is not CodeBuild's run label", () => {
    expect(codeBuildRequest(["self-hosted", "team:payments", "runway-dev image:arm-3.0"])).toEqual({ overrides: [], problems: [] });
  });
});

describe("onlyOverridesVary", () => {
  it.each([
    ["codebuild-web-1-1 image:${{ matrix.os }} instance-size:large", true],
    ["instance-size:${{ matrix.size }}", true],
    ["codebuild-web-${{ matrix.arch }}-1-1", false],
    ["codebuild-web-1-1 ${{ matrix.extra }}", false],
    ["${{ matrix.os }}", false],
    ["self-hosted", true],
  ])("%s → %s", (label, want) => {
    expect(onlyOverridesVary(label)).toBe(want);
  });
});

describe("routing a folded CodeBuild label", () => {
  const config = sampleConfig();

  it("counts the run label inside a folded label as the run label dev requires", () => {
    const payload = workflowJob({ runId: 42, labels: ["self-hosted", "runway-dev", "codebuild-runway-runner-dev-42-1 image:arm-3.0"] });
    expect(route(payload, config)).toMatchObject({ outcome: "routed", environment: "dev" });
  });

  it("refuses a folded label whose run label names another run", () => {
    const payload = workflowJob({ runId: 42, labels: ["self-hosted", "runway-dev", "codebuild-runway-runner-dev-41-1 instance-size:large"] });
    expect(route(payload, config)).toMatchObject({ outcome: "ignored", reason: expect.stringContaining("its run label codebuild-runway-runner-dev-41-1 names run 41 attempt 1") });
  });

  it("reads a suffixed single label's project", () => {
    expect(parseCodeBuildRunLabel("codebuild-web-7-1-small")).toMatchObject({ project: "web", overrides: [{ key: "instance-size", value: "small", written: "-small" }] });
  });
});
