/**
 * Reads `runway.yml` (or the file `RUNWAY_CONFIG` names), validates it against the schema and
 * reports every problem with its file, line, column and field.
 * Deployed functions read the compiled form instead (lib/config/runtime.ts).
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
 * Read and validate a configuration file.
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
  return parseConfig(text, path);
}
