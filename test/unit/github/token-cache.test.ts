import { describe, expect, it } from "vitest";
import { createTokenCache, REFRESH_MARGIN_MS } from "../../../lib/github/token-cache.ts";

// auth-app's stored value: token|createdAt|expiresAt|repositorySelection|permissions|singleFileName
const stored = (expiresAt: string) => `ghs_abc|2030-01-01T00:00:00.000Z|${expiresAt}|all|administration!,metadata|`;
const T0 = Date.parse("2030-01-01T00:00:00Z");

describe("createTokenCache()", () => {
  it("keeps a token until five minutes before GitHub's expires_at", () => {
    let now = T0;
    const cache = createTokenCache(() => now);
    cache.set("42", stored("2030-01-01T01:00:00Z"));
    now = T0 + 60 * 60_000 - REFRESH_MARGIN_MS - 1;
    expect(cache.get("42")).toBe(stored("2030-01-01T01:00:00Z"));
    now += 1;
    expect(cache.get("42")).toBeUndefined();
    expect(cache.size()).toBe(0);
  });

  it("never serves a token issued for less than the margin", () => {
    const cache = createTokenCache(() => T0);
    cache.set("42", stored("2030-01-01T00:04:00Z"));
    expect(cache.get("42")).toBeUndefined();
  });

  it("keeps a value whose expiry it cannot read for 50 minutes, not longer", () => {
    let now = T0;
    const cache = createTokenCache(() => now);
    cache.set("42", "ghs_abc|something else");
    now = T0 + 50 * 60_000 - 1;
    expect(cache.get("42")).toBe("ghs_abc|something else");
    now += 1;
    expect(cache.get("42")).toBeUndefined();
  });

  it("keeps installations apart and forgets everything on clear()", () => {
    const cache = createTokenCache(() => T0);
    cache.set("1", stored("2030-01-01T01:00:00Z").replace("abc", "one"));
    cache.set("2", stored("2030-01-01T01:00:00Z").replace("abc", "two"));
    expect(cache.get("1")).toContain("ghs_one");
    expect(cache.get("2")).toContain("ghs_two");
    cache.clear();
    expect(cache.get("1")).toBeUndefined();
  });
});
