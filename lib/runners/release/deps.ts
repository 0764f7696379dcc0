/**
 * The resolver's real collaborators, from the function's environment (settings.ts): GitHub's
 * releases API, downloads to /tmp, the artifacts bucket, the clock.
 */
import { readSsmSecret } from "../../github/ssm-secret-provider.ts";
import { s3ArchiveStore } from "./archive-store.ts";
import { downloadArchive } from "./download.ts";
import { RunnerReleaseConfigError } from "./errors.ts";
import { releasesApi } from "./github-releases.ts";
import type { ResolverDeps } from "./resolve.ts";
import { runnerReleaseSettings, type RunnerReleaseSettings } from "./settings.ts";

/**
 * @throws RunnerReleaseConfigError for a setting that is missing or malformed, or a token
 *   parameter that cannot be read
 *
 * @example
 * const report = await runnerReleasePass(() => runnerReleaseDepsFromEnv(process.env, log), log);
 */
export async function runnerReleaseDepsFromEnv(env: NodeJS.ProcessEnv, log: ResolverDeps["log"]): Promise<ResolverDeps> {
  const settings = runnerReleaseSettings(env);
  const token = settings.token ?? (settings.tokenParameter ? await tokenFrom(settings.tokenParameter) : undefined);
  const tokenSource = settings.token ? "RUNWAY_RUNNER_RELEASES_TOKEN" : settings.tokenParameter ? `the SSM parameter ${settings.tokenParameter}` : undefined;
  return {
    requested: settings.requested,
    release: releasesApi({ url: settings.releasesUrl, token, tokenSource }),
    download: (archive) => downloadArchive(archive),
    store: s3ArchiveStore(settings.bucket),
    now: () => new Date(),
    log,
  };
}

/** The token in the parameter; none when the parameter does not exist (calls go without one). */
async function tokenFrom(parameter: NonNullable<RunnerReleaseSettings["tokenParameter"]>): Promise<string | undefined> {
  try {
    return (await readSsmSecret(parameter, 300))?.trim() || undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw new RunnerReleaseConfigError(
      `could not read the releases token from the SSM parameter ${parameter} (${(error as Error).name}): check that this function may ssm:GetParameter it, or delete the parameter to call GitHub without a token`,
      { cause: error },
    );
  }
}

/** SSM's ParameterNotFound, as the SDK throws it or as Powertools wraps it. */
function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; cause?: { name?: string } } | undefined;
  return e?.name === "ParameterNotFound" || e?.cause?.name === "ParameterNotFound";
}
