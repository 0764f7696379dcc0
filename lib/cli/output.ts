/**
 * Output helpers shared by the subcommands: lines, JSON, paths shown relative to where the person
 * stands, configuration problems in the `file:line:column field: message` form editors and CI
 * annotators understand, and the one place that turns a failure into an exit code.
 */
import { isAbsolute, relative } from "node:path";
import { ConfigError, type ConfigProblem } from "../config/errors.ts";
import { EXIT, type CommandIo, type TextSink } from "./command.ts";
import { UsageError } from "./errors.ts";

/** Write one line. */
export function writeLine(sink: TextSink, text = ""): void {
  sink.write(`${text}\n`);
}

/** Write a value as indented JSON, one document per call. */
export function writeJson(sink: TextSink, value: unknown): void {
  sink.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** `file` relative to `cwd` when it lies inside it (shorter, and still clickable), else as given. */
export function displayPath(cwd: string, file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? file : rel;
}

/**
 * One configuration problem on one line: `runway.yml:12:7 environments.dev.codebuild: missing: expected object`.
 *
 * @example
 * formatProblem({ file: "/repo/runway.yml", line: 3, column: 5, field: "stages", message: "…" }, "/repo");
 * // "runway.yml:3:5 stages: …"
 */
export function formatProblem(problem: ConfigProblem, cwd: string): string {
  return `${displayPath(cwd, problem.file)}:${problem.line}:${problem.column} ${problem.field || "(file)"}: ${problem.message}`;
}

/** `1 environment`, `3 environments`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/**
 * Report a failure the person can fix — bad usage, or a configuration that does not load — on
 * stderr and return exit code 2. Anything else is a bug in Runway and is rethrown, so that its
 * stack trace is not disguised as a usage message.
 */
export function reportFailure(io: Pick<CommandIo, "stderr" | "cwd">, error: unknown, command: string): number {
  if (error instanceof UsageError) {
    writeLine(io.stderr, `runway ${command}: ${error.message}`);
    writeLine(io.stderr, `Run \`runway help ${command}\` for usage.`);
    return EXIT.usage;
  }
  if (error instanceof ConfigError) {
    for (const problem of error.problems) writeLine(io.stderr, formatProblem(problem, io.cwd));
    return EXIT.usage;
  }
  throw error;
}

/** The exit code of a bug in Runway (sysexits' EX_SOFTWARE): not the person's mistake. */
export const EXIT_INTERNAL = 70;

/**
 * Report an error no command expected, on one line: its class and message, and where to take it.
 * Never a stack trace (a person cannot act on one, and a CI log keeps it); set RUNWAY_DEBUG=1 to
 * see it when reporting the bug.
 *
 * @example
 * process.exitCode = reportInternalError({ stderr: process.stderr, env: process.env }, error); // 70
 */
export function reportInternalError(io: Pick<CommandIo, "stderr" | "env">, error: unknown): number {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  writeLine(io.stderr, `runway: internal error (a bug in Runway, please report it): ${text.split("\n")[0]}`);
  if (io.env.RUNWAY_DEBUG && error instanceof Error && error.stack) writeLine(io.stderr, error.stack);
  return EXIT_INTERNAL;
}
