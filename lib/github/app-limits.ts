/**
 * What this container has learnt of each GitHub App's rate limits, from GitHub's own answers: an
 * App that GitHub refused for a rate limit (403 or 429: `retry-after`, else `x-ratelimit-reset`
 * when `x-ratelimit-remaining` is 0, else a minute, as GitHub's REST documentation says), or that
 * answered with `x-ratelimit-remaining: 0`, is limited until then; the App picker (app-pool.ts)
 * skips it until its reset, since GitHub asks clients not to send while limited.
 *
 * Per container, in memory: each Lambda container learns a limit by meeting it once (one refused
 * call per App and container), and forgets it when it is recycled. One limit per App, whichever
 * budget ran out (the App-wide `actions_runner_registration`, an installation's `core`): an App
 * limited on one installation is skipped for all of them until the reset, which costs at most the
 * spread of those minutes, never a launch.
 *
 * Every answer's `x-ratelimit-remaining` is recorded as `GitHubRateLimitRemaining` (alarm on its
 * Minimum), and each App becoming limited as `GitHubAppRateLimited`.
 */
import { logger } from "../observability/logger.ts";
import { recordMetric } from "../observability/metrics.ts";
import { toGitHubApiError } from "./api-error.ts";
import { GitHubRateLimitError } from "./errors.ts";

type Headers = Record<string, string | number | undefined>;

/** Per App id: the epoch (ms) before which it is not to be called. */
export class AppLimits {
  readonly #until = new Map<string, { until: number; reason: string }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * Remember that an App may not be called before `until` (epoch ms). A later notice extends the
   * limit, an earlier one never shortens it.
   */
  limit(appId: number | string, until: number, reason: string): void {
    const key = String(appId);
    const known = this.limitedUntil(key);
    if (known !== undefined && known >= until) return;
    if (until <= this.#now()) return;
    this.#until.set(key, { until, reason });
    if (known === undefined) {
      recordMetric("GitHubAppRateLimited", 1);
      logger.warn("GitHub App rate-limited: skipped until its reset", { appId: key, reason, resetsInSeconds: Math.ceil((until - this.#now()) / 1000) });
    }
  }

  /** This clock's time (epoch ms). */
  now(): number {
    return this.#now();
  }

  /** When the App's limit ends (epoch ms), or undefined when it is not limited. */
  limitedUntil(appId: number | string): number | undefined {
    const key = String(appId);
    const entry = this.#until.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.#now()) {
      this.#until.delete(key);
      return undefined;
    }
    return entry.until;
  }

  isLimited(appId: number | string): boolean {
    return this.limitedUntil(appId) !== undefined;
  }

  /** An answer GitHub gave the App (any status): its remaining budget, and whether it ran out. */
  observeAnswer(appId: number | string, headers: Headers | undefined): void {
    const remaining = headerNumber(headers, "x-ratelimit-remaining");
    if (remaining === undefined) return;
    recordMetric("GitHubRateLimitRemaining", remaining);
    const reset = headerNumber(headers, "x-ratelimit-reset");
    // The next call would be refused: skip the App now rather than spend a call learning it.
    if (remaining === 0 && reset !== undefined) this.limit(appId, reset * 1000 + 1000, `${headers?.["x-ratelimit-resource"] ?? "core"} budget used up`);
  }

  /** A call of the App that failed: a rate limit (classified as everywhere else, api-error.ts) limits it. */
  observeFailure(appId: number | string, error: unknown): void {
    const response = (error as { response?: { headers?: Headers } } | undefined)?.response;
    if (!response) return;
    this.observeAnswer(appId, response.headers);
    const classified = toGitHubApiError(error, { action: "call GitHub" });
    if (classified instanceof GitHubRateLimitError) {
      this.limit(appId, this.#now() + classified.retryAfterSeconds * 1000, classified.message.includes("secondary") ? "secondary rate limit" : "rate limit");
    }
  }

  /** Forget every limit (tests). */
  clear(): void {
    this.#until.clear();
  }
}

/** The container's memory of limits, shared by every client (octokit.ts) and the picker. */
export const appLimits = new AppLimits();

function headerNumber(headers: Headers | undefined, name: string): number | undefined {
  const raw = headers?.[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}
