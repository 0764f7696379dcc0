/**
 * Spreads JIT registrations and runner removals over the stage's GitHub Apps (apps.ts), since each
 * App has its own `actions_runner_registration` budget (about 10,000 an hour, ~160 launches a
 * minute): each call takes the next App in turn among those not rate-limited (app-limits.ts), and
 * a call an App is refused for a rate limit goes on at once through the next App.
 *
 * When every App is limited, a reset within the in-call wait (RATE_LIMIT_POLICY, and the
 * invocation's deadline) is waited out, as a single App's client always did; a later one fails as
 * GitHubRateLimitError carrying the earliest reset, which the launcher's queue turns into the
 * message's visibility delay (lib/runners/visibility.ts).
 *
 * Which App registered a runner does not matter afterwards: GitHub lets any App with the
 * permission (Administration: write on the repository, Organization → Self-hosted runners: write)
 * delete any runner in its installation's scope, so the ledger does not record the App.
 *
 * An extra App that GitHub refuses outright (not installed on the owner, a permission missing, a
 * key it does not know) is tried last for that owner for a while and logged with what to fix: a
 * half-finished second App slows nothing and parks nothing while the webhook App can do the work.
 */
import { logger } from "../observability/logger.ts";
import { appLimits, type AppLimits } from "./app-limits.ts";
import { registrationApps, type GitHubApp } from "./apps.ts";
import { canWait } from "./deadline.ts";
import { GitHubApiError, GitHubRateLimitError, RunnerNameConflictError } from "./errors.ts";
import { appInstallationClient, RATE_LIMIT_POLICY, type GitHubClient, type GitHubTarget } from "./octokit.ts";

/** How long an App GitHub refused outright is tried last for an owner. */
const MISFIT_MS = 10 * 60_000;

/** Which App takes the next call; per container. */
export class AppPicker {
  readonly #limits: AppLimits;
  #turn: number;
  /** Per `appId\nowner`: until when the App is tried last there. */
  readonly #misfits = new Map<string, number>();

  /**
   * `limits` is what is known of the Apps' limits (and its clock); `turn` is where the rotation
   * starts: random, so that a fleet of containers does not all start with the same App.
   */
  constructor(limits: AppLimits, turn = Math.floor(Math.random() * 1_000)) {
    this.#limits = limits;
    this.#turn = turn;
  }

