/**
 * Packages Runway the way `npm run package` does, esbuild bundles of every function and then
 * `serverless package` (osls) in a child process on Node 24, with no AWS credentials and no
 * network, and reads back what it produced: the CloudFormation template, the zips, the runner
 * bundle and any runner-account templates.
 *
 * Each packaging runs in a scratch service directory (serverless.yml and runway.yml copied, the
 * code linked), so tests can vary runway.yml and never touch the working tree's .build/ or
 * .serverless/, and several stages can be packaged at once.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleAll, ROOT } from "../../../lib/build/bundle.ts";

export type Template = {
  Resources: Record<string, { Type: string; Properties?: any; Condition?: string; DependsOn?: string[] | string; DeletionPolicy?: string }>;
  Outputs?: Record<string, { Value: unknown }>;
  Conditions?: Record<string, unknown>;
};

export interface ZipEntry {
  name: string;
  size: number;
}

export interface Packaged {
  status: number | null;
  output: string;
  dir: string;
  files: string[];
  template: Template;
  zip(file: string): ZipEntry[];
  json(file: string): any;
  /** Network accesses the packaging attempted (refused); empty when it needed none. */
  networkAttempts: string[];
}

const NODE = existsSync(join(ROOT, "node_modules/.bin/node")) ? join(ROOT, "node_modules/.bin/node") : process.execPath;
const SERVERLESS = join(ROOT, "node_modules/osls/bin/serverless.js");
const NO_NETWORK = join(ROOT, "test/integration/package/no-network.cjs");

/** Bundles named by serverless.yml's handlers (`.build/<bundle>/index.handler`). */
export function declaredBundles(): string[] {
  const yml = readFileSync(join(ROOT, "serverless.yml"), "utf8");
  return [...new Set([...yml.matchAll(/handler:\s*\.build\/([^/\s]+)\/index\.handler/g)].map((m) => m[1]!))].sort();
}

/** Declared bundles whose source (functions/<bundle>.ts) is not in the tree yet. */
export function missingSources(): string[] {
  return declaredBundles().filter((bundle) => !existsSync(join(ROOT, "functions", `${bundle}.ts`)));
}

/** A scratch directory with every function bundled into `<dir>/.build`, as `npm run package` does first. */
export async function bundleOnce(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "runway-package-"));
  await bundleAll(join(dir, ".build"));
  return dir;
}

/**
 * Stand-in bundles (an empty handler and a configuration each), for tests about the template only:
 * packaging reads the bundles, the template does not depend on them.
 */
export function placeholderBundles(): string {
  const dir = mkdtempSync(join(tmpdir(), "runway-package-"));
  for (const bundle of new Set([...declaredBundles(), "deployment-events"])) {
    mkdirSync(join(dir, ".build", bundle), { recursive: true });
    writeFileSync(join(dir, ".build", bundle, "index.mjs"), "export const handler = async () => {};\n");
    writeFileSync(join(dir, ".build", bundle, "runway.compiled.json"), "{}\n");
  }
  return dir;
}

export interface ServiceOptions {
  /** runway.yml text; the repository's file by default. */
  runwayYml?: string;
  /** Bundles to stand in for with a copy of another function, for sources not written yet. */
  stubs?: string[];
  /** Bundles whose source to leave out, as if not written yet. */
  omit?: string[];
}

