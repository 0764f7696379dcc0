/**
 * Bundles each Lambda function (functions/*.ts) on its own with esbuild: one minified ESM file per
 * function under .build/<name>/ (code that only some invocations need, such as the SSM client or
 * the YAML loader, split into chunks loaded on first use), with the configuration beside it as
 * `runway.compiled.json`, validated here so a broken runway.yml fails the build, not a delivery.
 * Small per-function bundles keep cold starts short (cold start is part of GitHub's 10 s budget).
 *
 * It also writes `runway validate` as one file for EC2/on-premises instances (.build/runway-validate.mjs,
 * see bundleValidateCli).
 *
 * Run: `node lib/build/bundle.ts` (npm run build); `npm run package` runs it before `serverless package`.
 */
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { build, type BuildOptions, type Metafile, type Plugin } from "esbuild";
import { COMPILED_CONFIG_FILE, serializeConfig } from "../config/compiled.ts";
import { loadConfigFile } from "../config/load.ts";
import type { RunwayConfig } from "../config/schema.ts";

export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const OUT_DIR = join(ROOT, ".build");

/** The Lambda entry points: every functions/*.ts file. */
export function functionNames(): string[] {
  return readdirSync(join(ROOT, "functions"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => basename(f, ".ts"))
    .sort();
}

export interface BundleResult {
  name: string;
  file: string;
  /** Code loaded at cold start: the entry file and the chunks it imports statically. */
  bytes: number;
  /** Chunks loaded only when a code path needs them. */
  lazyBytes: number;
  gzipBytes: number;
  metafile: Metafile;
}

/**
 * Node's HTTP modules reached through `require`, not ESM `import`. Importing a built-in as ESM
 * makes Node build a namespace over every export it has, running each lazy getter: `node:http`'s
 * WebSocket/MessageEvent getters load undici (≈ 15 ms of a first request that sends one HTTPS call
 * to SQS). The AWS SDK imports them as ESM (statically, and `await import("node:http")` on first
 * use), so each is replaced by a small ESM module over the bundle's `require` (the banner's
 * `createRequire`) that exports the module as its default and each of its plain values by name,
 * as Node's own namespace would, but leaves the lazy getters alone: code that imports one by name
 * fails the build, loudly, rather than loading undici unseen.
 */
const httpBuiltinsThroughRequire: Plugin = {
  name: "http-builtins-through-require",
  setup(build) {
    build.onResolve({ filter: /^(node:)?(http|https|http2)$/ }, (args) =>
      args.kind === "import-statement" || args.kind === "dynamic-import" ? { path: args.path.replace(/^node:/, ""), namespace: "builtin-through-require" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "builtin-through-require" }, (args) => {
      const builtin = createRequire(import.meta.url)(`node:${args.path}`) as object;
      const plain = Object.entries(Object.getOwnPropertyDescriptors(builtin))
        .filter(([name, descriptor]) => "value" in descriptor && /^[A-Za-z_$][\w$]*$/.test(name) && name !== "default")
        .map(([name]) => name);
      const contents = [`const builtin = require("node:${args.path}");`, "export default builtin;", ...plain.map((name) => `export const ${name} = builtin.${name};`)].join("\n");
      return { contents, loader: "js" };
    });
  },
};

/**
 * How a Lambda function is bundled (entry, output and working directory aside): also used to
 * bundle the peer's webhook for the benchmark (test/bench/peer/), so the two compare code with
 * code and not one bundler setting with another.
 */
export const FUNCTION_BUILD_OPTIONS = {
  entryNames: "index",
  chunkNames: "chunk-[hash]",
  outExtension: { ".js": ".mjs" },
  splitting: true,
  bundle: true,
  minify: true,
  platform: "node",
  target: "node24",
  format: "esm",
  // ESM output with CommonJS dependencies inside: give them a require() for Node's built-ins.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  mainFields: ["module", "main"],
  sourcemap: "external",
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  plugins: [httpBuiltinsThroughRequire],
} satisfies BuildOptions;

/**
 * Bundle one function.
 *
 * @example
 * const { bytes } = await bundleFunction("github-webhook");
 */
export async function bundleFunction(name: string, outDir = OUT_DIR, config: RunwayConfig = loadConfigFile()): Promise<BundleResult> {
  const dir = join(outDir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "index.mjs");
  const result = await build({
    ...FUNCTION_BUILD_OPTIONS,
    entryPoints: [join(ROOT, "functions", `${name}.ts`)],
    outdir: dir,
    absWorkingDir: ROOT,
    plugins: [leaveOutYamlLoader, ...FUNCTION_BUILD_OPTIONS.plugins],
  });
  writeFileSync(join(dir, COMPILED_CONFIG_FILE), serializeConfig(config));
  const { cold, lazy } = splitByLoading(result.metafile, `functions/${name}.ts`);
  const gzipBytes = cold.reduce((sum, path) => sum + gzipSync(readFileSync(join(ROOT, path))).length, 0);
  const size = (paths: string[]) => paths.reduce((sum, path) => sum + result.metafile.outputs[path]!.bytes, 0);
  return { name, file, bytes: size(cold), lazyBytes: size(lazy), gzipBytes, metafile: result.metafile };
}

/**
 * Deployed functions read the compiled configuration; the YAML loader (with the YAML parser and
 * the schema library, ~400 KB) is only for `npm start`, tests and the CLI. Leaving it out keeps it
 * out of the zip; lib/config/runtime.ts explains the fix if a deployment points at a YAML file.
 */
const leaveOutYamlLoader: Plugin = {
  name: "leave-out-yaml-loader",
  setup(build) {
    build.onResolve({ filter: /\/load\.ts$/ }, (args) =>
      args.kind === "dynamic-import" && args.importer.endsWith(join("config", "runtime.ts"))
        ? { path: "./yaml-config-loader-not-deployed.mjs", external: true }
        : undefined,
    );
  },
};

/**
 * The output files loaded at cold start (the entry and every chunk it imports statically) and
 * those loaded only through a dynamic `import()` on the code paths that need them.
 */
export function splitByLoading(metafile: Metafile, entryPoint: string): { cold: string[]; lazy: string[] } {
  const outputs = metafile.outputs;
  const code = Object.keys(outputs).filter((path) => /\.m?js$/.test(path));
  // Splitting makes every dynamic import() target an entry point too: find the one asked for.
  const entry = code.find((path) => outputs[path]!.entryPoint === entryPoint)!;
  const cold = new Set<string>();
  const visit = (path: string) => {
    if (cold.has(path)) return;
    cold.add(path);
    for (const imported of outputs[path]!.imports) if (imported.kind === "import-statement" && !imported.external) visit(imported.path);
  };
  visit(entry);
  return { cold: [...cold], lazy: code.filter((path) => !cold.has(path)) };
}

/** The single-file `runway validate`, beside the function bundles. */
export const VALIDATE_CLI_FILE = "runway-validate.mjs";

/**
 * Node.js versions the single file runs on: instances keep the Node.js their distribution ships
 * (AbortSignal.any, which the analysis uses, arrived in 20.3).
 */
export const VALIDATE_CLI_TARGET = "node20.3";

/**
 * `runway validate` as one executable ESM file with every dependency inlined (the AWS SDK clients
 * the checks use, the YAML parser and the schema library), for an instance that has Node.js and
 * nothing else: `node runway-validate.mjs --config runway.yml`. No chunks, no node_modules, no
 * source map beside it; dynamic imports are inlined.
 *
 * @example
 * const { file, bytes } = await bundleValidateCli(); // ".build/runway-validate.mjs"
 */
export async function bundleValidateCli(outDir = OUT_DIR): Promise<{ file: string; bytes: number; gzipBytes: number; metafile: Metafile }> {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, VALIDATE_CLI_FILE);
  const result = await build({
    entryPoints: [join(ROOT, "lib", "cli", "validate-main.ts")],
    outfile: file,
    absWorkingDir: ROOT,
    bundle: true,
    splitting: false,
    minify: true,
    platform: "node",
    target: VALIDATE_CLI_TARGET,
    format: "esm",
    banner: { js: "#!/usr/bin/env node\nimport{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    mainFields: ["module", "main"],
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  });
  chmodSync(file, 0o755);
  const bytes = statSync(file).size;
  return { file, bytes, gzipBytes: gzipSync(readFileSync(file)).length, metafile: result.metafile };
}

/** Validate the configuration, then bundle every function. */
export async function bundleAll(outDir = OUT_DIR): Promise<BundleResult[]> {
  const config = loadConfigFile(); // a broken runway.yml fails the build, with file, line and field
  const results: BundleResult[] = [];
  for (const name of functionNames()) results.push(await bundleFunction(name, outDir, config));
  return results;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const results = await bundleAll();
  for (const r of results) {
    console.log(`${r.name.padEnd(28)} ${(r.bytes / 1024).toFixed(1).padStart(8)} KiB  ${(r.gzipBytes / 1024).toFixed(1).padStart(7)} KiB gzip  + ${(r.lazyBytes / 1024).toFixed(1)} KiB lazy`);
  }
  const cli = await bundleValidateCli();
  console.log(`${VALIDATE_CLI_FILE.padEnd(28)} ${(cli.bytes / 1024).toFixed(1).padStart(8)} KiB  ${(cli.gzipBytes / 1024).toFixed(1).padStart(7)} KiB gzip  (one file, for EC2/on-premises hook scripts)`);
}
