/** Runs a CLI command in-process with captured streams, as `main.ts` would with the real ones. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { CommandIo } from "../../../lib/cli/command.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const FIXTURE_WORKFLOWS = join(REPO_ROOT, "test/fixtures/workflows");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  stdin?: string;
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/** Call `run` with `argv` and capture what it writes. The environment is empty unless given. */
export async function runCommand(run: (io: CommandIo) => Promise<number>, argv: string[], options: RunOptions = {}): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const code = await run({
    argv,
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    stdin: Readable.from([Buffer.from(options.stdin ?? "")]),
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? {},
  });
  return { code, stdout, stderr };
}

/** A temporary directory, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "runway-cli-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
