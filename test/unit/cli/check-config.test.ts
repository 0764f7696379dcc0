import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkConfigCommand } from "../../../lib/cli/commands/check-config.ts";
import { main } from "../../../lib/cli/main.ts";
import { reportInternalError } from "../../../lib/cli/output.ts";
import { SAMPLE_CONFIG_FILE } from "../../support/config.ts";
import { workflowJob } from "../../support/payloads.ts";
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

async function check(name: string, text: string | Buffer) {
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

  /** Files no one should hand check-config, each with what its one message must say. */
  const hostile: [string, string | Buffer, RegExp][] = [
    ["bomb.yml", `a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n${"bcdefgh".split("").map((l, i) => `${l}: &${l} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(", ")}]`).join("\n")}\nenvironments: *h\n`, /^bomb\.yml:2:\d+ \(file\): refused: .*YAML bomb/m],
    ["prod.yml", `environments:\n${DEV.replace("  dev:", "  Prod:")}`, /^prod\.yml:2:3 environments\.Prod: .*lower-case.*did you mean prod\?$/m],
    ["stage.yml", `environments:\n${DEV}stages:\n  dev: dev\n`, /^stage\.yml:10:8 stages\.dev: a stage is the list of environment names it serves.*or all/m],
    ["proto.yml", `environments:\n${DEV.replace("  dev:", "  __proto__:")}`, /^proto\.yml:2:3 environments\.__proto__: "__proto__" cannot be a name/m],
    ["latin1.yml", Buffer.from(`environments:\n${DEV.replace("runway]", "runway] # café")}`, "latin1"), /^latin1\.yml:6:\d+ \(file\): not UTF-8: byte 0xE9 at byte offset \d+/m],
    ["deep.yml", `environments: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`, /nested too deeply/],
    ["binary.yml", Buffer.from([0x41, 0x00, 0x28, 0xdc, 0xe2, 0xa3, 0xd2, 0xec, 0xa1]), /not UTF-8/],
    ["list.yml", "- dev\n", /a mapping with environments: at the top/],
    ["utf32.yml", Buffer.from([0xff, 0xfe, 0, 0, 0x65, 0, 0, 0]), /save it as UTF-8/],
  ];

  it.each(hostile)("refuses %s with one located message, exit 1, and no stack trace", async (name, text, message) => {
    writeFileSync(join(temp.dir, name), text);
    const result = await runCommand(checkConfigCommand.run, [name], { cwd: temp.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr.trimEnd().split("\n").at(-1)).toMatch(new RegExp(`^${name.replace(".", "\\.")}: \\d+ problems?$`));
  });

  it("reads a UTF-16 file (Windows' \"Unicode\") as the text it is", async () => {
    const result = await check("utf16.yml", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`environments:\n${DEV}`, "utf16le")]));
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining("ok: utf16.yml: 1 environment (dev)") });
  });

  it("exits 2 with the same message when another command loads that file", async () => {
    const { routeCommand } = await import("../../../lib/cli/commands/route.ts");
    writeFileSync(join(temp.dir, "bomb.yml"), hostile[0]![1]);
    const result = await runCommand(routeCommand.run, ["-", "--config", "bomb.yml"], { cwd: temp.dir, stdin: JSON.stringify(workflowJob()) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^bomb\.yml:2:\d+ \(file\): refused: .*YAML bomb/m);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe("an error Runway did not expect", () => {
  it("is one line and exit 70, never a stack trace", async () => {
    let stderr = "";
    const io = { stderr: { write: (chunk: string) => (stderr += chunk) }, env: {} };
    expect(reportInternalError(io, new TypeError("x is undefined\n    at somewhere (file.ts:1:1)"))).toBe(70);
    expect(stderr).toBe("runway: internal error (a bug in Runway, please report it): TypeError: x is undefined\n");
  });

  it("shows the stack with RUNWAY_DEBUG=1, for the bug report", () => {
    let stderr = "";
    reportInternalError({ stderr: { write: (chunk: string) => (stderr += chunk) }, env: { RUNWAY_DEBUG: "1" } }, new Error("boom"));
    expect(stderr).toMatch(/^runway: internal error .*boom\nError: boom\n\s+at /);
  });

  it("is what main() answers when a command throws", async () => {
    const stdin = { [Symbol.asyncIterator]: () => { throw new RangeError("stdin exploded"); } };
    let stderr = "";
    const code = await main({
      argv: ["route", "-", "--config", SAMPLE_CONFIG_FILE],
      stdout: { write: () => true },
      stderr: { write: (chunk: string) => (stderr += chunk) },
      stdin: stdin as never,
      cwd: temp.dir,
      env: {},
    });
    expect({ code, stderr }).toEqual({ code: 70, stderr: "runway: internal error (a bug in Runway, please report it): RangeError: stdin exploded\n" });
  });
});
