/**
 * Holds the emulator to AWS's API models (models.ts): every request is checked against its
 * operation's input shape before any service sees it — required members, member types, enum
 * values, one member per union — and refused as the service refuses it, in its own protocol
 * (`1 validation error detected: Value null at 'projectName' failed to satisfy constraint: Member
 * must not be null`). Answers are checked against the output shape by `checkResponse`, which the
 * emulator's tests turn on, so a fake that invents a member or misspells an enum is caught there.
 */
import { serviceModel, type EnumUse, type SchemaRef, type ServiceModel } from "./models.ts";
import { AwsRawResponse, AwsServiceError, type AwsProtocol } from "./types.ts";

/** One way a value departs from its shape; `path` is written as AWS writes it (`ids.1.member`). */
export interface ShapeIssue {
  path: string;
  problem: "missing" | "type" | "enum" | "unknown" | "union";
  message: string;
}

interface Refusal {
  code: string;
  queryCode?: string;
}

/**
 * The code each service answers a request its model refuses with. JSON services answer
 * ValidationException and query services ValidationError (AWS's common errors), except where the
 * service models its own: CodeBuild's InvalidInputException, CloudWatch's ValidationException
 * (query code ValidationError) and MissingRequiredParameterException (MissingParameter), SQS's
 * InvalidParameterValue and MissingParameter. A member of the wrong JSON type never reaches
 * validation: the service cannot read the body (SerializationException).
 */
const REFUSALS: Record<string, { invalid: Refusal; missing?: Refusal }> = {
  codebuild: { invalid: { code: "InvalidInputException" } },
  monitoring: {
    invalid: { code: "ValidationException", queryCode: "ValidationError" },
    missing: { code: "MissingRequiredParameterException", queryCode: "MissingParameter" },
  },
  sqs: { invalid: { code: "InvalidParameterValue" }, missing: { code: "MissingParameter" } },
};

const defaultRefusal = (protocol: AwsProtocol): Refusal => ({ code: protocol === "query" ? "ValidationError" : "ValidationException" });

/**
 * The error a request gets when its input breaks the operation's model, or undefined when it
 * passes (or when no installed client models the service or operation).
 *
 * @example
 * const refusal = await validateRequest("codebuild", "StartBuild", "json", { projectName: "" });
 * // undefined: projectName is present and a string (lengths are not in the SDK's schemas)
 */
export async function validateRequest(
  signingName: string,
  operation: string,
  protocol: AwsProtocol,
  input: Record<string, unknown>,
): Promise<AwsServiceError | undefined> {
  const model = await serviceModel(signingName);
  const op = model?.operation(operation);
  if (!model || !op) return undefined;
  const issues = checkShape(input, op.input, { model, protocol, direction: "input" });
  if (issues.length === 0) return undefined;
  const typeIssue = issues.find((issue) => issue.problem === "type");
  if (typeIssue && protocol !== "query") return new AwsServiceError("SerializationException", typeIssue.message);
  const refusals = REFUSALS[signingName];
  const onlyMissing = issues.every((issue) => issue.problem === "missing");
  const refusal = (onlyMissing ? refusals?.missing : undefined) ?? refusals?.invalid ?? defaultRefusal(protocol);
  const count = `${issues.length} validation error${issues.length === 1 ? "" : "s"} detected`;
  return new AwsServiceError(refusal.code, `${count}: ${issues.map((issue) => issue.message).join("; ")}`, 400, {
    ...(refusal.queryCode ? { queryCode: refusal.queryCode } : {}),
  });
}

/**
 * How an operation's answer departs from its output shape (empty when it matches, or when the
 * service or operation is not modelled). Raw answers (Lambda Invoke's payload) are not checked.
 */
export async function checkResponse(signingName: string, operation: string, protocol: AwsProtocol, output: unknown): Promise<ShapeIssue[]> {
  if (output instanceof AwsRawResponse) return [];
  const model = await serviceModel(signingName);
  const op = model?.operation(operation);
  if (!model || !op) return [];
  return checkShape(output ?? {}, op.output, { model, protocol, direction: "output" });
}

interface Context {
  model: ServiceModel;
  protocol: AwsProtocol;
  direction: "input" | "output";
}

