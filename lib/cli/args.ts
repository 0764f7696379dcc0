/**
 * Argument parsing for the subcommands: `node:util` `parseArgs`, strict, with its errors turned
 * into `UsageError` so that a typo exits 2 with the usage rather than a stack trace.
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { UsageError } from "./errors.ts";

/**
 * Parse a subcommand's arguments. Boolean options also accept `--name=false` / `--name=true`
 * (people type `--explain=false` as often as `--no-explain`), and `--no-name` negates them.
 *
 * @example
 * const { values, positionals } = parseCommandArgs(io.argv, { json: { type: "boolean" } });
 */
export function parseCommandArgs<T extends ParseArgsOptionsConfig>(argv: string[], options: T) {
  const booleans = new Set(Object.entries(options).filter(([, o]) => o.type === "boolean").map(([name]) => name));
  const normalized = argv.map((arg) => {
    const explicit = /^--([^=]+)=(true|false)$/.exec(arg);
    if (!explicit || !booleans.has(explicit[1]!)) return arg;
    return explicit[2] === "true" ? `--${explicit[1]}` : `--no-${explicit[1]}`;
  });
  try {
    return parseArgs({ args: normalized, options, allowPositionals: true, allowNegative: true, strict: true });
  } catch (error) {
    // parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes and messages that already name the option.
    if ((error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError((error as Error).message, { cause: error });
    }
    throw error;
  }
}
