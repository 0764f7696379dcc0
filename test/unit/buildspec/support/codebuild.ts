/**
 * Runs a buildspec the way CodeBuild does, as far as the runner buildspec depends on it: phases in
 * order (install, pre_build, build, post_build), each command through the buildspec's shell in
 * $CODEBUILD_SRC_DIR, `env.variables` as defaults under the project's and StartBuild's variables,
 * and CodeBuild's phase transitions: a failed command ends its phase; a failed install or pre_build
 * ends the build (ABORT, their default); a failed build phase still runs post_build (CONTINUE, the
 * build phase's default); any failed phase makes the build FAILED.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { parse } from "yaml";

export const PHASES = ["install", "pre_build", "build", "post_build"] as const;
export type PhaseName = (typeof PHASES)[number];

export interface PhaseSpec {
  "on-failure"?: string;
  commands?: string[];
}

export interface Buildspec {
  version: unknown;
  env?: { shell?: string; variables?: Record<string, unknown>; [key: string]: unknown };
  phases: Partial<Record<PhaseName, PhaseSpec>>;
}

export interface PhaseResult {
  phase: PhaseName;
  /** Exit status of the command that ended the phase (0 when every command passed). */
  exitCode: number;
}

export interface BuildResult {
  status: "SUCCEEDED" | "FAILED";
  /** The phases that ran, in order. */
  phases: PhaseResult[];
  /** Everything the commands printed, stdout and stderr interleaved as they arrived. */
  output: string;
}

export async function loadBuildspec(path: string): Promise<Buildspec> {
  return parse(await readFile(path, "utf8")) as Buildspec;
}

function runCommand(shell: string, command: string, cwd: string, env: NodeJS.ProcessEnv, out: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(shell, ["-c", command], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => out.push(chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function continuesAfterFailure(phase: PhaseName, spec: PhaseSpec): boolean {
  const onFailure = spec["on-failure"];
  if (onFailure === undefined) return phase === "build";
  return onFailure === "CONTINUE";
}

/**
 * Runs `buildspec` with `env` (the project's and StartBuild's variables, which win over the
 * buildspec's own `env.variables`) in `srcDir`.
 */
export async function runBuild(buildspec: Buildspec, srcDir: string, env: Record<string, string>): Promise<BuildResult> {
  const shell = buildspec.env?.shell ?? "sh";
  const defaults = Object.fromEntries(Object.entries(buildspec.env?.variables ?? {}).map(([key, value]) => [key, String(value)]));
  const fullEnv = { ...defaults, ...env, CODEBUILD_SRC_DIR: srcDir };
  const out: string[] = [];
  const phases: PhaseResult[] = [];
  let failed = false;
  for (const phase of PHASES) {
    const spec = buildspec.phases[phase];
    if (!spec) continue;
    let exitCode = 0;
    for (const command of spec.commands ?? []) {
      exitCode = await runCommand(shell, command, srcDir, fullEnv, out);
      if (exitCode !== 0) break;
    }
    phases.push({ phase, exitCode });
    if (exitCode !== 0) {
      failed = true;
      if (!continuesAfterFailure(phase, spec)) break;
    }
  }
  return { status: failed ? "FAILED" : "SUCCEEDED", phases, output: out.join("") };
}