interface Shape {
  kind: "string" | "number" | "boolean" | "timestamp" | "blob" | "document" | "big" | "list" | "map" | "structure" | "union" | "unit";
  name: string | undefined;
  member?: SchemaRef;
  key?: SchemaRef;
  value?: SchemaRef;
  members?: Array<[string, SchemaRef]>;
  required?: number;
}

/** Every way `value` departs from the shape `ref`. */
export function checkShape(value: unknown, ref: SchemaRef, context: Context): ShapeIssue[] {
  const issues: ShapeIssue[] = [];
  visit(value, ref, "", undefined, context, issues, false);
  return issues;
}

function visit(value: unknown, ref: SchemaRef, path: string, use: EnumUse | undefined, context: Context, issues: ShapeIssue[], stringEncoded: boolean): void {
  const { shape, traits } = shapeOf(ref);
  const wire = stringEncoded || context.protocol === "query" || isBoundToHttp(traits);
  const at = path === "" ? "the input" : `'${path}'`;
  const wrongType = (expected: string): void => {
    issues.push({ path, problem: "type", message: `Value ${describe(value)} at ${at} failed to satisfy constraint: Member must be ${expected}` });
  };
  switch (shape.kind) {
    case "structure":
    case "union": {
      if (!isPlainObject(value)) return wrongType("a structure");
      const members = shape.members ?? [];
      const known = new Set(members.map(([name]) => name));
      members.forEach(([name, memberRef], index) => {
        const memberValue = value[name];
        const memberPath = path === "" ? lowerFirst(name) : `${path}.${lowerFirst(name)}`;
        if (memberValue === undefined || memberValue === null) {
          if (shape.kind === "structure" && index < (shape.required ?? 0)) {
            issues.push({ path: memberPath, problem: "missing", message: `Value null at '${memberPath}' failed to satisfy constraint: Member must not be null` });
          }
          return;
        }
        visit(memberValue, memberRef, memberPath, shape.name ? context.model.enumOf(shape.name, name) : undefined, context, issues, false);
      });
      if (shape.kind === "union") {
        const set = members.filter(([name]) => value[name] !== undefined && value[name] !== null).length;
        if (set !== 1) issues.push({ path, problem: "union", message: `Value at ${at} failed to satisfy constraint: Member must have exactly one member set (${set} are)` });
      }
      if (context.direction === "output") {
        for (const name of Object.keys(value)) {
          if (!known.has(name) && value[name] !== undefined) {
            issues.push({ path: path === "" ? name : `${path}.${name}`, problem: "unknown", message: `${shape.name ?? "The structure"} has no member ${name}` });
          }
        }
      }
      return;
    }
    case "list": {
      // The query protocol sends an empty list as `Name=`.
      if (context.protocol === "query" && value === "") return;
      if (!Array.isArray(value)) return wrongType("a list");
      const memberUse = use?.at === "member" ? { ...use, at: "value" as const } : undefined;
      value.forEach((item, i) => visit(item, shape.member!, `${path}.${i + 1}.member`, memberUse, context, issues, false));
      return;
    }
    case "map": {
      if (!isPlainObject(value)) return wrongType("a map");
      for (const [key, item] of Object.entries(value)) {
        if (use?.at === "key") checkEnum(key, `${path}.${key}.key`, use, issues);
        visit(item, shape.value!, `${path}.${key}.value`, use?.at === "value" ? use : undefined, context, issues, false);
      }
      return;
    }
    case "string":
      if (typeof value !== "string") return wrongType("a string");
      if (use?.at === "value") checkEnum(value, path, use, issues);
      return;
    case "number":
      if (typeof value === "number" ? !Number.isFinite(value) : !(wire && typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))) {
        return wrongType("a number");
      }
      return;
    case "big":
      if (!(typeof value === "number" || typeof value === "bigint" || (typeof value === "string" && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value)))) return wrongType("a number");
      return;
    case "boolean":
      if (typeof value !== "boolean" && !(wire && (value === "true" || value === "false"))) return wrongType("a boolean");
      return;
    case "timestamp":
      if (!isTimestamp(value, wire, context)) return wrongType(context.direction === "output" && context.protocol === "query" ? "a Date" : "a timestamp");
      return;
    case "blob":
      if (!(value instanceof Uint8Array) && typeof value !== "string") return wrongType("a blob (base64 text or bytes)");
      return;
    default:
      return;
  }
}

