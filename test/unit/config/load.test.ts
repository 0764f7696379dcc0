import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../lib/config/errors.ts";
import { loadConfigFile, parseConfig } from "../../../lib/config/load.ts";
import { servedEnvironments } from "../../../lib/config/served.ts";
import { sampleConfig } from "../../support/config.ts";

function problems(text: string) {
  try {
    parseConfig(text, "runway.yml");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

const valid = `
environments:
  dev:
    workflows:
      - - type: WORKFLOW_NAME
          pattern: ^(action.*dev-deploy)$
    codebuild:
      project: runway-runner-dev
    labels: [self-hosted, runway-dev]
`;

describe("configuration loading", () => {
  it("loads the shipped sample with dev, stg and prd", () => {
    const config = sampleConfig();
    expect(Object.keys(config.environments)).toEqual(["dev", "stg", "prd"]);
    expect(config.environments.dev!.workflows[0]![0]!.pattern.source).toBe("^(action.*dev-deploy)$");
    expect(config.environments.stg!.codebuild.roleArn).toBe("arn:aws:iam::222222222222:role/runway-launcher");
  });

  it("fills defaults: run label required, repository runners, concurrency, no extra policies", () => {
    const config = parseConfig(valid, "runway.yml");
    expect(config.environments.dev).toMatchObject({ requireRunLabel: true, runners: { scope: "repo" }, concurrency: 10, runnerPolicyArns: [] });
  });

  it("names the file, line and field of a wrong type", () => {
    const text = valid.replace("project: runway-runner-dev", "project: runway-runner-dev\n      region: 12");
    expect(problems(text)).toEqual([
      expect.objectContaining({ file: "runway.yml", line: 9, field: "environments.dev.codebuild.region", message: expect.stringContaining("expected string") }),
    ]);
  });

  it("names an unknown field (a typo) with its line", () => {
    const text = valid.replace("    codebuild:", "    concurency: 3\n    codebuild:");
    expect(problems(text)).toEqual([
      expect.objectContaining({ line: 7, column: 17, field: "environments.dev", message: "unknown field concurency (check the spelling)" }),
    ]);
  });

  it("reports a broken regular expression where it is written", () => {
    const text = valid.replace("^(action.*dev-deploy)$", "^(action.*dev-deploy$");
    const [problem] = problems(text);
    expect(problem).toMatchObject({ line: 6, field: "environments.dev.workflows.0.0.pattern" });
    expect(problem!.message).toContain("not a valid regular expression");
  });

  it("reports a missing required field on the object that lacks it", () => {
    const text = valid.replace("      project: runway-runner-dev\n", "      region: eu-west-1\n");
    expect(problems(text)).toEqual([
      expect.objectContaining({ line: 8, field: "environments.dev.codebuild.project", message: "missing: expected string" }),
    ]);
  });

  it("collects every problem at once", () => {
    const text = valid.replace("type: WORKFLOW_NAME", "type: WORKFLOW").replace("project: runway-runner-dev", "project: 7");
    expect(problems(text).map((p) => p.field)).toEqual(["environments.dev.workflows.0.0.type", "environments.dev.codebuild.project"]);
  });

  it("reports YAML syntax errors with their line", () => {
    expect(problems("environments:\n  dev: [\n")[0]).toMatchObject({ line: expect.any(Number), message: expect.stringContaining("not valid YAML") });
  });

  it("rejects a stage that serves an unknown environment", () => {
    const text = `${valid}stages:\n  dev: [dev, qa]\n`;
    expect(problems(text)).toEqual([expect.objectContaining({ field: "stages.dev.1", line: 11, column: 14, message: expect.stringContaining(`serves "qa"`) })]);
  });

  it("names the file when it cannot be read", () => {
    expect(() => loadConfigFile("/nonexistent/runway.yml")).toThrow(/\/nonexistent\/runway.yml.*file not found/);
  });

  it("loads a file from disk and reports its path in errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "runway-config-"));
    const file = join(dir, "broken.yml");
    writeFileSync(file, valid.replace("project: runway-runner-dev", "project: [x]"));
    expect(() => loadConfigFile(file)).toThrow(`${file}:8:16 environments.dev.codebuild.project: Invalid input: expected string, received array`);
  });
});

describe("servedEnvironments()", () => {
  const config = sampleConfig();
  it("serves the stage's list, all, or everything when no stage is set", () => {
    expect(servedEnvironments(config, "dev")).toEqual(new Set(["dev"]));
    expect(servedEnvironments(config, "shared")).toBe("all");
    expect(servedEnvironments(config, undefined)).toBe("all");
  });
  it("refuses a stage the file does not list", () => {
    expect(() => servedEnvironments(config, "qa")).toThrow(/RUNWAY_STAGE is "qa"/);
  });
});
