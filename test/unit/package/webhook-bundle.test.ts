/**
 * What the webhook's cold start and first delivery load. Not undici: importing `node:http` as ESM makes Node
 * build a namespace over its lazy WebSocket/MessageEvent getters, which load undici (≈ 15 ms).
 * lib/build/bundle.ts routes the AWS SDK's HTTP imports through `require`; this holds the built
 * bundle to that. Nor the schema library: routing reads plain data (a field list, the compiled
 * configuration), and zod at cold start cost the webhook 86 KiB once.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundleFunction, splitByLoading, type BundleResult } from "../../../lib/build/bundle.ts";

const outDir = mkdtempSync(join(tmpdir(), "runway-bundle-builtins-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

let built: BundleResult | undefined;
const webhook = async () => (built ??= await bundleFunction("github-webhook", outDir));

describe("the webhook bundle", () => {
  it("reaches node:http, https and http2 only through require", async () => {
    const { name } = await webhook();
    const dir = join(outDir, name);
    const code = readdirSync(dir)
      .filter((file) => file.endsWith(".mjs"))
      .map((file) => readFileSync(join(dir, file), "utf8"))
      .join("\n");
    const esmImports = code.match(/(?:from\s*|import\s*\(\s*)["'](?:node:)?https?2?["']/g) ?? [];
    expect(esmImports).toEqual([]);
    // Minified, the bundle's `require` has another name: `<name> = <require>("node:https")`.
    expect(code).toMatch(/=\w+\("node:https"\)/);
    expect(code).toMatch(/=\w+\("node:http"\)/);
  }, 60_000);

  it("keeps the schema library and the YAML parser out of the code loaded at cold start", async () => {
    const { metafile } = await webhook();
    const { cold } = splitByLoading(metafile, "functions/github-webhook.ts");
    const coldInputs = cold.flatMap((path) => Object.keys(metafile.outputs[path]!.inputs));
    expect(coldInputs).toContain("lib/routing/route.ts");
    expect(coldInputs.filter((input) => /node_modules\/(zod|yaml)\//.test(input))).toEqual([]);
  }, 60_000);
});
