/**
 * Reads `runway.yml` (or the file `RUNWAY_CONFIG` names), validates it against the schema and
 * reports every problem with its file, line, column and field.
 * Deployed functions read the compiled form instead (lib/config/runtime.ts).
 *
 * Whatever the file holds — another encoding, a YAML bomb, a key JavaScript objects treat
 * specially — the answer is a `ConfigError` saying what to change, never an exception of its own.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from "yaml";
import type { z } from "zod";
import { ConfigError, type ConfigProblem } from "./errors.ts";
import { runwayConfigSchema, type RunwayConfig } from "./schema.ts";
import { decodeConfigText } from "./text.ts";

/** The configuration file used when neither an argument nor `RUNWAY_CONFIG` names one. */
export const DEFAULT_CONFIG_FILE = "runway.yml";

/**
 * How many copies expanding aliases may make (the `yaml` package's `maxAliasCount`, its default).
 * A configuration reuses an anchor a few times; a "billion laughs" bomb needs millions.
 */
export const MAX_ALIAS_COUNT = 100;

type At = (offset: number) => { line: number; column: number };

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
  // logLevel "error": the yaml package would print its warnings (a mapping used as a key) on the
  // process's stderr; such a key fails the schema, which says so in the file's own terms.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: "error" });
  const at: At = (offset) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  if (doc.errors.length > 0) throw new ConfigError(syntaxProblems(doc, file, at));
  const reserved = reservedKeys(doc, file, at);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (error) {
    throw new ConfigError([...reserved, unreadable(error, doc, file, at)], { cause: error });
  }
  const result = runwayConfigSchema.safeParse(value);
  if (!result.success) {
    // One problem per field: a value of the wrong type also fails that type's own checks.
    const seen = new Set<string>();
    const problems = result.error.issues
      .map((issue) => locate(issue, doc, file, at))
      .filter((p) => !seen.has(p.field) && seen.add(p.field));
    throw new ConfigError([...reserved, ...problems]);
  }
  if (reserved.length > 0) throw new ConfigError(reserved);
  return result.data;
}

function syntaxProblems(doc: Document, file: string, at: At): ConfigProblem[] {
  // The parser recurses: a file nested thousands deep overflows its stack, once per error.
  if (doc.errors.some((e) => /call stack|stack overflow/i.test(e.message))) {
    return [{ file, ...at(doc.errors[0]!.pos[0]), field: "", message: "not valid YAML: nested too deeply to read (a Runway configuration is a few levels deep)" }];
  }
  return doc.errors.map((e) => ({ file, ...at(e.pos[0]), field: "", message: `not valid YAML: ${e.message.split("\n")[0]}` }));
}

/**
 * `__proto__` as a key: the schema's records drop it without a word (assigning it would replace
 * the object's prototype), so an environment of that name would vanish. Refuse it where it is.
 */
function reservedKeys(doc: Document, file: string, at: At): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (key === "__proto__") {
          problems.push({
            file,
            ...at(isNode(pair.key) && pair.key.range ? pair.key.range[0] : 0),
            field: [...path, key].join("."),
            message: `"__proto__" cannot be a name: JavaScript objects read it as their prototype, so it would silently vanish; choose another name`,
          });
        }
        walk(pair.value, [...path, String(key)]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...path, index]));
    }
  };
  walk(doc.contents, []);
  return problems;
}

/** A document that parses but cannot be turned into values: the alias limit, mostly. */
function unreadable(error: unknown, doc: Document, file: string, at: At): ConfigProblem {
  const message = error instanceof Error ? error.message : String(error);
  if (/alias count/i.test(message)) {
    let offset = 0;
    visit(doc, {
      Alias(_key, node) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    return {
      file,
      ...at(offset),
      field: "",
      message: `refused: its aliases (*name) would expand to more than ${MAX_ALIAS_COUNT} copies, the shape of a YAML bomb ("billion laughs"); write the values out, or reuse each anchor less`,
    };
  }
  if (error instanceof RangeError) return { file, line: 1, column: 1, field: "", message: "not valid YAML: nested too deeply to read (a Runway configuration is a few levels deep)" };
  return { file, line: 1, column: 1, field: "", message: `not valid YAML: ${message.split("\n")[0]}` };
}

function locate(issue: z.core.$ZodIssue, doc: Document, file: string, at: At): ConfigProblem {
  const path = issue.path.map((key) => (typeof key === "symbol" ? String(key) : key));
  // An unknown key is reported where it is written, not on the object that holds it.
  const target = issue.code === "unrecognized_keys" && issue.keys[0] !== undefined ? [...path, issue.keys[0]] : path;
  const present = doc.hasIn(target) || target.length === 0;
  // The deepest node that exists: a missing field is reported on the object that lacks it, and a
  // wrong name on the name itself.
  let offset = issue.code === "invalid_key" ? keyOffset(doc, path) : undefined;
  for (let depth = target.length; offset === undefined && depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(target.slice(0, depth), true);
    if (isNode(node) && node.range) {
      offset = node.range[0];
    }
  }
  return { file, ...at(offset ?? 0), field: path.join("."), message: explain(issue, present, doc) };
}

/** Where the key at the end of `path` is written. */
function keyOffset(doc: Document, path: (string | number)[]): number | undefined {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === path.at(-1));
  return isNode(pair?.key) ? pair.key.range?.[0] : undefined;
}

function explain(issue: z.core.$ZodIssue, present: boolean, doc: Document): string {
  if (issue.code === "unrecognized_keys") return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")} (check the spelling)`;
  if (issue.code === "invalid_key") {
    // The record's key schema says what a name is (and suggests one); zod's own is "Invalid key in record".
    if (issue.path.at(-1) === "<<") return "YAML merge keys (<<) are not supported: write the fields out (anchors and aliases do work)";
    return issue.issues.map((inner) => inner.message).join("; ");
  }
  if (issue.code === "invalid_type" && issue.path.length === 0) {
    const held = isSeq(doc.contents) ? "a list" : isAlias(doc.contents) ? "an alias" : isScalar(doc.contents) ? "a single value" : "something else";
    return `a Runway configuration is a mapping with environments: at the top; this file holds ${held}`;
  }
  if (issue.code === "invalid_type" && !present) return `missing: expected ${issue.expected}`;
  return issue.message;
}

/**
 * Read and validate a configuration file.
 *
 * @throws ConfigError naming the file when it cannot be read or decoded.
 */
export function loadConfigFile(file?: string): RunwayConfig {
  const path = configPath(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "file not found" : code === "EISDIR" ? "a directory, not a file" : (error as Error).message;
    throw new ConfigError([{ file: path, line: 0, column: 0, field: "", message: `${reason}; set RUNWAY_CONFIG or pass the file's path` }], { cause: error });
  }
  const decoded = decodeConfigText(bytes);
  if ("problem" in decoded) throw new ConfigError([{ file: path, field: "", ...decoded.problem }]);
  return parseConfig(decoded.text, path);
}
