/**
 * AWS's API models as the installed SDK clients carry them. Each `@aws-sdk/client-*` package
 * exports its operations' static schemas (`StartBuild$`: input and output structures, member
 * types, required members, HTTP bindings), generated from AWS's Smithy models with every client
 * release; its generated declarations name each member's enum and list the enum's values. These
 * are the models the emulator holds requests and answers to: the same revision Runway's clients
 * were built from, with nothing to install. The schemas do not carry length, range or pattern
 * constraints, so those are not checked.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The SDK's static schema of a shape (see @smithy/core/schema): a number, an array, or a thunk. */
export type SchemaRef = number | string | readonly unknown[] | (() => SchemaRef);

export interface OperationModel {
  name: string;
  input: SchemaRef;
  output: SchemaRef;
}

/** Which enum a member holds: its value, its list's members, or its map's keys or values. */
export interface EnumUse {
  values: readonly string[];
  at: "value" | "member" | "key";
}

export interface ServiceModel {
  /** The client package the model comes from, e.g. "@aws-sdk/client-codebuild". */
  source: string;
  version: string;
  operation(name: string): OperationModel | undefined;
  operations(): string[];
  /** "Structure.member" → the enum it holds, from the client's generated declarations. */
  enumOf(structure: string, member: string): EnumUse | undefined;
}

/** SigV4 signing name → the client package whose model describes the service. */
export const MODEL_PACKAGES: Readonly<Record<string, string>> = {
  codebuild: "@aws-sdk/client-codebuild",
  codedeploy: "@aws-sdk/client-codedeploy",
  ecs: "@aws-sdk/client-ecs",
  ssm: "@aws-sdk/client-ssm",
  monitoring: "@aws-sdk/client-cloudwatch",
  sqs: "@aws-sdk/client-sqs",
  sts: "@aws-sdk/client-sts",
  elasticloadbalancing: "@aws-sdk/client-elastic-load-balancing-v2",
  lambda: "@aws-sdk/client-lambda",
};

const require = createRequire(import.meta.url);
const loaded = new Map<string, Promise<ServiceModel | undefined>>();

/** The model of a service by signing name, loaded once; undefined when no client package models it. */
export function serviceModel(signingName: string): Promise<ServiceModel | undefined> {
  let model = loaded.get(signingName);
  if (!model) {
    const source = MODEL_PACKAGES[signingName];
    model = source ? loadModel(source) : Promise.resolve(undefined);
    loaded.set(signingName, model);
  }
  return model;
}

async function loadModel(source: string): Promise<ServiceModel> {
  const client = (await import(source)) as Record<string, unknown>;
  const root = dirname(require.resolve(`${source}/package.json`));
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  const operations = new Map<string, OperationModel>();
  for (const [key, value] of Object.entries(client)) {
    if (!key.endsWith("$") || !Array.isArray(value) || value[0] !== 9) continue;
    const [, , name, , input, output] = value as [number, string, string, unknown, SchemaRef, SchemaRef];
    operations.set(name, { name, input, output });
  }
  const enums = readEnumUses(join(root, "dist-types", "models"));
  return {
    source,
    version,
    operation: (name) => operations.get(name),
    operations: () => [...operations.keys()],
    enumOf: (structure, member) => enums.get(`${structure}.${member}`),
  };
}

/**
 * Reads `enums.d.ts` (`export declare const Name: { readonly A: "a"; … }`) and the interfaces of
 * `models_*.d.ts` (`    member?: Name[] | undefined;`) into "Structure.member" → enum use.
 */
function readEnumUses(dir: string): Map<string, EnumUse> {
  const enums = new Map<string, string[]>();
  const enumText = safeRead(join(dir, "enums.d.ts"));
  for (const block of enumText.matchAll(/^export declare const (\w+): \{\n([\s\S]*?)\n\};/gm)) {
    enums.set(block[1]!, [...block[2]!.matchAll(/^\s+readonly \w+: "([^"]*)";$/gm)].map((m) => m[1]!));
  }
  const uses = new Map<string, EnumUse>();
  const files = safeList(dir).filter((f) => /^models_\d+\.d\.ts$/.test(f));
  for (const file of files) {
    const text = safeRead(join(dir, file));
    for (const block of text.matchAll(/^export interface (\w+) \{\n([\s\S]*?)\n\}/gm)) {
      for (const member of block[2]!.matchAll(/^ {4}(\w+)\??: (.+?)(?: \| undefined)?;$/gm)) {
        const use = enumUse(member[2]!, enums);
        if (use) uses.set(`${block[1]}.${member[1]}`, use);
      }
    }
  }
  return uses;
}

function enumUse(type: string, enums: Map<string, string[]>): EnumUse | undefined {
  const value = (name: string | undefined, at: EnumUse["at"]) => {
    const values = name ? enums.get(name) : undefined;
    return values ? { values, at } : undefined;
  };
  let match: RegExpExecArray | null;
  if ((match = /^(\w+)$/.exec(type))) return value(match[1], "value");
  if ((match = /^(\w+)\[\]$/.exec(type))) return value(match[1], "member");
  if ((match = /^Record<string, (\w+)>$/.exec(type))) return value(match[1], "value");
  if ((match = /^(?:Partial<)?Record<(\w+), \w+(?:\[\])?>>?$/.exec(type))) return value(match[1], "key");
  return undefined;
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
