/** Which environments the running stage serves (`stages:` in runway.yml). */
import type { ServedEnvironments } from "../routing/route.ts";
import { ConfigError } from "./errors.ts";
import type { RunwayConfig } from "./schema.ts";

/**
 * The environments stage `stage` (default `RUNWAY_STAGE`) serves. With no stage set, or no
 * `stages:` section, every environment is served. A stage that the file does not list is a
 * deployment mistake, reported rather than guessed.
 */
export function servedEnvironments(config: RunwayConfig, stage = process.env.RUNWAY_STAGE): ServedEnvironments {
  if (!stage || Object.keys(config.stages).length === 0) return "all";
  const served = config.stages[stage];
  if (served === undefined) {
    throw new ConfigError([
      {
        file: process.env.RUNWAY_CONFIG ?? "runway.yml",
        line: 0,
        column: 0,
        field: `stages.${stage}`,
        message: `RUNWAY_STAGE is "${stage}" but stages lists only ${Object.keys(config.stages).join(", ")}; add it`,
      },
    ]);
  }
  return served === "all" ? "all" : new Set(served);
}
