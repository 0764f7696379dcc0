/**
 * GitHub's OpenAPI description (`@octokit/openapi`, api.github.com) as a judge of the fake's
 * answers: each answer's status must be one the description lists for its path and method, and a
 * JSON body must match that status's response schema (ajv, OpenAPI 3.0 `nullable` included).
 * Paths the description does not have (the fake's own `/_fake/…`) are not judged.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

export interface FakeAnswer {
  method: string;
  /** Below the mount point, without the query string: `/repos/o/r/actions/jobs/7`. */
  path: string;
  status: number;
  /** The body as sent (JSON text, plain text, or empty). */
  body: string;
  contentType: string | undefined;
}

interface Operation {
  responses?: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface Description {
  paths: Record<string, Record<string, Operation>>;
  components: { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>; schemas: Record<string, unknown> };
}

const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
let loaded: { description: Description; templates: Array<{ template: string; pattern: RegExp; literal: number }>; ajv: Ajv } | undefined;
const compiled = new Map<string, ValidateFunction>();

function load() {
  if (loaded) return loaded;
  const root = dirname(require.resolve("@octokit/openapi/package.json"));
  // The one description, not the package's index (which loads every GHES variant too).
  const description = JSON.parse(readFileSync(join(root, "generated", "api.github.com.json"), "utf8")) as Description;
  const templates = Object.keys(description.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`),
    literal: template.replace(/\{[^}]+\}/g, "").length,
  }));
  nullableEnums(description);
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  loaded = { description, templates, ajv };
  return loaded;
}

/** The schema with just the components it reaches, so ajv compiles kilobytes, not the whole description. */
function standalone(schema: unknown, description: Description): object {
  const schemas: Record<string, unknown> = {};
  const pending = [schema];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== "object") continue;
    for (const [k, v] of Object.entries(node)) {
      const name = k === "$ref" && typeof v === "string" ? /^#\/components\/schemas\/(.+)$/.exec(v)?.[1] : undefined;
      if (name !== undefined) {
        if (!(name in schemas)) {
          schemas[name] = description.components.schemas[name];
          pending.push(schemas[name]);
        }
      } else if (v !== null && typeof v === "object") pending.push(v);
    }
  }
  return { allOf: [schema], components: { schemas } };
}

/**
 * What departs from GitHub's description in the given answers; empty when all of them match.
 *
 * @example
 * expect(describedIssues(harness.answers)).toEqual([]);
 */
export function describedIssues(answers: readonly FakeAnswer[]): string[] {
  const { description, templates, ajv } = load();
  const issues: string[] = [];
  for (const answer of answers) {
    const method = answer.method.toLowerCase();
    // The most literal template wins: /runners/generate-jitconfig over /runners/{runner_id}.
    const template = templates
      .filter((t) => t.pattern.test(answer.path) && description.paths[t.template]?.[method])
      .sort((a, b) => b.literal - a.literal)[0]?.template;
    if (!template) continue;
    const where = `${answer.method} ${template} → ${answer.status}`;
    const responses = description.paths[template]![method]!.responses ?? {};
    const key = String(answer.status) in responses ? String(answer.status) : "default" in responses ? "default" : undefined;
    if (!key && answer.status < 400) {
      issues.push(`${where}: GitHub's description has no ${answer.status} for this operation (it lists ${Object.keys(responses).join(", ")})`);
      continue;
    }
    // The description lists few of the errors GitHub really sends (401, 403, 404 …): an error it
    // does not list for the operation is held to GitHub's common error body, basic-error.
    let response = key ? responses[key]! : { $ref: "#/components/responses/not_found" };
    if (response.$ref) response = description.components.responses?.[response.$ref.split("/").pop()!] ?? {};
    const mediaType = Object.keys(response.content ?? {}).find((type) => type.includes("json"));
    if (!mediaType) continue;
    // GitHub's edge answers some errors (502 …) with an HTML page; only JSON error bodies are judged.
    if (!key && !answer.contentType?.includes("json")) continue;
    if (!answer.contentType?.includes("json")) {
      issues.push(`${where}: the description answers ${mediaType}, the fake sent ${answer.contentType ?? "no body"}`);
      continue;
    }
    const ref = `${template} ${method} ${key ?? "error"}`;
    let validate = compiled.get(ref);
    if (!validate) {
      validate = ajv.compile(standalone(response.content![mediaType]!.schema, description));
      compiled.set(ref, validate);
    }
    if (!validate(JSON.parse(answer.body))) {
      for (const error of validate.errors ?? []) issues.push(`${where}: body${error.instancePath} ${error.message}${error.params ? ` ${JSON.stringify(error.params)}` : ""}`);
    }
  }
  return [...new Set(issues)];
}

/**
 * OpenAPI 3.0's `nullable: true` admits null whatever else the schema says: beside an `enum`
 * (GitHub's `conclusion` is null until a job ends) and beside `allOf` with no `type` (a nullable
 * reference). ajv's `nullable` only widens `type`, so such schemas are rewritten as "this, or null".
 */
function nullableEnums(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) nullableEnums(item);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const schema = node as Record<string, unknown>;
  for (const value of Object.values(schema)) nullableEnums(value);
  if (schema.nullable !== true) return;
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum.push(null);
  if (schema.type === undefined) {
    const rest = Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "nullable"));
    for (const k of Object.keys(schema)) delete schema[k];
    schema.anyOf = [rest, { type: "null" }];
  }
}
