/**
 * The shape every `runway` subcommand has: it is given its arguments and streams and returns an
 * exit code. Nothing here touches `process`, so a test runs a command with captured streams and a
 * temporary working directory, and `main.ts` is the only file that knows about the real process.
 */

/** Where a command writes: `process.stdout` and `process.stderr` fit, so does a test's buffer. */
export interface TextSink {
  write(chunk: string): unknown;
}

/** Everything a command may use from its surroundings. */
export interface CommandIo {
  /** The arguments after the subcommand's name. */
  argv: string[];
  stdout: TextSink;
  stderr: TextSink;
  /** Read only when an argument is `-`. */
  stdin: AsyncIterable<string | Uint8Array>;
  /** Relative paths in arguments are resolved against this directory. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Exit codes shared by every command, so that a script can tell "no" from "broken":
 * 0 yes / ok, 1 a negative answer (a job Runway ignores, an invalid configuration), 2 the command
 * could not answer (bad usage, unreadable input, a configuration that does not load).
 */
export const EXIT = { ok: 0, no: 1, usage: 2 } as const;

/** One entry in the dispatcher table of `lib/cli/main.ts`. */
export interface CliCommand {
  /** One line for `runway --help`. */
  summary: string;
  /** The full text of `runway help <name>`. */
  usage: string;
  run(io: CommandIo): Promise<number>;
}
