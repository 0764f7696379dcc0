import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkConfigCommand } from "../../../lib/cli/commands/check-config.ts";
import { SAMPLE_CONFIG_FILE } from "../../support/config.ts";
import { runCommand, tempDir } from "./run.ts";

const SAMPLE_SUMMARY = "3 environments (dev, stg, prd), stages dev → dev; stg → stg; prd → prd; shared → all; local → all";

/** A valid environment, indented to sit under `environments:`. */
const DEV = `  dev:
    workflows:
      - - type: WORKFLOW_NAME
          pattern: ^(action.*dev-deploy)$
    labels: [self-hosted, runway]
    codebuild:
      project: runway-runner-dev
`;

let temp: ReturnType<typeof tempDir>;
beforeEach(() => {
  temp = tempDir();
});
afterEach(() => temp.remove());

async function check(name: string, text: string) {
  writeFileSync(join(temp.dir, name), text);
  return runCommand(checkConfigCommand.run, [name], { cwd: temp.dir });
}

describe("runway check-config", () => {
  it("accepts the sample runway.yml and summarises it", async () => {
    const result = await runCommand(checkConfigCommand.run, [SAMPLE_CONFIG_FILE]);
    expect(result).toEqual({ code: 0, stdout: `ok: runway.yml: ${SAMPLE_SUMMARY}\n`, stderr: "" });
  });

  it("reads ./runway.yml by default, and RUNWAY_CONFIG when set", async () => {
    expect((await runCommand(checkConfigCommand.run, [])).stdout).toBe(`ok: runway.yml: ${SAMPLE_SUMMARY}\n`);

    writeFileSync(join(temp.dir, "other.yml"), `environments:\n${DEV}`);
    const fromEnv = await runCommand(checkConfigCommand.run, [], { cwd: temp.dir, env: { RUNWAY_CONFIG: "other.yml" } });
    expect(fromEnv.stdout).toBe("ok: other.yml: 1 environment (dev), no stages (every deployed stage serves every environment)\n");
  });

  it("reports a value of the wrong type with its file, line and field", async () => {
    const result = await check("wrong-type.yml", `environments:\n${DEV}    concurrency: twenty\n`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^wrong-type\.yml:9:\d+ environments\.dev\.concurrency: .*expected number/m);
  });

  it("reports an unknown field with its file, line and name", async () => {
    const result = await check("unknown.yml", `environments:\n${DEV}    concurency: 5\n`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^unknown\.yml:9:\d+ environments\.dev: unknown field concurency \(check the spelling\)$/m);
  });

  it("reports a pattern that is not a regular expression on its own line", async () => {
    const result = await check("regex.yml", `environments:\n${DEV.replace("^(action.*dev-deploy)$", "^(action.*dev-deploy$")}`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^regex\.yml:5:\d+ environments\.dev\.workflows\.0\.0\.pattern: not a valid regular expression/m);
  });

  it("reports a missing field on the object that lacks it", async () => {
    const result = await check("missing.yml", `environments:\n${DEV.replace("      project: runway-runner-dev\n", "      region: eu-west-1\n")}`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^missing\.yml:8:\d+ environments\.dev\.codebuild\.project: missing: expected string$/m);
  });

  it("lists every problem at once, then how many", async () => {
    const result = await check("many.yml", `environments:\n${DEV}    concurrency: -1\n    colour: blue\nstages:\n  dev: [dve]\n`);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines.slice(0, -1).every((l) => /^many\.yml:\d+:\d+ \S+: /.test(l))).toBe(true);
    expect(lines.slice(0, -1).map((l) => l.split(" ")[1])).toEqual(
      expect.arrayContaining(["environments.dev.concurrency:", "environments.dev:", "stages.dev.0:"]),
    );
    expect(lines.at(-1)).toBe(`many.yml: ${lines.length - 1} problems`);
  });

  it("reports a file that is not YAML, or is missing", async () => {
    const notYaml = await check("tabs.yml", "environments:\n\tdev: {}\n");
    expect(notYaml.code).toBe(1);
    expect(notYaml.stderr).toMatch(/^tabs\.yml:2:\d+ \(file\): not valid YAML/m);

    const missing = await runCommand(checkConfigCommand.run, ["nowhere.yml"], { cwd: temp.dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nowhere.yml:0:0 (file): file not found");
  });

  it("exits 2 on bad usage", async () => {
    const result = await runCommand(checkConfigCommand.run, ["a.yml", "b.yml"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("runway check-config: one file at a time");
  });
});
