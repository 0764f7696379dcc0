import { describe, expect, it } from "vitest";
import { AppLimits } from "../../../lib/github/app-limits.ts";
import { AppPicker, spreadOver, type SpreadDeps } from "../../../lib/github/app-pool.ts";
import type { GitHubApp } from "../../../lib/github/apps.ts";
import { GitHubApiError, GitHubRateLimitError, RunnerNameConflictError } from "../../../lib/github/errors.ts";
import { RetryLaterError } from "../../../lib/runners/errors.ts";
import { retryDelaySeconds, retryHintSeconds } from "../../../lib/runners/visibility.ts";

const app = (appId: number, webhook = false): GitHubApp => ({ appId, privateKey: "", baseUrl: "https://api.github.com", identity: String(appId), webhook });
const A = app(1, true);
const B = app(2);
const C = app(3);

/** A picker and limits on a clock the test moves; sleeping moves it too. */
function pool(turn = 0) {
  const clock = { now: 1_700_000_000_000 };
  const limits = new AppLimits(() => clock.now);
  const slept: number[] = [];
  const deps: SpreadDeps = {
    picker: new AppPicker(limits, turn),
    limits,
    sleep: async (ms) => {
      slept.push(ms);
      clock.now += ms;
    },
    canWait: () => true,
  };
  return { clock, limits, slept, deps };
}

/** An attempt that answers which App made it, unless `refuse` says how that App fails. */
function through(used: number[], refuse: (app: GitHubApp) => Error | undefined = () => undefined) {
  return async (chosen: GitHubApp) => {
    used.push(Number(chosen.appId));
    const error = refuse(chosen);
    if (error) throw error;
    return chosen.appId;
  };
}

const rateLimited = (seconds: number) => new GitHubRateLimitError(`GitHub's rate limit stopped the call: retry after ${seconds} s`, { status: 403, retryAfterSeconds: seconds });

describe("spreading calls over the stage's Apps", () => {
  it("takes the Apps in turn", async () => {
    const { deps } = pool();
    const used: number[] = [];
    for (let i = 0; i < 6; i++) await spreadOver([A, B, C], "acme", through(used), deps);
    expect(used).toEqual([1, 2, 3, 1, 2, 3]);
  });

  it("goes on through the next App at once when one is rate-limited, skips it until its reset, then uses it again", async () => {
    const { clock, limits, slept, deps } = pool();
    const used: number[] = [];
    let aLimited = true;
    const attempt = through(used, (chosen) => (chosen === A && aLimited ? rateLimited(30) : undefined));

    await expect(spreadOver([A, B], "acme", attempt, deps)).resolves.toBe(2);
    expect(used).toEqual([1, 2]);
    expect(limits.limitedUntil(1)).toBe(clock.now + 30_000);

    used.length = 0;
    for (let i = 0; i < 4; i++) await spreadOver([A, B], "acme", attempt, deps);
    expect(used).toEqual([2, 2, 2, 2]); // A is not asked while GitHub limits it
    expect(slept).toEqual([]);

    clock.now += 30_000;
    aLimited = false;
    used.length = 0;
    for (let i = 0; i < 4; i++) await spreadOver([A, B], "acme", attempt, deps);
    expect(used.sort()).toEqual([1, 1, 2, 2]);
  });

  it("fails, retryable, with the earliest reset when every App is limited for longer than a call may wait", async () => {
    const { clock, limits, slept, deps } = pool();
    limits.limit(1, clock.now + 300_000, "rate limit");
    limits.limit(2, clock.now + 120_000, "rate limit");
    const used: number[] = [];

    const error = await spreadOver([A, B], "acme", through(used), deps).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GitHubRateLimitError);
    expect(error).toMatchObject({ retryable: true, retryAfterSeconds: 120 });
    expect((error as Error).message).toContain("GitHub Apps 1, 2 are rate-limited: the first is free again in 120 s");
    expect(used).toEqual([]); // GitHub is not asked while it limits every App
    expect(slept).toEqual([]);
    // The launcher wraps it (github-registry.ts); the queue brings the message back no sooner.
    const hint = retryHintSeconds(new RetryLaterError((error as Error).message, { cause: error }));
    expect(hint).toBe(120);
    expect(retryDelaySeconds(1, hint, { random: () => 0 })).toBe(120);
  });

  it("waits out a reset that comes within a minute when every App is limited, then goes on through the first free App", async () => {
    const { clock, limits, slept, deps } = pool();
    limits.limit(1, clock.now + 45_000, "rate limit");
    limits.limit(2, clock.now + 20_000, "secondary rate limit");
    const used: number[] = [];
    await expect(spreadOver([A, B], "acme", through(used), deps)).resolves.toBe(2);
    expect(slept).toEqual([20_100]);
    expect(used).toEqual([2]);
  });

  it("does not wait past the invocation's deadline", async () => {
    const { clock, limits, slept, deps } = pool();
    limits.limit(1, clock.now + 20_000, "rate limit");
    const error = await spreadOver([A], "acme", through([]), { ...deps, canWait: () => false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "GitHubRateLimitError", retryAfterSeconds: 20 });
    expect((error as Error).message).toContain("GitHub App 1 is rate-limited");
    expect(slept).toEqual([]);
  });

  it("tries an App GitHub refuses outright last on that owner, and names it when no App is left", async () => {
    const { deps } = pool();
    const used: number[] = [];
    const notInstalled = new GitHubApiError("could not find GitHub App 2's installation on acme/api: GitHub answered 404 (Not Found); GitHub App 2 is not installed on acme/api", {
      status: 404,
      retryable: false,
    });
    const attempt = through(used, (chosen) => (chosen === B ? notInstalled : undefined));
    await expect(spreadOver([A, B], "acme", attempt, deps)).resolves.toBe(1); // A's turn
    await expect(spreadOver([A, B], "acme", attempt, deps)).resolves.toBe(1); // B's turn: refused, then A
    await expect(spreadOver([A, B], "acme", attempt, deps)).resolves.toBe(1); // B is last on acme now
    await expect(spreadOver([A, B], "acme", attempt, deps)).resolves.toBe(1);
    expect(used).toEqual([1, 2, 1, 1, 1]);

    const error = await spreadOver([B], "acme", attempt, deps).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "GitHubApiError", retryable: false, status: 404 });
    expect((error as Error).message).toMatch(/^GitHub App 2: could not find GitHub App 2's installation/);
  });

  it("throws what no other App would change at once: a runner name taken, GitHub down, invalid labels", async () => {
    const { deps } = pool();
    for (const failure of [
      new RunnerNameConflictError("a runner named runway-dev-1-1 is already registered", { status: 409, runnerName: "runway-dev-1-1" }),
      new GitHubApiError("could not generate a JIT runner config: GitHub answered 502; retry later", { status: 502, retryable: true }),
      new GitHubApiError("could not generate a JIT runner config: GitHub answered 422", { status: 422, retryable: false }),
    ]) {
      const used: number[] = [];
      await expect(spreadOver([A, B], "acme", through(used, () => failure), deps)).rejects.toBe(failure);
      expect(used).toHaveLength(1);
    }
  });
});
