/**
 * Bundles the peer's webhook Lambda (terraform-aws-github-runner, lambdas/functions/webhook) the
 * way lib/build/bundle.ts bundles Runway's functions, so the two cold starts compare code with
 * code and not one bundler with another: lib/build/bundle.ts's FUNCTION_BUILD_OPTIONS (esbuild,
 * platform node, ESM, target node24, minified, split into chunks, every dependency (the AWS SDK
 * included) inside, Node's HTTP modules through require). The peer ships an ncc
 * (CommonJS, unminified) build; that is not what is measured here.
 *
 * Run by build-peer.sh once the peer's dependencies are installed. argv: the peer's `lambdas/`
 * directory (with node_modules), the output directory. Writes <out>/index.mjs and
 * <out>/bundle.json ({ bytes, lazyBytes, gzipBytes }: code loaded at cold start, code loaded on
 * demand, the cold code gzipped), measured as Runway's `npm run bench` measures its own.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { FUNCTION_BUILD_OPTIONS, splitByLoading } from "../../../lib/build/bundle.ts";

const [lambdasArg, outArg] = process.argv.slice(2);
if (!lambdasArg || !outArg) throw new Error("usage: node test/bench/peer/bundle-peer.ts <peer lambdas/ dir> <out dir>");
const lambdas = resolve(lambdasArg);
const out = resolve(outArg);
const entry = join(lambdas, "functions/webhook/src/lambda.ts");
if (!existsSync(entry)) throw new Error(`${entry} not found: pass the peer's lambdas/ directory (build-peer.sh extracts it)`);
if (!existsSync(join(lambdas, "node_modules/@aws-sdk/client-sqs"))) throw new Error(`${lambdas}/node_modules has no @aws-sdk/client-sqs: install the peer's dependencies first (build-peer.sh does)`);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({ ...FUNCTION_BUILD_OPTIONS, entryPoints: [entry], outdir: out, absWorkingDir: lambdas });

// Metafile paths are relative to absWorkingDir.
const { cold, lazy } = splitByLoading(result.metafile, relative(lambdas, entry));
const size = (paths: string[]) => paths.reduce((sum, path) => sum + result.metafile.outputs[path]!.bytes, 0);
const figures = {
  bytes: size(cold),
  lazyBytes: size(lazy),
  gzipBytes: cold.reduce((sum, path) => sum + gzipSync(readFileSync(join(lambdas, path))).length, 0),
};
writeFileSync(join(out, "bundle.json"), JSON.stringify(figures));
writeFileSync(join(out, "meta.json"), JSON.stringify(result.metafile));
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log(`peer webhook: ${kib(figures.bytes)} cold (${kib(figures.gzipBytes)} gzip) + ${kib(figures.lazyBytes)} on demand, in ${out}`);
