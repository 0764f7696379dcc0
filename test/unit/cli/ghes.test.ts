/**
 * The command line on GitHub Enterprise Server: `check-config` warns, with the filter's line, about
 * each WORKFLOW_NAME filter (deliveries before GHES 3.7 have no workflow_name), and `route` shows
 * the reason a delivery without workflow_name went nowhere.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkConfigCommand } from "../../../lib/cli/commands/check-config.ts";
import { routeCommand } from "../../../lib/cli/commands/route.ts";
import { workflowJob } from "../../support/payloads.ts";
import { runCommand, tempDir } from "./run.ts";

const CONFIG = `environments:
  apps:
    workflows:
      - - type: REPOSITORY
          pattern: ^acme/
    labels: [self-hosted, runway-apps]
    codebuild:
      project: runway-runner-apps
  prd:
    workflows:
      - - type: WORKFLOW_NAME
          pattern: ^deploy-prd$
        - type: WORKFLOW_NAME
          pattern: dry-run
          excludeMatchedPattern: true
    labels: [self-hosted, runway-prd]
    codebuild:
      project: runway-runner-prd
`;

let temp: ReturnType<typeof tempDir>;
beforeEach(() => {
  temp = tempDir();
  writeFileSync(join(temp.dir, "runway.yml"), CONFIG);
});
afterEach(() => temp.remove());

const check = (argv: string[], env: Record<string, string> = {}) => runCommand(checkConfigCommand.run, argv, { cwd: temp.dir, env });

describe("runway check-config on GitHub Enterprise Server", () => {
  it("warns about each WORKFLOW_NAME filter, where it is written, and still accepts the file", async () => {
    const result = await check(["--github-url", "https://ghe.example.com"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("ok: runway.yml: 2 environments (apps, prd), no stages (every deployed stage serves every environment)\n");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      "runway.yml:11:11 environments.prd.workflows.0.0: warning: filters on WORKFLOW_NAME, but GitHub Enterprise Server before 3.7 sends workflow_job deliveries without it " +
        "(https://ghe.example.com is an Enterprise Server): those jobs never match this filter; route them by REPOSITORY, HEAD_BRANCH, JOB_NAME, labels or the run label instead, or upgrade the server",
    );
    expect(lines[1]).toMatch(/^runway\.yml:13:11 environments\.prd\.workflows\.0\.1: warning: .*: this exclusion never excludes those jobs;/);
  });

  it("takes the GitHub from GITHUB_SERVER_URL, as GitHub Actions sets it in a job", async () => {
    const result = await check([], { GITHUB_SERVER_URL: "https://ghe.example.com" });
    expect(result.stderr).toContain("environments.prd.workflows.0.0: warning: filters on WORKFLOW_NAME");
  });

  it("says nothing on github.com and GHE.com, whose deliveries always carry the name", async () => {
    const envs: Record<string, string>[] = [{}, { GITHUB_SERVER_URL: "https://github.com" }, { GITHUB_SERVER_URL: "https://octocorp.ghe.com" }];
    for (const env of envs) {
      expect(await check([], env)).toMatchObject({ code: 0, stderr: "" });
    }
  });

  it("refuses an address that is not a GitHub web address as bad usage, saying what to give", async () => {
    const result = await check(["--github-url", "https://ghe.example.com/api/v3"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("runway check-config: --github-url is GitHub's web address, not its API's: give https://ghe.example.com");
  });
});

describe("runway route on a delivery without workflow_name", () => {
  it("ignores it for the environment that needs the name, explaining why and what still works", async () => {
    const payload = workflowJob({ workflowName: null, repository: "other/api", labels: ["self-hosted", "runway-prd", "runway-run-940463255-1"] });
    writeFileSync(join(temp.dir, "job.json"), JSON.stringify(payload));
    const result = await runCommand(routeCommand.run, ["job.json"], { cwd: temp.dir });
    expect(result.code).toBe(1);
    const reason =
      "the delivery has no workflow_name (GitHub Enterprise Server before 3.7 sends workflow_job deliveries without it), so no WORKFLOW_NAME filter can match it: prd group 1 needs the workflow's name; " +
      "filters that still work on this delivery: JOB_NAME, REPOSITORY, REPOSITORY_NAME, ORGANIZATION_NAME, HEAD_BRANCH, ACTOR, labels and the run label";
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: "ignored", reason });
    expect(result.stderr).toContain("of workflow (no workflow_name in the delivery)");
    expect(result.stderr).toContain(`✗ WORKFLOW_NAME (missing) !~ ^deploy-prd$`);
    expect(result.stderr.trimEnd().split("\n").at(-1)).toBe(`Ignored: ${reason}`);
  });
});
