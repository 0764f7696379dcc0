/**
 * Reads `runway.yml` (or the file `RUNWAY_CONFIG` names), validates it against the schema and
 * reports every problem with its file, line, column and field. Loaded once per process (a Lambda
 * container) and cached: routing a delivery never touches the disk.
 *
 * Lambda bundles carry the same configuration as `runway.json`, converted and validated by the
 * build (lib/build/bundle.ts): JSON needs no YAML parser in the bundle, and a broken file never
 * reaches a deployed function.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isNode, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { ConfigError, type ConfigProblem } from "./errors.ts";
import { runwayConfigSchema, type RunwayConfig } from "./schema.ts";

/** The configuration file used when neither an argument nor `RUNWAY_CONFIG` names one. */
export const DEFAULT_CONFIG_FILE = "runway.yml";

/** The file that will be read: the argument, else `RUNWAY_CONFIG`, else `./runway.yml`. */
export function configPath(file?: string): string {
  return resolve(file ?? process.env.RUNWAY_CONFIG ?? DEFAULT_CONFIG_FILE);
}

/**
 * Parse and validate configuration text. Throws `ConfigError` listing every problem.
 *
 * @example
 * const config = parseConfig(readFileSync("runway.yml", "utf8"), "runway.yml");
 * config.environments.dev?.codebuild.project; // "runway-runner-dev"
 */
export function parseConfig(text: string, file: string): RunwayConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({ file, ...at(e.pos[0]), field: "", message: `not valid YAML: ${e.message.split("\n")[0]}` })),
    );
  }
  const result = runwayConfigSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    // One problem per field: a value of the wrong type also fails that type's own checks.
    const seen = new Set<string>();
    const problems = result.error.issues
      .map((issue) => locate(issue, doc, file, at))
      .filter((p) => !seen.has(p.field) && seen.add(p.field));
    throw new ConfigError(problems);
  }
  return result.data;
}

function locate(
  issue: z.core.$ZodIssue,
  doc: Document,
  file: string,
  at: (offset: number) => { line: number; column: number },
): ConfigProblem {
  const path = issue.path.map((key) => (typeof key === "symbol" ? String(key) : key));
  // An unknown key is reported where it is written, not on the object that holds it.
  const target = issue.code === "unrecognized_keys" && issue.keys[0] !== undefined ? [...path, issue.keys[0]] : path;
  const present = doc.hasIn(target) || target.length === 0;
  // The deepest node that exists: a missing field is reported on the object that lacks it.
  let offset = 0;
  for (let depth = target.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(target.slice(0, depth), true);
    if (isNode(node) && node.range) {
      offset = node.range[0];
      break;
    }
  }
  return { file, ...at(offset), field: path.join("."), message: explain(issue, present) };
}

function explain(issue: z.core.$ZodIssue, present: boolean): string {
  if (issue.code === "unrecognized_keys") return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")} (check the spelling)`;
  if (issue.code === "invalid_type" && !present) return `missing: expected ${issue.expected}`;
  return issue.message;
}

/**
 * Validate configuration that is already JSON (what the build ships in Lambda bundles).
 * Problems name the field; JSON produced by the build has no lines worth pointing at.
 */
export function parseConfigJson(text: string, file: string): RunwayConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([{ file, line: 0, column: 0, field: "", message: `not valid JSON: ${(error as Error).message}` }], { cause: error });
  }
  const result = runwayConfigSchema.safeParse(data);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({ file, line: 0, column: 0, field: issue.path.map(String).join("."), message: issue.message })),
  );
}

/** The configuration as plain JSON-able data, as written (patterns still strings): what the build ships. */
export function configFileToJson(file?: string): string {
  const path = configPath(file);
  loadConfigFile(path);
  return JSON.stringify(parseDocument(readFileSync(path, "utf8")).toJS());
}

/**
 * Read and validate a configuration file (YAML, or JSON when its name ends in `.json`).
 *
 * @throws ConfigError naming the file when it cannot be read.
 */
export function loadConfigFile(file?: string): RunwayConfig {
  const path = configPath(file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (error as Error).message;
    throw new ConfigError([{ file: path, line: 0, column: 0, field: "", message: `${reason}; set RUNWAY_CONFIG or pass the file's path` }], { cause: error });
  }
  return path.endsWith(".json") ? parseConfigJson(text, path) : parseConfig(text, path);
}

let cached: RunwayConfig | undefined;

/** The process's configuration, loaded on first use and kept for the container's life. */
export function getConfig(): RunwayConfig {
  cached ??= loadConfigFile();
  return cached;
}

/** Forget the cached configuration (tests, and the local stack after the file changes). */
export function resetConfig(config?: RunwayConfig): void {
  cached = config;
}
