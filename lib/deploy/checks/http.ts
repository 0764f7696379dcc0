/**
 * `http` check: one request to a URL (usually the test listener) and what its answer must be —
 * status, body contents and latency. Redirects are not followed, so the status is what the
 * release itself answered. The body is read up to 1 MiB and never logged; evidence names only
 * what was expected and whether it was found.
 */
import type { HttpCheckConfig } from "../../config/deploy-schema.ts";
import { fillTemplate , quote } from "../template.ts";
import type { CheckEnv, Measure } from "../types.ts";

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Builds the measurement of an http check.
 *
 * @example
 * const measure = httpMeasure(check, env);
 * const { ok, summary } = await measure(AbortSignal.timeout(5_000)); // "GET http://…/health → 200 in 12 ms"
 */
export function httpMeasure(check: HttpCheckConfig, env: CheckEnv): Measure {
  return async (signal) => {
    const url = fillTemplate(check.url, env.values);
    const headers = Object.fromEntries(Object.entries(check.headers).map(([name, value]) => [name, fillTemplate(value, env.values)]));
    const body = check.body === undefined ? undefined : fillTemplate(check.body, env.values);
    const shown = `${check.method} ${redact(url)}`;
    const started = performance.now();
    const response = await fetch(url, { method: check.method, headers, body, redirect: "manual", signal });
    const text = check.method === "HEAD" ? "" : await readText(response, signal);
    const latencyMs = Math.round(performance.now() - started);

    const problems: string[] = [];
    if (!statusMatches(response.status, check.expect.status)) {
      problems.push(`status ${response.status}, expected ${check.expect.status.join(" or ")}`);
    }
    for (const needle of check.expect.bodyContains ?? []) {
      if (!text.includes(needle)) problems.push(`body does not contain ${quote(needle)}`);
    }
    if (check.expect.bodyMatches && !check.expect.bodyMatches.test(text)) {
      problems.push(`body does not match /${check.expect.bodyMatches.source}/`);
    }
    if (check.expect.maxLatency !== undefined && latencyMs > check.expect.maxLatency) {
      problems.push(`took ${latencyMs} ms, more than maxLatency ${check.expect.maxLatency} ms`);
    }
    const head = `${shown} → ${response.status} in ${latencyMs} ms`;
    return {
      ok: problems.length === 0,
      summary: problems.length === 0 ? head : `${head}: ${problems.join("; ")}`,
      data: { url: redact(url), status: response.status, latencyMs, bytes: Buffer.byteLength(text) },
    };
  };
}

/** `200` matches 200; `2xx` matches 200–299. */
export function statusMatches(status: number, expected: string[]): boolean {
  const code = String(status);
  return expected.some((pattern) => [...pattern].every((char, i) => char === "x" || char === code[i]));
}

/** Query strings and user info can carry tokens: evidence shows origin and path only. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

async function readText(response: Response, signal: AbortSignal): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_BODY_BYTES && !signal.aborted) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString("utf8");
}