  /**
   * The Apps to try, in order, for one call on `owner`: those not rate-limited, starting with the
   * next in turn, Apps GitHub refused there lately last. Empty when every App is limited.
   */
  order(apps: readonly GitHubApp[], owner: string): GitHubApp[] {
    if (apps.length === 0) return [];
    const start = this.#turn++ % apps.length;
    const rotated = [...apps.slice(start), ...apps.slice(0, start)].filter((app) => !this.#limits.isLimited(app.appId));
    const fits = rotated.filter((app) => !this.#misfit(app, owner));
    return [...fits, ...rotated.filter((app) => !fits.includes(app))];
  }

  /** The App was refused outright on `owner`: try the others first for a while. */
  refused(app: GitHubApp, owner: string): void {
    this.#misfits.set(misfitKey(app, owner), this.#limits.now() + MISFIT_MS);
  }

  /** Seconds until the first of the Apps is free again (0 when one is free now). */
  secondsUntilFree(apps: readonly GitHubApp[]): number {
    const now = this.#limits.now();
    const until = apps.map((app) => this.#limits.limitedUntil(app.appId) ?? now);
    return Math.max(0, Math.ceil((Math.min(...until) - now) / 1000));
  }

  #misfit(app: GitHubApp, owner: string): boolean {
    const until = this.#misfits.get(misfitKey(app, owner));
    if (until === undefined) return false;
    if (until > this.#limits.now()) return true;
    this.#misfits.delete(misfitKey(app, owner));
    return false;
  }
}

const misfitKey = (app: GitHubApp, owner: string) => `${app.appId}\n${owner.toLowerCase()}`;

let picker = new AppPicker(appLimits);

/** Start the rotation afresh (tests); the limits themselves are forgotten by resetGitHubClients(). */
export function resetAppPicker(turn = 0): void {
  picker = new AppPicker(appLimits, turn);
}

/** A call made through one App's client for the target. */
export type AppCall<T> = (octokit: GitHubClient, app: GitHubApp) => Promise<T>;

/**
 * Make `call` through one of the stage's Apps: the next in turn that is not rate-limited, then the
 * others when GitHub limits or refuses it.
 *
 * @throws GitHubRateLimitError (retryable, `retryAfterSeconds`: the earliest reset) when every App
 *   is limited for longer than a call may wait; whatever `call` throws otherwise.
 * @example
 * const jit = await withRegistrationApp({ owner: "acme", repo: "api", installationId: 42 }, (octokit) =>
 *   generateJitConfig(octokit, { owner: "acme", repo: "api", name, runnerGroupId: 1, labels }));
 */
export async function withRegistrationApp<T>(target: GitHubTarget, call: AppCall<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const apps = await registrationApps(env);
  return spreadOver(apps, target.owner, async (app) => call(await appInstallationClient(app, target, "fail"), app));
}

/** What spreadOver() works with; the container's own unless a test gives its own. */
export interface SpreadDeps {
  picker: AppPicker;
  limits: AppLimits;
  /** Waits for a reset (setTimeout unless a test moves a clock). */
  sleep: (ms: number) => Promise<void>;
  /** Whether the invocation can afford to wait this long (deadline.ts). */
  canWait: (seconds: number) => boolean;
}

/**
 * The picking itself: `attempt` through each App in the picker's order until one answers, a
 * rate-limited App skipped and the next tried at once, an App GitHub refused outright tried last.
 *
 * @example
 * await spreadOver(apps, "acme", (app) => register(app)); // through the first App free of limits
 */
export async function spreadOver<T>(apps: readonly GitHubApp[], owner: string, attempt: (app: GitHubApp) => Promise<T>, deps?: Partial<SpreadDeps>): Promise<T> {
  const { picker: order, limits, sleep, canWait: affordable } = { picker, limits: appLimits, sleep: wait, canWait, ...deps };
  /** Apps GitHub refused outright during this call: not asked again by it. */
  const refusals = new Map<GitHubApp, unknown>();
  for (let waits = 0; ; waits++) {
    for (const app of order.order(apps, owner)) {
      // Another call of this container may have met the limit since the order was made.
      if (refusals.has(app) || limits.isLimited(app.appId)) continue;
      try {
        return await attempt(app);
      } catch (error) {
        if (error instanceof GitHubRateLimitError) {
          limits.limit(app.appId, limits.now() + error.retryAfterSeconds * 1000, "rate limit");
          continue;
        }
        if (!refusedOutright(error)) throw named(error, app);
        refusals.set(app, error);
        order.refused(app, owner);
        logger.warn("GitHub refused this App here: the stage's other Apps are tried first for ten minutes", {
          appId: String(app.appId),
          owner,
          reason: (error as Error).message,
        });
      }
    }
    const limited = apps.filter((app) => limits.isLimited(app.appId));
    if (limited.length === 0) {
      if (refusals.size === 0) continue; // the limits that kept every App out ran out meanwhile
      // Every App was refused outright: the webhook App's refusal (else the last) says what to fix.
      const [app, error] = [...refusals].find(([a]) => a.webhook) ?? [...refusals].at(-1)!;
      throw named(error, app);
    }
    const seconds = order.secondsUntilFree(limited);
    if (waits < RATE_LIMIT_POLICY.maxRetries && seconds <= RATE_LIMIT_POLICY.maxRetryAfterSeconds && affordable(seconds)) {
      logger.warn("every GitHub App is rate-limited: waiting for the first reset", { apps: limited.map((a) => String(a.appId)), waitSeconds: seconds });
      await sleep(seconds * 1000 + 100);
      continue;
    }
    throw allLimited(limited, refusals.size, seconds);
  }
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A refusal that another App may not meet: not installed there, a permission or key missing. */
function refusedOutright(error: unknown): boolean {
  if (!(error instanceof GitHubApiError) || error instanceof RunnerNameConflictError || error.retryable) return false;
  return error.status === 401 || error.status === 403 || error.status === 404;
}

/** An extra App's permanent failure says which App, so the operator knows which one to fix. */
function named(error: unknown, app: GitHubApp): unknown {
  if (app.webhook || !(error instanceof GitHubApiError) || error.retryable) return error;
  return new GitHubApiError(`GitHub App ${app.appId}: ${error.message}`, { status: error.status, retryable: false, requestId: error.requestId, cause: error });
}

function allLimited(limited: readonly GitHubApp[], refused: number, seconds: number): GitHubRateLimitError {
  const ids = limited.map((a) => a.appId).join(", ");
  const which = limited.length === 1 ? `GitHub App ${ids} is` : `GitHub Apps ${ids} are`;
  const others = refused > 0 ? ` (and GitHub refused the stage's ${refused} other App${refused === 1 ? "" : "s"} here)` : "";
  return new GitHubRateLimitError(
    `${which} rate-limited${others}: the first is free again in ${seconds} s, retry then; if this recurs, add another App to the stage (README, "Several GitHub Apps")`,
    { retryAfterSeconds: Math.max(1, seconds) },
  );
}
