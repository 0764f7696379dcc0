/**
 * The stage's GitHub Apps, as configured (the same names on AWS and locally):
 *
 * - The webhook App: `GITHUB_APP_ID`, its private key in the SSM SecureString that
 *   `GITHUB_APP_PRIVATE_KEY_PARAMETER` names (or in `GITHUB_APP_PRIVATE_KEY`, locally). Its webhook
 *   delivers the jobs, so a delivery's `installation.id` is one of its installations; it reads jobs,
 *   logs and deliveries, answers protection rules, and registers runners.
 * - More Apps that only register (and remove) runners, each with its own
 *   `actions_runner_registration` budget: `GITHUB_APPS_PARAMETER` names an SSM parameter listing
 *   their ids (commas or spaces), and each listed App's key is the SecureString
 *   `<GITHUB_APPS_PARAMETER>/<id>`. Both are read at most every five minutes, so adding an App is
 *   two `put-parameter` calls and no deploy (README, "Several GitHub Apps").
 *
 * A mistake in the extra Apps never stops launches: a list that cannot be read, an entry that is
 * not an App id or a key that is missing or not a key is logged with what to fix and left out,
 * and the webhook App goes on alone. A missing list is today's single-App configuration.
 */
import { logger } from "../observability/logger.ts";
import { GitHubAppConfigError } from "./errors.ts";

export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

/** One App's credentials and where its API is. */
export interface GitHubApp {
  appId: number | string;
  privateKey: string;
  baseUrl: string;
  /** Clients built from other credentials (another key after a rotation) are replaced. */
  identity: string;
  /** True for the App whose webhook delivers jobs: a delivery's `installation.id` is one of its. */
  webhook: boolean;
}

/** Keys and the list are read from SSM at most this often (Powertools' cache, and the list's below). */
const KEY_CACHE_SECONDS = 300;
/** A list that could not be read (throttled, denied) is asked again after this long, not five minutes. */
const FAILED_READ_CACHE_MS = 30_000;
/** An App id (digits) or client id (`Iv1.0123abcd…`, `Iv23li…`), which GitHub also takes as a JWT issuer. */
const APP_ID = /^(?:\d+|Iv[0-9A-Za-z.]+)$/;

let extraApps: { parameter: string; baseUrl: string; apps: Promise<GitHubApp[]>; until: number } | undefined;

/**
 * The webhook App's credentials.
 *
 * @throws GitHubAppConfigError naming the variable or parameter to fix (never the key itself).
 * @example
 * const app = await webhookApp(); // { appId: 123456, webhook: true, … }
 */
export async function webhookApp(env: NodeJS.ProcessEnv = process.env): Promise<GitHubApp> {
  const rawId = env.GITHUB_APP_ID?.trim();
  if (!rawId) {
    throw new GitHubAppConfigError("GITHUB_APP_ID is not set: set it to the GitHub App's App ID (the App's settings page, General → About)");
  }
  const parameter = env.GITHUB_APP_PRIVATE_KEY_PARAMETER?.trim();
  let privateKey = env.GITHUB_APP_PRIVATE_KEY;
  let source = "GITHUB_APP_PRIVATE_KEY";
  if (!privateKey?.trim() && parameter) {
    source = `the SSM parameter ${parameter}`;
    privateKey = await readKeyParameter(parameter);
  }
  if (!privateKey?.trim()) {
    throw new GitHubAppConfigError(
      parameter
        ? `${source} (GITHUB_APP_PRIVATE_KEY_PARAMETER) is empty: put the App's private key (.pem) there as a SecureString`
        : "no GitHub App private key: set GITHUB_APP_PRIVATE_KEY_PARAMETER (on AWS) or GITHUB_APP_PRIVATE_KEY (locally)",
    );
  }
  return app(rawId, checkedKey(privateKey, source), apiUrl(env), true);
}

/**
 * Every App that may register runners: the webhook App first, then the listed ones in their order.
 *
 * @throws GitHubAppConfigError only for the webhook App's own configuration.
 * @example
 * const apps = await registrationApps(); // [{ appId: 123456, webhook: true }, { appId: 234567, webhook: false }]
 */
