/**
 * `params.githubUrl` as osls resolves it: every function gets GITHUB_SERVER_URL and GITHUB_API_URL
 * derived from it (lib/build/serverless-github.cjs), github.com's by default, an Enterprise
 * Server's `https://HOST` and `https://HOST/api/v3` when a stage names one; an API address is
 * refused with what to give instead, and nothing is packaged.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingSources, ofType, packageStage, placeholderBundles, serviceDir, type Packaged } from "./harness.ts";

let root: string;
let byDefault: Packaged;
let enterprise: Packaged;
let refused: Packaged;

/** A service whose serverless.yml sets `params.dev.githubUrl` (as `--param` would for one deploy). */
function withGitHubUrl(name: string, url: string): string {
  const dir = serviceDir(root, name, { stubs: missingSources() });
  const file = join(dir, "serverless.yml");
  const yml = readFileSync(file, "utf8");
  if (!/^ {2}dev:\n/m.test(yml)) throw new Error("serverless.yml has no params.dev to extend");
  writeFileSync(file, yml.replace(/^ {2}dev:\n/m, `  dev:\n    githubUrl: ${url}\n`));
  return dir;
}

beforeAll(async () => {
  root = placeholderBundles();
  [byDefault, enterprise, refused] = await Promise.all([
    packageStage(serviceDir(root, "default", { stubs: missingSources() }), "dev"),
    packageStage(withGitHubUrl("ghes", "https://ghe.example.com"), "dev"),
    packageStage(withGitHubUrl("api", "https://ghe.example.com/api/v3"), "dev"),
  ]);
}, 240_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const variables = (packaged: Packaged) =>
  ofType(packaged.template, "AWS::Lambda::Function").map(([id, fn]) => ({ id, server: fn.Properties.Environment?.Variables?.GITHUB_SERVER_URL, api: fn.Properties.Environment?.Variables?.GITHUB_API_URL }));

describe("params.githubUrl", () => {
  it("gives every function github.com's web and API addresses by default", () => {
    expect(byDefault.status, byDefault.output).toBe(0);
    const all = variables(byDefault);
    expect(all.length).toBeGreaterThan(5);
    for (const fn of all) expect(fn).toEqual({ id: fn.id, server: "https://github.com", api: "https://api.github.com" });
    // params.runnerReleasesUrl: github.com's actions/runner releases, whatever GitHub the stage serves.
    const release = byDefault.template.Resources.RunnerDashreleaseLambdaFunction;
    expect(release?.Properties.Environment.Variables.RUNWAY_RUNNER_RELEASES_URL).toBe("https://api.github.com/repos/actions/runner");
  });

  it("gives every function an Enterprise Server's host and its /api/v3 when the stage names one", () => {
    expect(enterprise.status, enterprise.output).toBe(0);
    for (const fn of variables(enterprise)) expect(fn).toEqual({ id: fn.id, server: "https://ghe.example.com", api: "https://ghe.example.com/api/v3" });
  });

  it("refuses the API's address, saying which address to give, and packages nothing", () => {
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain("params.githubUrl is GitHub's web address, not its API's: give https://ghe.example.com");
    expect(refused.files).not.toContain("cloudformation-template-update-stack.json");
  });
});
