/**
 * Why the runner-release resolver could not record a release. Each says what to do next; none
 * carries a token. The resolver reports every one the same way (RunnerReleaseBehind = 1, the
 * message logged), and builds keep installing the release recorded before.
 */

/** The base of every resolver error: `name` set, `cause` passed through. */
export class RunnerReleaseError extends Error {
  override name = "RunnerReleaseError";
}

/** A setting the resolver reads is missing or malformed (the stage's params, its environment). */
export class RunnerReleaseConfigError extends RunnerReleaseError {
  override name = "RunnerReleaseConfigError";
}

/** GitHub has no such release, or its answer is not a release (a pin to a version never published). */
export class ReleaseNotFoundError extends RunnerReleaseError {
  override name = "ReleaseNotFoundError";
}

/** GitHub could not be asked: down, unreachable, or its rate limit used up. */
export class ReleasesUnavailableError extends RunnerReleaseError {
  override name = "ReleasesUnavailableError";
}

/** The release lacks an archive Runway installs, or the sha256 GitHub publishes for it. */
export class ReleaseAssetError extends RunnerReleaseError {
  override name = "ReleaseAssetError";
}

/** A downloaded archive is not the one GitHub published: refused, never stored. */
export class ChecksumMismatchError extends RunnerReleaseError {
  override name = "ChecksumMismatchError";
  readonly asset: string;
  readonly expected: string;
  readonly actual: string;
  constructor(asset: string, expected: string, actual: string) {
    super(`${asset} downloaded with sha256 ${actual}, but GitHub published ${expected}: refused, nothing stored. A proxy or a broken download changed it; the next run tries again`);
    this.asset = asset;
    this.expected = expected;
    this.actual = actual;
  }
}
