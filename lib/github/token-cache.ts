/**
 * The installation-token cache handed to `@octokit/auth-app`.
 *
 * Its own cache (toad-cache's LRU) keeps a token for 59 minutes after it was fetched, whatever
 * `expires_at` GitHub answered: a warm Lambda can then send a token with under a minute left, and
 * a token issued for less than an hour would be sent after it expired. This one keeps each token
 * until `REFRESH_MARGIN_MS` before its own `expires_at`, then lets auth-app fetch a new one.
 * auth-app already shares one in-flight fetch among concurrent requests, so a cold container asks
 * GitHub once per installation, not once per request.
 *
 * auth-app stores `token|createdAt|expiresAt|…` strings (dist-src/cache.js); a value whose expiry
 * cannot be read is kept for `FALLBACK_TTL_MS` instead, so a format change degrades safely.
 */

/** Stop using a token this long before GitHub expires it. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** How long a value without a readable `expiresAt` is kept (GitHub's tokens live 60 minutes). */
const FALLBACK_TTL_MS = 50 * 60_000;
/** Bounds memory if a container ever talks to very many installations. */
const MAX_ENTRIES = 1_000;

/** The `cache` option of `createAppAuth`. */
export interface TokenCache {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** A cache that honours each token's own expiry; `now` is injectable for tests. */
export function createTokenCache(now: () => number = Date.now): TokenCache & { size(): number; clear(): void } {
  const entries = new Map<string, { value: string; useUntil: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (now() >= entry.useUntil) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value) {
      const expiresAt = Date.parse(value.split("|")[2] ?? "");
      const useUntil = Number.isNaN(expiresAt) ? now() + FALLBACK_TTL_MS : expiresAt - REFRESH_MARGIN_MS;
      entries.delete(key);
      entries.set(key, { value, useUntil });
      // Maps iterate in insertion order: the first key is the least recently stored.
      if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    },
    size: () => entries.size,
    clear: () => entries.clear(),
  };
}
