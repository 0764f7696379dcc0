/**
 * What the runner-release resolver is told by its function's environment (serverless.yml):
 *
 * - `RUNWAY_ARTIFACTS_BUCKET`: where the archives and the record go;
 * - `RUNWAY_RUNNER_RELEASE`: `latest` (the default), or a version to pin (the stage's
 *   `runnerVersion` param, e.g. 2.338.0);
 * - `RUNWAY_RUNNER_RELEASES_URL`: the releases API of actions/runner (default github.com's);
 * - `RUNWAY_RUNNER_RELEASES_TOKEN_PARAMETER`: an SSM SecureString holding a token to call it with,
 *   used when it exists; `RUNWAY_RUNNER_RELEASES_TOKEN` holds the token itself (local stack, tests).
 *
 * Bad values are refused with the variable and the fix, before anything is called.
 */
import { RunnerReleaseConfigError } from "./errors.ts";
import { DEFAULT_RUNNER_RELEASES_URL, type RequestedRelease } from "./github-releases.ts";
import { RUNNER_VERSION_PATTERN } from "./record.ts";

export interface RunnerReleaseSettings {
  bucket: string;
  requested: RequestedRelease;
  releasesUrl: string;
  tokenParameter?: string | undefined;
  token?: string | undefined;
}

/**
 * @throws RunnerReleaseConfigError naming the variable and what to set it to
 *
 * @example
 * runnerReleaseSettings({ RUNWAY_ARTIFACTS_BUCKET: "b", RUNWAY_RUNNER_RELEASE: "2.338.0" }).requested; // { kind: "pinned", version: "2.338.0" }
 */
export function runnerReleaseSettings(env: NodeJS.ProcessEnv): RunnerReleaseSettings {
  const bucket = env.RUNWAY_ARTIFACTS_BUCKET?.trim();
  if (!bucket) throw new RunnerReleaseConfigError("RUNWAY_ARTIFACTS_BUCKET is not set: the runner-release function copies the runner archives into the stage's artifacts bucket (serverless.yml sets it)");
  const releasesUrl = (env.RUNWAY_RUNNER_RELEASES_URL?.trim() || DEFAULT_RUNNER_RELEASES_URL).replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]+/.test(releasesUrl)) {
    throw new RunnerReleaseConfigError(`RUNWAY_RUNNER_RELEASES_URL "${releasesUrl}" is not a URL: set it to a repository's API URL, such as ${DEFAULT_RUNNER_RELEASES_URL}`);
  }
  return {
    bucket,
    requested: requestedRelease(env.RUNWAY_RUNNER_RELEASE),
    releasesUrl,
    tokenParameter: env.RUNWAY_RUNNER_RELEASES_TOKEN_PARAMETER?.trim() || undefined,
    token: env.RUNWAY_RUNNER_RELEASES_TOKEN?.trim() || undefined,
  };
}

function requestedRelease(value: string | undefined): RequestedRelease {
  const wanted = value?.trim() ?? "";
  if (wanted === "" || wanted === "latest") return { kind: "latest" };
  const version = wanted.replace(/^v/, "");
  if (!RUNNER_VERSION_PATTERN.test(version)) {
    throw new RunnerReleaseConfigError(
      `RUNWAY_RUNNER_RELEASE (the stage's runnerVersion param) is "${wanted}": set it to latest, or to an actions/runner release such as 2.338.0 (https://github.com/actions/runner/releases)`,
    );
  }
  return { kind: "pinned", version };
}
