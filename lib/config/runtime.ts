/**
 * The configuration a running function uses: loaded on first use and kept for the container's
 * life, so routing a delivery never touches the disk.
 *
 * On AWS, `RUNWAY_CONFIG` names the compiled JSON the build wrote (lib/config/compiled.ts); the
 * YAML loader and its schema validation are imported only when the file is YAML (`npm start`,
 * tests), so they never weigh on a deployed function's cold start.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { COMPILED_CONFIG_FILE, hydrateConfig } from "./compiled.ts";
import type { RunwayConfig } from "./schema.ts";

let cached: RunwayConfig | undefined;

/**
 * @example
 * const config = await getConfig();
 * route(payload, config);
 */
export async function getConfig(): Promise<RunwayConfig> {
  if (cached) return cached;
  const file = resolve(process.env.RUNWAY_CONFIG ?? "runway.yml");
  if (file.endsWith(COMPILED_CONFIG_FILE)) {
    cached = hydrateConfig(readFileSync(file, "utf8"));
  } else {
    const { loadConfigFile } = await import("./load.ts").catch((error: unknown) => {
      throw new Error(`cannot read ${file}: deployed bundles carry only the compiled configuration; set RUNWAY_CONFIG to ${COMPILED_CONFIG_FILE}`, { cause: error });
    });
    cached = loadConfigFile(file);
  }
  return cached;
}

/** Replace (or forget) the cached configuration: tests, and the local stack. */
export function setConfig(config?: RunwayConfig): void {
  cached = config;
}
