/**
 * `runway check-config [FILE]`: validate a configuration file before deploying it, listing every
 * problem as `file:line:column field: message` so that an editor or CI annotator can jump to it.
 */
import { ConfigError } from "../../config/errors.ts";
import type { RunwayConfig } from "../../config/schema.ts";
import { parseCommandArgs } from "../args.ts";
import { EXIT, type CliCommand, type CommandIo } from "../command.ts";
import { cliConfigPath, loadCliConfig } from "../config.ts";
import { UsageError } from "../errors.ts";
import { displayPath, formatProblem, plural, reportFailure, writeLine } from "../output.ts";

const usage = `Usage: runway check-config [FILE]

Validate a Runway configuration file (default: $RUNWAY_CONFIG, else ./runway.yml): its encoding
(UTF-8, or UTF-16), YAML syntax and aliases, every field's type, unknown fields, regular
expressions, stages naming known environments.

Exit status:
  0  the file is valid: prints "ok: FILE: N environments (…), stages …"
  1  the file is invalid, missing or unreadable (another encoding, a YAML bomb): prints every
     problem as file:line:column field: message
  2  bad usage`;

async function run(io: CommandIo): Promise<number> {
  let file: string | undefined;
  try {
    const { values, positionals } = parseCommandArgs(io.argv, { help: { type: "boolean", short: "h", default: false } });
    if (values.help) {
      writeLine(io.stdout, usage);
      return EXIT.ok;
    }
    if (positionals.length > 1) throw new UsageError(`one file at a time (got ${positionals.join(" ")})`);
    file = cliConfigPath(io, positionals[0]);
    const { config } = loadCliConfig(io, positionals[0]);
    writeLine(io.stdout, `ok: ${displayPath(io.cwd, file)}: ${describe(config)}`);
    return EXIT.ok;
  } catch (error) {
    // An invalid file is this command's "no" (exit 1), not a usage error.
    if (error instanceof ConfigError) {
      for (const problem of error.problems) writeLine(io.stderr, formatProblem(problem, io.cwd));
      writeLine(io.stderr, `${displayPath(io.cwd, file ?? "")}: ${plural(error.problems.length, "problem")}`);
      return EXIT.no;
    }
    return reportFailure(io, error, "check-config");
  }
}

/** `3 environments (dev, stg, prd), stages dev → dev, shared → all`. */
function describe(config: RunwayConfig): string {
  const envs = Object.keys(config.environments);
  const stages = Object.entries(config.stages).map(([stage, served]) => `${stage} → ${served === "all" ? "all" : served.join(", ")}`);
  return `${plural(envs.length, "environment")} (${envs.join(", ")}), ${
    stages.length > 0 ? `stages ${stages.join("; ")}` : "no stages (every deployed stage serves every environment)"
  }`;
}

/** The `check-config` subcommand. */
export const checkConfigCommand: CliCommand = {
  summary: "validate a configuration file and list every problem with its line",
  usage,
  run,
};