/** A service directory over the bundles in `root`: the repository's code, its own config files. */
export function serviceDir(root: string, name: string, options: ServiceOptions = {}): string {
  const dir = join(root, name);
  mkdirSync(join(dir, "functions"), { recursive: true });
  for (const linked of ["lib", "buildspecs", "node_modules"]) symlinkSync(join(ROOT, linked), join(dir, linked));
  copyFileSync(join(ROOT, "serverless.yml"), join(dir, "serverless.yml"));
  if (options.runwayYml === undefined) copyFileSync(join(ROOT, "runway.yml"), join(dir, "runway.yml"));
  else writeFileSync(join(dir, "runway.yml"), options.runwayYml);
  for (const file of readdirSync(join(ROOT, "functions"))) {
    if (options.omit?.some((bundle) => file === `${bundle}.ts`)) continue;
    symlinkSync(join(ROOT, "functions", file), join(dir, "functions", file));
  }
  // Bundles are linked, not copied (tens of megabytes with their source maps): packaging only reads them.
  mkdirSync(join(dir, ".build"));
  for (const bundle of readdirSync(join(root, ".build"))) {
    if (!options.omit?.includes(bundle)) symlinkSync(join(root, ".build", bundle), join(dir, ".build", bundle));
  }
  for (const bundle of options.stubs ?? []) {
    symlinkSync(join(ROOT, "functions", "deployment-events.ts"), join(dir, "functions", `${bundle}.ts`));
    if (!existsSync(join(dir, ".build", bundle))) symlinkSync(join(root, ".build", "deployment-events"), join(dir, ".build", bundle));
  }
  return dir;
}

/** An environment with no AWS credentials anywhere and no configuration files to find them in. */
function offlineEnv(home: string, networkLog: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("AWS_") && key !== "RUNWAY_CONFIG" && key !== "RUNWAY_STAGE") env[key] = value;
  }
  return {
    ...env,
    HOME: home,
    AWS_CONFIG_FILE: join(home, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    RUNWAY_NETWORK_LOG: networkLog,
    FORCE_COLOR: "0",
  };
}

/** `serverless package --stage <stage> --package <dir>/out` in `service`, offline. */
export async function packageStage(service: string, stage: string): Promise<Packaged> {
  const out = join(service, `out-${stage}`);
  const networkLog = join(service, `network-${stage}.log`);
  const home = join(service, "home");
  mkdirSync(home, { recursive: true });
  const child = spawn(NODE, ["--require", NO_NETWORK, SERVERLESS, "package", "--stage", stage, "--package", out], {
    cwd: service,
    env: offlineEnv(home, networkLog),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const files = existsSync(out) ? readdirSync(out).sort() : [];
  const read = (file: string) => readFileSync(join(out, file));
  return {
    status,
    output,
    dir: out,
    files,
    template: files.includes("cloudformation-template-update-stack.json") ? JSON.parse(read("cloudformation-template-update-stack.json").toString()) : { Resources: {} },
    zip: (file) => zipEntries(read(file)),
    json: (file) => JSON.parse(read(file).toString()),
    networkAttempts: existsSync(networkLog) ? readFileSync(networkLog, "utf8").trim().split("\n").filter(Boolean) : [],
  };
}

/** The entries of a zip, from its central directory (no dependency for a dozen lines). */
export function zipEntries(zip: Buffer): ZipEntry[] {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error("not a zip file: no end of central directory record");
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`zip central directory entry ${i} is malformed`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({ name: zip.toString("utf8", at + 46, at + 46 + nameLength), size: zip.readUInt32LE(at + 24) });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Resources of one type, by logical id. */
export function ofType(template: Template, type: string): [string, any][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** Every IAM policy statement of a template's roles and policies, with where it comes from. */
export function iamStatements(template: Template): { role: string; statement: any }[] {
  const found: { role: string; statement: any }[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const documents =
      resource.Type === "AWS::IAM::Role"
        ? (resource.Properties.Policies ?? []).map((p: any) => p.PolicyDocument)
        : resource.Type === "AWS::IAM::Policy" || resource.Type === "AWS::IAM::ManagedPolicy"
          ? [resource.Properties.PolicyDocument]
          : [];
    for (const document of documents) for (const statement of [document.Statement].flat()) found.push({ role: id, statement });
  }
  return found;
}

export const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Read-only by name: what `Describe*`, `Get*`, `List*` and `BatchGet*` calls are. */
export const isReadOnly = (action: string) => /^[a-z0-9-]+:(Describe|Get|List|BatchGet)[A-Za-z]*$/.test(action);
