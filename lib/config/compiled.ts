/**
 * The configuration as deployed functions receive it: validated by the build, written as JSON with
 * its regular expressions as `{ "$regexp": source }`, and turned back into a `RunwayConfig` here
 * with no schema library and no YAML parser. Cold start pays for JSON.parse and a few RegExps,
 * not for validation that already happened (and failed the build if it had to).
 */
import type { RunwayConfig } from "./schema.ts";

/** File name the build writes beside each bundle; `RUNWAY_CONFIG` points at it on AWS. */
export const COMPILED_CONFIG_FILE = "runway.compiled.json";

/** A validated configuration as JSON text. */
export function serializeConfig(config: RunwayConfig): string {
  return JSON.stringify(config, (_key, value: unknown) => (value instanceof RegExp ? { $regexp: value.source, flags: value.flags } : value));
}

/** The configuration back from `serializeConfig()` output. */
export function hydrateConfig(text: string): RunwayConfig {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === "object" && "$regexp" in value) {
      const { $regexp, flags } = value as { $regexp: string; flags?: string };
      return new RegExp($regexp, flags ?? "u");
    }
    return value;
  }) as RunwayConfig;
}
