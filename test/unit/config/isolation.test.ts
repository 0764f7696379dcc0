/**
 * check-config refuses configurations whose environments could share runners: GitHub hands a job
 * to any idle runner whose labels cover it, so label sets decide which runner can run what.
 */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../lib/config/errors.ts";
import { parseConfig } from "../../../lib/config/load.ts";

const environment = (name: string, labels: string, extra = "") => `
  ${name}:
    workflows: [[{ type: WORKFLOW_NAME, pattern: "^${name}-deploy$" }]]
    labels: ${labels}
    codebuild: { project: runway-runner-${name} }${extra}`;

function problems(text: string) {
  try {
    parseConfig(`environments:${text}\n`, "runway.yml");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("environments that cannot share runners", () => {
  it("refuses an environment with no labels, saying why it matters", () => {
    const [problem] = problems(environment("dev", "[]"));
    expect(problem).toMatchObject({ field: "environments.dev.labels", line: 4 });
    expect(problem!.message).toContain("an environment needs at least one label of its own");
  });

  it("refuses two environments with the same labels, naming both", () => {
    const found = problems(environment("dev", "[self-hosted, runway]") + environment("prd", "[self-hosted, runway]"));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ field: "environments.prd.labels", line: 8 });
    expect(found[0]!.message).toContain("environments dev and prd could share runners");
  });

  it("refuses an environment whose labels are a subset of another's, whichever comes first", () => {
    const [first] = problems(environment("dev", "[self-hosted]") + environment("prd", "[self-hosted, runway-prd]"));
    expect(first!.message).toMatch(/every label dev requires \(self-hosted\) is also required by prd/);
    const [second] = problems(environment("prd", "[self-hosted, runway-prd]") + environment("dev", "[Self-Hosted]"));
    expect(second!.message).toMatch(/every label dev requires \(Self-Hosted\) is also required by prd/);
  });

  it("accepts environments that each require a label of their own", () => {
    const config = parseConfig(`environments:${environment("dev", "[self-hosted, runway-dev]")}${environment("prd", "[self-hosted, runway-prd]")}\n`, "runway.yml");
    expect(Object.keys(config.environments)).toEqual(["dev", "prd"]);
  });

  it("refuses a GitHub-hosted image or a per-run label as an environment label", () => {
    const found = problems(environment("dev", '[ubuntu-latest, "runway-run-1-1"]'));
    expect(found.map((p) => p.field)).toEqual(["environments.dev.labels.0", "environments.dev.labels.1"]);
    expect(found[0]!.message).toContain("GitHub-hosted runner image");
    expect(found[1]!.message).toContain("changes with every run");
  });

  it("refuses a runner group on repository runners, which have none", () => {
    const [problem] = problems(environment("dev", "[self-hosted, runway-dev]", "\n    runners: { group: deploy }"));
    expect(problem).toMatchObject({ field: "environments.dev.runners.group" });
    expect(problem!.message).toContain("set runners.scope: org");
  });
});
