import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { commands, runCli } from "../../../lib/cli/main.ts";
import { workflowJob } from "../../support/payloads.ts";
import { REPO_ROOT, runCommand } from "./run.ts";

describe("runway (dispatcher)", () => {
  it("lists every command with --help, exit 0", async () => {
    const result = await runCommand(runCli, ["--help"]);
    expect(result.code).toBe(0);
    for (const name of Object.keys(commands)) expect(result.stdout).toContain(`  ${name}  `);
    expect(result.stdout).toContain("help");
  });

  it("shows a command's usage with help <command>", async () => {
    const result = await runCommand(runCli, ["help", "check-config"]);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining("Usage: runway check-config [FILE]") });
  });

  it.each([[[]], [["deploy"]], [["toString"]], [["help", "deploy"]]])("exits 2 with the usage on stderr for %j", async (argv) => {
    const result = await runCommand(runCli, argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("Usage: runway <command> [options]");
  });

  it("passes the remaining arguments to the command", async () => {
    const result = await runCommand(runCli, ["check-config", "runway.yml"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok: runway\.yml: 3 environments/);
  });
});

describe("the runway bin", () => {
  it("runs as an executable through its shebang, with streams and exit code wired to the process", async () => {
    // The file package.json's bin points at: what npm links as node_modules/.bin/runway.
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { bin: { runway: string } };
    const bin = join(REPO_ROOT, pkg.bin.runway);
    // `#!/usr/bin/env node` must find Node 24 (the devDependency), as under npx.
    const PATH = [join(REPO_ROOT, "node_modules", ".bin"), process.env.PATH].join(delimiter);

    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = execFile(bin, ["route", "-", "--config", "runway.yml"], { cwd: REPO_ROOT, env: { ...process.env, PATH } }, (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") reject(error);
        else resolve({ code: child.exitCode, stdout, stderr });
      });
      child.stdin!.end(JSON.stringify(workflowJob({ workflowName: "deploy-web" })));
    });

    expect(stderr.trimEnd().split("\n").at(-1)).toBe(`Ignored: no environment's workflow filter matched "deploy-web"`);
    expect(JSON.parse(stdout)).toMatchObject({ outcome: "ignored" });
    expect(code).toBe(1);
  });
});
