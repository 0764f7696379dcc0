/**
 * The webhook's first delivery must not pay for undici: importing `node:http` as ESM makes Node
 * build a namespace over its lazy WebSocket/MessageEvent getters, which load undici (≈ 15 ms).
 * lib/build/bundle.ts routes the AWS SDK's HTTP imports through `require`; this holds the built
 * bundle to that.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundleFunction } from "../../../lib/build/bundle.ts";

const outDir = mkdtempSync(join(tmpdir(), "runway-bundle-builtins-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("the webhook bundle", () => {
  it("reaches node:http, https and http2 only through require", async () => {
    const { name } = await bundleFunction("github-webhook", outDir);
    const dir = join(outDir, name);
    const code = readdirSync(dir)
      .filter((file) => file.endsWith(".mjs"))
      .map((file) => readFileSync(join(dir, file), "utf8"))
      .join("\n");
    const esmImports = code.match(/(?:from\s*|import\s*\(\s*)["'](?:node:)?https?2?["']/g) ?? [];
    expect(esmImports).toEqual([]);
    // Minified, the bundle's `require` has another name: `exports = <require>("node:https")`.
    expect(code).toMatch(/exports=\w+\("node:https"\)/);
    expect(code).toMatch(/exports=\w+\("node:http"\)/);
  }, 60_000);
});