export async function registrationApps(env: NodeJS.ProcessEnv = process.env): Promise<GitHubApp[]> {
  const main = await webhookApp(env);
  const parameter = env.GITHUB_APPS_PARAMETER?.trim().replace(/\/+$/, "");
  if (!parameter) return [main];
  if (extraApps?.parameter !== parameter || extraApps.baseUrl !== main.baseUrl || extraApps.until <= Date.now()) {
    const entry = { parameter, baseUrl: main.baseUrl, apps: readExtraApps(parameter, main), until: Date.now() + KEY_CACHE_SECONDS * 1000 };
    // Not a rejection kept for five minutes: the next call reads again.
    entry.apps.catch(() => extraApps === entry && (extraApps = undefined));
    extraApps = entry;
  }
  const extras = await extraApps.apps;
  return [main, ...extras.filter((a) => String(a.appId) !== String(main.appId))];
}

/** Forget the extra Apps read from SSM (tests; an App added a moment ago). */
export function resetGitHubApps(): void {
  extraApps = undefined;
}

async function readExtraApps(parameter: string, main: GitHubApp): Promise<GitHubApp[]> {
  const { readSsmSecret } = await import("./ssm-secret-provider.ts");
  let list: string | undefined;
  try {
    list = await readSsmSecret(parameter, KEY_CACHE_SECONDS);
  } catch (error) {
    if (isNotFound(error)) return []; // no extra Apps: the single-App configuration
    logger.error(`could not read the list of extra GitHub Apps from ${parameter}: check that this function may ssm:GetParameter it; the webhook App registers runners alone meanwhile`, {
      error: (error as Error).name,
    });
    if (extraApps?.parameter === parameter) extraApps.until = Date.now() + FAILED_READ_CACHE_MS;
    return [];
  }
  const ids = [...new Set((list ?? "").split(/[\s,]+/).filter(Boolean))];
  const apps = await Promise.all(
    ids.map(async (id): Promise<GitHubApp | undefined> => {
      if (!APP_ID.test(id)) {
        logger.error(`${parameter} lists "${id.slice(0, 40)}", which is not a GitHub App id: list App ids (digits, the App's settings → About) separated by commas; that entry is left out`);
        return undefined;
      }
      if (id === String(main.appId)) return undefined;
      const keyParameter = `${parameter}/${id}`;
      try {
        const key = await readKeyParameter(keyParameter);
        if (!key?.trim()) throw new GitHubAppConfigError(`the SSM parameter ${keyParameter} is empty: put GitHub App ${id}'s private key (.pem) there as a SecureString`);
        return app(id, checkedKey(key, `the SSM parameter ${keyParameter}`), main.baseUrl, false);
      } catch (error) {
        logger.error(`GitHub App ${id} is left out: ${(error as Error).message}`);
        return undefined;
      }
    }),
  );
  return apps.filter((a) => a !== undefined);
}

async function readKeyParameter(parameter: string): Promise<string | undefined> {
  const { readSsmSecret } = await import("./ssm-secret-provider.ts");
  try {
    return await readSsmSecret(parameter, KEY_CACHE_SECONDS);
  } catch (error) {
    throw new GitHubAppConfigError(
      `could not read the GitHub App's private key from the SSM parameter ${parameter} (${isNotFound(error) ? "ParameterNotFound" : (error as Error).name}): check that it exists and that this function may ssm:GetParameter it and kms:Decrypt its key`,
      { cause: error },
    );
  }
}

function checkedKey(privateKey: string, source: string): string {
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(privateKey)) {
    // Never echo the value: say what shape it should have.
    throw new GitHubAppConfigError(
      `the GitHub App private key in ${source} is not a PEM private key: store the whole .pem file GitHub generated, from its -----BEGIN line to its -----END line`,
    );
  }
  return privateKey;
}

function app(rawId: string, privateKey: string, baseUrl: string, webhook: boolean): GitHubApp {
  const appId = /^\d+$/.test(rawId) ? Number(rawId) : rawId;
  return { appId, privateKey, baseUrl, identity: `${baseUrl}\n${rawId}\n${privateKey}`, webhook };
}

const apiUrl = (env: NodeJS.ProcessEnv) => (env.GITHUB_API_URL?.trim() || DEFAULT_GITHUB_API_URL).replace(/\/+$/, "");

/** SSM's ParameterNotFound, as the SDK throws it or as Powertools wraps it. */
function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; cause?: { name?: string } } | undefined;
  return e?.name === "ParameterNotFound" || e?.cause?.name === "ParameterNotFound";
}
