/**
 * Files nobody meant to write, or somebody meant harm with: each is refused with a message that
 * says what to change, located in the file, and never accepted in a wrong reading.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, type ConfigProblem } from "../../../lib/config/errors.ts";
import { loadConfigFile, parseConfig } from "../../../lib/config/load.ts";

const valid = `environments:
  dev:
    description: Développement
    workflows:
      - - type: WORKFLOW_NAME
          pattern: ^(action.*dev-deploy)$
    codebuild:
      project: runway-runner-dev
    labels: [self-hosted, runway-dev]
`;

const dir = mkdtempSync(join(tmpdir(), "runway-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function caught(load: () => unknown): ConfigProblem[] {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}
const problems = (text: string) => caught(() => parseConfig(text, "runway.yml"));
function fileWith(name: string, bytes: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** Nine lists of nine aliases of the level above: 9^9 (387 million) strings once expanded. */
const billionLaughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ..."bcdefghi".split("").map((level, i) => `${level}: &${level} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(",")}]`),
  "environments: *i",
].join("\n");

describe("a YAML bomb", () => {
  it("is refused, where its first alias is, in bounded time", () => {
    const started = performance.now();
    const [problem, ...rest] = problems(billionLaughs);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ line: 2, column: 8, field: "", message: expect.stringContaining("YAML bomb") });
    expect(problem!.message).toContain("more than 100 copies");
  });

  it("is refused however flat: two hundred aliases of one environment", () => {
    const text = `${valid}${Array.from({ length: 200 }, (_, i) => `  e${i}: *dev\n`).join("")}`.replace("  dev:", "  dev: &dev");
    expect(problems(text)).toEqual([expect.objectContaining({ message: expect.stringContaining("YAML bomb") })]);
  });

  it("leaves ordinary anchors alone", () => {
    const stg = "  stg:\n    workflows: *filters\n    codebuild: { project: runway-runner-stg }\n    labels: [self-hosted, runway-stg]\n";
    const config = parseConfig(valid.replace("    workflows:", "    workflows: &filters") + stg, "runway.yml");
    expect(config.environments.stg!.workflows[0]![0]!.pattern.source).toBe("^(action.*dev-deploy)$");
  });
});

describe("names", () => {
  it("hints that environment names are lower-case, and suggests one", () => {
    expect(problems(valid.replace("  dev:", "  Prod:"))).toEqual([
      expect.objectContaining({ line: 2, field: "environments.Prod", message: expect.stringMatching(/lower-case.*did you mean prod\?$/) }),
    ]);
    expect(problems(valid.replace("  dev:", "  PRD_EU:"))[0]!.message).toContain("did you mean prd-eu?");
  });

  it("says what a stage is when it is neither a list nor all", () => {
    const [problem] = problems(`${valid}stages:\n  dev: dev\n`);
    expect(problem).toMatchObject({ field: "stages.dev", line: 11 });
    expect(problem!.message).toMatch(/list of environment names.*or all.*write \[dev\]$/);
    expect(problems(`${valid}stages:\n  dev: []\n`)[0]!.message).toContain("at least one environment");
    expect(problems(`${valid}stages:\n  dev: [Dev]\n`)[0]).toMatchObject({ field: "stages.dev.0", message: expect.stringContaining("did you mean dev?") });
  });

  it("refuses an environment named __proto__ instead of dropping it", () => {
    const found = problems(valid.replace("  dev:", "  __proto__:"));
    expect(found[0]).toMatchObject({ line: 2, column: 3, field: "environments.__proto__", message: expect.stringContaining("cannot be a name") });
  });

  it("refuses __proto__ wherever it is a key", () => {
    const text = valid.replace("      project: runway-runner-dev", "      project: runway-runner-dev\n      __proto__: {}");
    expect(problems(text)).toEqual(expect.arrayContaining([expect.objectContaining({ field: "environments.dev.codebuild.__proto__" })]));
  });

  it("refuses names every JavaScript object already has", () => {
    expect(problems(valid.replace("  dev:", "  constructor:"))).toEqual([
      expect.objectContaining({ field: "environments.constructor", message: expect.stringContaining('"constructor" cannot be an environment name') }),
    ]);
    const stages = problems(`${valid}stages:\n  toString: [dev]\n  constructor: all\n`);
    expect(stages.map((p) => p.field)).toEqual(["stages.toString", "stages.constructor"]);
  });

  it("says merge keys are not supported", () => {
    expect(problems(`x: &x {}\n${valid.replace("  dev:", "  <<: *x\n  dev:")}`)).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: "environments.<<", message: expect.stringContaining("merge keys (<<) are not supported") })]),
    );
  });

  it("says what the top of the file must be", () => {
    expect(problems("- dev\n")[0]!.message).toBe("a Runway configuration is a mapping with environments: at the top; this file holds a list");
  });
});

describe("encodings", () => {
  it("refuses a Latin-1 file, naming the byte, its line and column, and its offset", () => {
    const file = fileWith("latin1.yml", Buffer.from(valid, "latin1"));
    expect(caught(() => loadConfigFile(file))).toEqual([
      {
        file,
        line: 3,
        column: 19,
        field: "",
        message: "not UTF-8: byte 0xE9 at byte offset 39 is not part of a UTF-8 character (a Latin-1 or Windows-1252 file looks like this): save it as UTF-8",
      },
    ]);
  });

  it.each([
    ["UTF-16LE with its byte order mark", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(valid, "utf16le")])],
    ["UTF-16BE with its byte order mark", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(valid, "utf16le").swap16()])],
    ["UTF-16LE without one", Buffer.from(valid, "utf16le")],
    ["UTF-8 with a byte order mark", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid)])],
  ])("reads %s as the text it is", (name, bytes) => {
    const config = loadConfigFile(fileWith(`${name.replace(/\W+/g, "-")}.yml`, bytes));
    expect(config.environments.dev!.description).toBe("Développement");
  });

  it("refuses UTF-32, and broken UTF-16, asking for UTF-8", () => {
    const utf32 = Buffer.alloc(valid.length * 4);
    [...valid].forEach((char, i) => utf32.writeUInt32LE(char.codePointAt(0)!, i * 4));
    expect(caught(() => loadConfigFile(fileWith("utf32.yml", Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32]))))[0]!.message).toBe(
      "the file is UTF-32, which Runway does not read: save it as UTF-8",
    );
    const oddLength = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(valid, "utf16le"), Buffer.from([0x41])]);
    expect(caught(() => loadConfigFile(fileWith("broken16.yml", oddLength)))[0]!.message).toContain("save it as UTF-8");
  });

  it("keeps a U+FFFD the file really holds", () => {
    const config = parseConfig(valid.replace("Développement", "Dev \uFFFD"), "runway.yml");
    expect(config.environments.dev!.description).toBe("Dev \uFFFD");
    const file = fileWith("fffd-then-latin1.yml", Buffer.concat([Buffer.from(valid.replace("Développement", "\uFFFD")), Buffer.from("# caf\xe9\n", "latin1")]));
    expect(caught(() => loadConfigFile(file))[0]).toMatchObject({ line: 10, column: 6 });
  });
});

describe("structure", () => {
  it("refuses a file nested thousands deep with one message", () => {
    expect(problems(`environments: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`)).toEqual([
      expect.objectContaining({ field: "", message: expect.stringContaining("nested too deeply") }),
    ]);
  });

  it("calls a directory a directory", () => {
    expect(caught(() => loadConfigFile(dir))[0]!.message).toMatch(/^a directory, not a file/);
  });
});
