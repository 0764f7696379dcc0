/**
 * The fake's HTTP answers, with the headers GitHub's REST API sends: JSON with a charset, a request
 * id, the rate-limit counters and the API version it served.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

const MAX_BODY = 1_000_000;
const DOCS = "https://docs.github.com/rest";
/** Per hour: an installation's REST budget, and the budget JIT registrations share (per App). */
const RATE_LIMITS: Record<string, number> = { core: 5000, actions_runner_registration: 10_000 };

/** GitHub's `x-github-request-id` shape: five hex groups. */
export function requestId(): string {
  const hex = (n: number) => randomBytes(n).toString("hex").toUpperCase();
  return `${hex(2)}:${hex(2)}:${hex(3)}:${hex(4)}:${hex(4)}`;
}

/** Requests counted per caller (an App, or one installation) in hour-long windows. */
export class RateCounter {
  readonly #windows = new Map<string, { reset: number; used: number }>();
  readonly #limits = new Map<string, number>();

  /** A caller's own hourly limit for a budget (an App's `actions_runner_registration`). */
  setLimit(caller: string, resource: string, perHour: number): void {
    this.#limits.set(`${caller}:${resource}`, perHour);
  }

  /** Count one request and return the headers that describe the window. */
  count(caller: string, resource = "core"): Record<string, string> {
    const limit = this.#limit(caller, resource);
    const window = this.#window(caller, resource);
    window.used += 1;
    return {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(Math.max(0, limit - window.used)),
      "x-ratelimit-used": String(window.used),
      "x-ratelimit-reset": String(window.reset),
      "x-ratelimit-resource": resource,
    };
  }

  /** What is left of the caller's window (without counting a request), and when it resets (epoch s). */
  peek(caller: string, resource = "core"): { remaining: number; reset: number } {
    const window = this.#window(caller, resource);
    return { remaining: Math.max(0, this.#limit(caller, resource) - window.used), reset: window.reset };
  }

  /** Start a window by hand: `remaining` requests left, reset `resetInSeconds` from now (tests). */
  set(caller: string, resource: string, { remaining, resetInSeconds }: { remaining: number; resetInSeconds: number }): void {
    const limit = this.#limit(caller, resource);
    this.#windows.set(`${caller}:${resource}`, { reset: Math.floor(Date.now() / 1000) + resetInSeconds, used: Math.max(0, limit - remaining) });
  }

  clear(): void {
    this.#windows.clear();
  }

  #limit(caller: string, resource: string): number {
    return this.#limits.get(`${caller}:${resource}`) ?? RATE_LIMITS[resource] ?? 5000;
  }

  #window(caller: string, resource: string): { reset: number; used: number } {
    const now = Math.floor(Date.now() / 1000);
    let window = this.#windows.get(`${caller}:${resource}`);
    if (!window || window.reset <= now) {
      window = { reset: now + 3600, used: 0 };
      this.#windows.set(`${caller}:${resource}`, window);
    }
    return window;
  }
}

/** Headers every API answer carries. */
export function baseHeaders(): Record<string, string> {
  return {
    "x-github-request-id": requestId(),
    "x-github-api-version-selected": "2022-11-28",
    "x-github-media-type": "github.v3; format=json",
    "cache-control": "private, max-age=60, s-maxage=60",
    vary: "Accept, Authorization, Cookie, X-GitHub-OTP",
  };
}

/** Send a JSON answer (no body for 204). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const all: Record<string, string> = { ...baseHeaders(), ...headers };
  if (status === 204 || body === undefined) {
    res.writeHead(status, all);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { ...all, "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}

/** GitHub's error body: `{ message, documentation_url, status }`. */
export function errorBody(status: number, message: string, documentationUrl = DOCS): Record<string, string> {
  return { message, documentation_url: documentationUrl, status: String(status) };
}

/** The request's JSON body; `undefined` when it is empty, `null` when it is not JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The credential in `Authorization: token X` / `Bearer X`. */
export function credential(req: IncomingMessage): string | undefined {
  return /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
}