function checkEnum(value: string, path: string, use: EnumUse, issues: ShapeIssue[]): void {
  if (use.values.length > 0 && !use.values.includes(value)) {
    issues.push({ path, problem: "enum", message: `Value '${value}' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${use.values.join(", ")}]` });
  }
}

function isTimestamp(value: unknown, wire: boolean, context: Context): boolean {
  if (value instanceof Date) return !Number.isNaN(value.getTime());
  // On the query wire a timestamp is ISO 8601 text; an answer must be a Date for the XML to say so.
  if (context.protocol === "query") return context.direction === "input" && typeof value === "string" && !Number.isNaN(Date.parse(value));
  if (typeof value === "number") return Number.isFinite(value);
  return wire && typeof value === "string" && !Number.isNaN(Date.parse(value));
}

function isBoundToHttp(traits: Record<string, unknown>): boolean {
  return "httpHeader" in traits || "httpQuery" in traits || "httpLabel" in traits;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array);
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function describe(value: unknown): string {
  if (typeof value === "string") return `'${value.length > 60 ? `${value.slice(0, 60)}…` : value}'`;
  if (Array.isArray(value)) return "a list";
  if (value instanceof Date) return "a Date";
  if (value !== null && typeof value === "object") return "a structure";
  return String(value);
}

// ---- The SDK's static schema format (@smithy/core/schema): decoded here so the emulator
// depends only on the data the client packages export, not on the runtime's internals.

const BIT_TRAITS = ["httpLabel", "idempotent", "idempotencyToken", "sensitive", "httpPayload", "httpResponseCode", "httpQueryParams"];

function traitsOf(indicator: unknown): Record<string, unknown> {
  if (indicator !== null && typeof indicator === "object") return indicator as Record<string, unknown>;
  const bits = typeof indicator === "number" ? indicator : 0;
  const traits: Record<string, unknown> = {};
  BIT_TRAITS.forEach((trait, i) => {
    if ((bits >> i) & 1) traits[trait] = 1;
  });
  return traits;
}

function deref(ref: SchemaRef): SchemaRef {
  let current = ref;
  while (typeof current === "function") current = current();
  return current;
}

/** A schema reference decoded to its shape, with the member traits met on the way. */
function shapeOf(ref: SchemaRef): { shape: Shape; traits: Record<string, unknown> } {
  let current = deref(ref);
  const traits: Record<string, unknown> = {};
  // A member wrapper: [target, traits].
  while (Array.isArray(current) && current.length === 2) {
    Object.assign(traits, traitsOf(current[1]));
    current = deref(current[0] as SchemaRef);
  }
  if (typeof current === "number") return { shape: simple(current, undefined), traits };
  if (typeof current === "string") return { shape: { kind: current === "unit" ? "unit" : "document", name: undefined }, traits };
  const schema = current as readonly unknown[];
  const name = typeof schema[2] === "string" ? schema[2] : undefined;
  Object.assign(traits, traitsOf(schema[3]));
  switch (schema[0]) {
    case 0:
      return { shape: simple(schema[4] as number, name), traits };
    case 1:
      return { shape: { kind: "list", name, member: schema[4] as SchemaRef }, traits };
    case 2:
      return { shape: { kind: "map", name, key: schema[4] as SchemaRef, value: schema[5] as SchemaRef }, traits };
    case 3:
    case -3:
    case 4: {
      const names = schema[4] as string[];
      const refs = schema[5] as SchemaRef[];
      return {
        shape: { kind: schema[0] === 4 ? "union" : "structure", name, members: names.map((n, i) => [n, refs[i]!]), required: (schema[6] as number | undefined) ?? 0 },
        traits,
      };
    }
    default:
      return { shape: { kind: "document", name }, traits };
  }
}

function simple(code: number, name: string | undefined): Shape {
  if (code >= 64 && code < 128) return { kind: "list", name, member: code & 0b0011_1111 };
  if (code >= 128 && code <= 255) return { kind: "map", name, key: 0, value: code & 0b0011_1111 };
  switch (code) {
    case 0:
      return { kind: "string", name };
    case 1:
      return { kind: "number", name };
    case 2:
      return { kind: "boolean", name };
    case 4:
    case 5:
    case 6:
    case 7:
      return { kind: "timestamp", name };
    case 17:
    case 19:
      return { kind: "big", name };
    case 21:
    case 42:
      return { kind: "blob", name };
    default:
      return { kind: "document", name };
  }
}
