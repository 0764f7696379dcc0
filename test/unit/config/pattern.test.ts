import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkConfigCommand } from "../../../lib/cli/commands/check-config.ts";
import { hydrateConfig, serializeConfig } from "../../../lib/config/compiled.ts";
import { ConfigError } from "../../../lib/config/errors.ts";
import { parseConfig } from "../../../lib/config/load.ts";
import { compilePattern, matches, PatternError } from "../../../lib/config/pattern.ts";
import { runCommand, tempDir } from "../cli/run.ts";

/** One environment whose only filter has `pattern`, written as YAML would quote it. */
const withPattern = (pattern: string) => `environments:
  dev:
    workflows:
      - - type: WORKFLOW_NAME
          pattern: '${pattern}'
    codebuild:
      project: runway-runner-dev
    labels: [self-hosted, runway-dev]
`;

function problems(text: string) {
  try {
    parseConfig(text, "runway.yml");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

function refusal(source: string): string {
  try {
    compilePattern(source);
  } catch (error) {
    expect(error).toBeInstanceOf(PatternError);
    return (error as Error).message;
  }
  throw new Error(`expected ${source} to be refused`);
}

describe("compilePattern() and matches(): RE2 semantics, RegExp#test's answers", () => {
  it.each([
    ["^(action.*dev-deploy)$", "action-web-dev-deploy", true],
    ["^(action.*dev-deploy)$", "action-web-dev-deploy-2", false],
    // Unanchored unless anchored, as RegExp#test.
    ["dev", "action-dev-deploy", true],
    // Case-sensitive, with the inline modifier for the exceptions.
    ["^deploy$", "Deploy", false],
    ["(?i:hotfix)", "HOTFIX now", true],
    // `$` is the end of the value, not before a final newline.
    ["^deploy$", "deploy\n", false],
    ["^(main|release/.+)$", "release/2.1", true],
    ["^dependabot\\[bot\\]$", "dependabot[bot]", true],
    // Code points, not UTF-16 halves, as the `u` flag did.
    ["^.$", "😀", true],
  ])("%s on %j → %s", (source, value, expected) => {
    expect(matches(compilePattern(source), value)).toBe(expected);
    expect(new RegExp(source, "u").test(value)).toBe(expected);
  });

  it("shows its source as RegExp#source did, so traces read as before", () => {
    for (const source of ["^(main|release/.+)$", "[/]x", "a\\/b", "^(action.*dev-deploy)$"]) {
      expect(compilePattern(source).source).toBe(new RegExp(source, "u").source);
    }
  });

  it("answers on a hostile value for a nested-quantifier pattern JavaScript backtracks on", () => {
    const pattern = compilePattern("^([a-z0-9]+-?)+-deploy$");
    expect(matches(pattern, `${"a".repeat(39)}!`)).toBe(false);
    expect(matches(pattern, `${"a-".repeat(5_000)}!`)).toBe(false);
    expect(matches(pattern, `${"ab-".repeat(3_000)}deploy`)).toBe(true);
  });
});

describe("compilePattern() refuses what RE2 does not match, saying what to write", () => {
  it.each([
    ["^deploy(?!-test)", /^lookahead \(\?!…\) is not supported: .*RE2.*excludeMatchedPattern: true/],
    ["^deploy(?=-web)", /^lookahead \(\?=…\) is not supported: .*RE2.*second filter.*excludeMatchedPattern: true/],
    ["(?<!legacy-)deploy$", /^lookbehind \(\?<!…\) is not supported: .*RE2.*excludeMatchedPattern: true/],
    ["(?<=action-)deploy", /^lookbehind \(\?<=…\) is not supported: .*RE2/],
    ["^(dev|stg)-\\1$", /^backreference \\1 is not supported: .*RE2.*spell the alternatives out/],
    ["^(?<env>dev)-\\k<env>$", /^backreference \\k is not supported: .*RE2/],
    ["^a++$", /^possessive quantifier \+\+ is not supported: .*RE2.*write \+ alone/],
    ["^(?>a+)$", /^atomic group \(\?>…\) is not supported: .*RE2/],
    ["^\\u0041$", /^the escape \\u is not supported: .*RE2.*\\x\{41\}/],
    ["^(action.*dev-deploy$", /^not a valid regular expression: missing closing \) at `\^\(action\.\*dev-deploy\$`; patterns use RE2 syntax/],
  ])("%s", (source, message) => {
    expect(refusal(source)).toMatch(message);
  });

  it("reports a refused pattern through the configuration's problems, with its line and field", () => {
    expect(problems(withPattern("^deploy(?!-test)"))).toEqual([
      expect.objectContaining({
        file: "runway.yml",
        line: 5,
        field: "environments.dev.workflows.0.0.pattern",
        message: expect.stringMatching(/^lookahead \(\?!…\) is not supported: patterns use RE2 syntax.*excludeMatchedPattern: true/),
      }),
    ]);
    expect(problems(withPattern("^(dev|stg)-\\1$"))).toEqual([
      expect.objectContaining({ line: 5, field: "environments.dev.workflows.0.0.pattern", message: expect.stringMatching(/^backreference \\1 is not supported/) }),
    ]);
  });
});

describe("runway check-config on a pattern RE2 refuses", () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.remove());

  it.each([
    ["lookahead.yml", "^deploy(?!-test)", "lookahead \\(\\?!…\\) is not supported: patterns use RE2 syntax"],
    ["backref.yml", "^(dev|stg)-\\1$", "backreference \\\\1 is not supported: patterns use RE2 syntax"],
  ])("%s names file, line and field", async (name, pattern, message) => {
    writeFileSync(join(temp.dir, name), withPattern(pattern));
    const result = await runCommand(checkConfigCommand.run, [name], { cwd: temp.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^${name.replace(".", "\\.")}:5:\\d+ environments\\.dev\\.workflows\\.0\\.0\\.pattern: ${message}`, "m"));
  });
});

describe("the compiled configuration carries RE2 patterns", () => {
  it("writes each pattern as its source and matches it after reading it back, as before", () => {
    const config = parseConfig(withPattern("^(main|release/.+)$"), "runway.yml");
    const text = serializeConfig(config);
    expect(JSON.parse(text).environments.dev.workflows[0][0].pattern).toEqual({ source: "^(main|release\\/.+)$" });

    const pattern = hydrateConfig(text).environments.dev!.workflows[0]![0]!.pattern;
    expect(pattern.source).toBe("^(main|release\\/.+)$");
    expect([matches(pattern, "release/2.1"), matches(pattern, "feature/x"), matches(pattern, "release\\/x")]).toEqual([true, false, false]);
  });

  it("says what is wrong with a pattern in a compiled configuration edited by hand", () => {
    expect(() => matches({ source: "^deploy(?!-test)" }, "deploy")).toThrow(/^lookahead \(\?!…\) is not supported/);
  });
});
