#!/usr/bin/env node
/**
 * `runway`: the command-line tool (`npx runway …`). This file holds the table of subcommands and
 * wires the real process to them; each subcommand lives in `commands/` and is given its streams,
 * so that tests run it without spawning a process.
 *
 * To add a subcommand (`runway replay …`): write `commands/replay.ts` exporting a `CliCommand`,
 * and add it to `commands` below.
 */
import { EXIT, type CliCommand, type CommandIo } from "./command.ts";
import { checkConfigCommand } from "./commands/check-config.ts";
import { deliverCommand } from "./commands/deliver.ts";
import { replayCommand } from "./commands/replay.ts";
import { routeCommand } from "./commands/route.ts";
import { validateCommand } from "./commands/validate.ts";
import { reportInternalError, writeLine } from "./output.ts";

/** Every subcommand, by the name typed after `runway`. */
export const commands: Readonly<Record<string, CliCommand>> = {
  route: routeCommand,
  "check-config": checkConfigCommand,
  deliver: deliverCommand,
  replay: replayCommand,
  validate: validateCommand,
};

/** `runway --help`. */
export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const list = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return [
    "Usage: runway <command> [options]",
    "",
    "Runway's command-line tool: check a configuration and see how jobs are routed, without AWS.",
    "",
    "Commands:",
    ...list,
    `  ${"help".padEnd(width)}  show a command's options: runway help <command>`,
    "",
    "Exit status: 0 yes / ok, 1 no (a job ignored, an invalid file), 2 bad usage or unloadable configuration, 70 a bug in Runway.",
  ].join("\n");
}

/**
 * Run the command line `argv` (the arguments after `runway`) and return the exit code.
 *
 * @example
 * const code = await runCli({ argv: ["check-config"], stdout, stderr, stdin, cwd, env });
 */
export async function runCli(io: CommandIo): Promise<number> {
  const [name, ...rest] = io.argv;
  if (name === undefined || name === "--help" || name === "-h") {
    writeLine(name === undefined ? io.stderr : io.stdout, usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "help") {
    const topic = rest[0];
    if (topic === undefined) {
      writeLine(io.stdout, usage());
      return EXIT.ok;
    }
    const command = findCommand(topic);
    if (command === undefined) return unknown(io, topic);
    writeLine(io.stdout, command.usage);
    return EXIT.ok;
  }
  const command = findCommand(name);
  if (command === undefined) return unknown(io, name);
  return command.run({ ...io, argv: rest });
}

/** Own entries only: `runway toString` is an unknown command, not Object.prototype's. */
function findCommand(name: string): CliCommand | undefined {
  return Object.hasOwn(commands, name) ? commands[name] : undefined;
}

function unknown(io: CommandIo, name: string): number {
  writeLine(io.stderr, `runway: unknown command ${JSON.stringify(name)}`);
  writeLine(io.stderr, "");
  writeLine(io.stderr, usage());
  return EXIT.usage;
}

/**
 * `runCli`, and any error it did not expect reported on one line with exit code 70 (never a stack
 * trace: see `reportInternalError`).
 */
export async function main(io: CommandIo): Promise<number> {
  try {
    return await runCli(io);
  } catch (error) {
    return reportInternalError(io, error);
  }
}

if (import.meta.main) {
  process.exitCode = await main({
    argv: process.argv.slice(2),
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: process.cwd(),
    env: process.env,
  });
}
