/**
 * The configuration as the command line sees it: the file named on the command line, else
 * `RUNWAY_CONFIG`, else `runway.yml`, resolved against the command's working directory (not the
 * process's), and the environments a `--stage` serves.
 */
import { resolve } from "node:path";
import { DEFAULT_CONFIG_FILE, loadConfigFile } from "../config/load.ts";
import { ConfigError } from "../config/errors.ts";
import type { RunwayConfig } from "../config/schema.ts";
import { servedEnvironments } from "../config/served.ts";
import type { ServedEnvironments } from "../routing/route.ts";
import type { CommandIo } from "./command.ts";

/** The absolute path of the configuration file a command reads. */
export function cliConfigPath(io: Pick<CommandIo, "cwd" | "env">, file?: string): string {
  return resolve(io.cwd, file ?? io.env.RUNWAY_CONFIG ?? DEFAULT_CONFIG_FILE);
}

/**
 * Load and validate the configuration.
 *
 * @throws ConfigError with every problem, located in the file.
 */
export function loadCliConfig(io: Pick<CommandIo, "cwd" | "env">, file?: string): { file: string; config: RunwayConfig } {
  const path = cliConfigPath(io, file);
  return { file: path, config: loadConfigFile(path) };
}

/** The stage a command routes as, and the environments it serves. */
export interface CliStage {
  /** `undefined` when no stage is set: every environment is served. */
  stage: string | undefined;
  served: ServedEnvironments;
}

/**
 * The environments `stage` (else `RUNWAY_STAGE` from the command's environment) serves.
 *
 * @throws ConfigError when the file's `stages:` does not list the stage.
 */
export function cliStage(io: Pick<CommandIo, "env">, config: RunwayConfig, file: string, stage?: string): CliStage {
  const chosen = stage ?? io.env.RUNWAY_STAGE;
  try {
    // "" rather than undefined: servedEnvironments would otherwise read the process's RUNWAY_STAGE.
    return { stage: chosen || undefined, served: servedEnvironments(config, chosen ?? "") };
  } catch (error) {
    // servedEnvironments names the file from the process's environment; name the one we read.
    if (error instanceof ConfigError) throw new ConfigError(error.problems.map((p) => ({ ...p, file })), { cause: error });
    throw error;
  }
}
