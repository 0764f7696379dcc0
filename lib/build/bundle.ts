/**
 * Bundles each Lambda function (functions/*.ts) on its own with esbuild: one minified ESM file per
 * function under .build/<name>/, with the configuration beside it as `runway.json` (validated
 * here, so a broken runway.yml fails the build, not a delivery). Small per-function bundles keep
 * cold starts short (DESIGN.md: cold start is part of GitHub's 10 s budget).
 *
 * Run: `node lib/build/bundle.ts` (npm run build); `npm run package` runs it before `serverless package`.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { build, type Metafile } from "esbuild";
import { configFileToJson, loadConfigFile } from "../config/load.ts";

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
  bytes: number;
  gzipBytes: number;
  metafile: Metafile;
}

/**
 * Bundle one function.
 *
 * @example
 * const { bytes } = await bundleFunction("github-webhook");
 */
export async function bundleFunction(name: string, outDir = OUT_DIR): Promise<BundleResult> {
  const dir = join(outDir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "index.mjs");
  const result = await build({
    entryPoints: [join(ROOT, "functions", `${name}.ts`)],
    outfile: file,
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
    // Deployed functions read runway.json; the YAML parser (110 KB) would be dead weight.
    alias: { yaml: join(ROOT, "lib/build/yaml-unavailable.ts") },
    metafile: true,
    logLevel: "warning",
  });
  writeFileSync(join(dir, "runway.json"), configFileToJson());
  const bytes = statSync(file).size;
  return { name, file, bytes, gzipBytes: gzipSync(readFileSync(file)).length, metafile: result.metafile };
}

/** Validate the configuration, then bundle every function. */
export async function bundleAll(outDir = OUT_DIR): Promise<BundleResult[]> {
  loadConfigFile(); // a broken runway.yml fails the build, with file, line and field
  const results: BundleResult[] = [];
  for (const name of functionNames()) results.push(await bundleFunction(name, outDir));
  return results;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const results = await bundleAll();
  for (const r of results) {
    console.log(`${r.name.padEnd(28)} ${(r.bytes / 1024).toFixed(1).padStart(8)} KiB  ${(r.gzipBytes / 1024).toFixed(1).padStart(7)} KiB gzip`);
  }
}
