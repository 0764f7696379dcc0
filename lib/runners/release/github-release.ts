/**
 * An actions/runner release as GitHub's REST API describes it, reduced to what a stage installs:
 * its version and, per architecture, the linux tar.gz archive with the sha256 to hold it to.
 *
 * The sha256 is the asset's `digest` ("sha256:<hex>"), which GitHub computes when an asset is
 * uploaded (GitHub changelog, 2025-06-03: "Releases now expose digests for release assets"; the
 * REST API's release-asset object, `digest`, null for older assets). Older releases have only the
 * checksums actions/runner writes into its release notes, one per archive between markers:
 *
 *   - actions-runner-linux-x64-2.338.0.tar.gz <!-- BEGIN SHA linux-x64 -->af4b…<!-- END SHA linux-x64 -->
 *
 * The notes hold other 64-hex strings too, so only the marked one is read. When both are there
 * and disagree, the release is refused: one of the two is wrong, and a runner runs deploy jobs.
 */
import * as z from "zod/mini";
import { ReleaseAssetError, ReleaseNotFoundError } from "./errors.ts";
import { archiveName, RUNNER_ARCHES, RUNNER_VERSION_PATTERN, type RunnerArch } from "./record.ts";

/** The fields of GitHub's `release` object Runway reads (schema: @octokit/openapi, `release`). */
const releaseSchema = z.object({
  tag_name: z.string(),
  html_url: z.string(),
  body: z.optional(z.nullable(z.string())),
  draft: z.boolean(),
  prerelease: z.boolean(),
  assets: z.array(
    z.object({
      name: z.string(),
      size: z.number(),
      state: z.string(),
      digest: z.optional(z.nullable(z.string())),
      browser_download_url: z.string(),
    }),
  ),
});

export interface ReleaseArchive {
  arch: RunnerArch;
  name: string;
  size: number;
  /** Where GitHub serves it (github.com's download, redirected to its blob storage). */
  url: string;
  sha256: string;
  checksumFrom: "digest" | "release-notes";
}

export interface RunnerRelease {
  version: string;
  /** The release's page, for the record and the logs. */
  htmlUrl: string;
  archives: Record<RunnerArch, ReleaseArchive>;
}

/**
 * The release's version and its linux-x64 and linux-arm64 archives.
 *
 * @throws ReleaseNotFoundError when `json` is not a published release of actions/runner
 * @throws ReleaseAssetError when an archive, or the sha256 to check it against, is missing
 *
 * @example
 * const release = runnerRelease(await releases.latest());
 * release.archives.arm64; // { name: "actions-runner-linux-arm64-2.338.0.tar.gz", sha256: "628b…", checksumFrom: "digest", … }
 */
export function runnerRelease(json: unknown): RunnerRelease {
  const parsed = releaseSchema.safeParse(json);
  if (!parsed.success) throw new ReleaseNotFoundError(`GitHub's answer is not a release (${parsed.error.issues[0]?.message ?? "unexpected shape"}): check that the releases URL names a repository's releases API, such as https://api.github.com/repos/actions/runner`);
  const release = parsed.data;
  const version = release.tag_name.replace(/^v/, "");
  if (!RUNNER_VERSION_PATTERN.test(version)) throw new ReleaseNotFoundError(`release ${release.tag_name} (${release.html_url}) is not an actions/runner version like v2.338.0`);
  if (release.draft || release.prerelease) throw new ReleaseNotFoundError(`release ${release.tag_name} is a ${release.draft ? "draft" : "pre-release"}: pin a published release instead (${release.html_url})`);

  const archive = (arch: RunnerArch): ReleaseArchive => {
    const name = archiveName(arch, version);
    const asset = release.assets.find((a) => a.name === name);
    if (!asset) throw new ReleaseAssetError(`release ${release.tag_name} has no ${name} (${release.html_url}): Runway installs linux-x64 and linux-arm64; pin a release that has both`);
    if (asset.state !== "uploaded") throw new ReleaseAssetError(`${name} of release ${release.tag_name} is still being uploaded (state ${asset.state}): the next run tries again`);
    const fromDigest = digestSha256(asset.digest);
    const fromNotes = notesSha256(release.body ?? "", arch);
    if (fromDigest && fromNotes && fromDigest !== fromNotes) {
      throw new ReleaseAssetError(`${name}: GitHub's digest is sha256 ${fromDigest} but the release notes publish ${fromNotes}: refusing a release whose checksums disagree (${release.html_url})`);
    }
    const sha256 = fromDigest ?? fromNotes;
    if (!sha256) throw new ReleaseAssetError(`${name} of release ${release.tag_name} has no sha256 (no asset digest, no checksum in the release notes): refusing to install an archive nothing vouches for`);
    return { arch, name, size: asset.size, url: asset.browser_download_url, sha256, checksumFrom: fromDigest ? "digest" : "release-notes" };
  };
  const archives = Object.fromEntries(RUNNER_ARCHES.map((arch) => [arch, archive(arch)])) as Record<RunnerArch, ReleaseArchive>;
  return { version, htmlUrl: release.html_url, archives };
}

/** "sha256:<hex>" → hex; any other algorithm, or none, → undefined. */
function digestSha256(digest: string | null | undefined): string | undefined {
  const match = /^sha256:([0-9a-fA-F]{64})$/.exec(digest ?? "");
  return match?.[1]?.toLowerCase();
}

/** The checksum actions/runner's notes carry for `linux-<arch>`, between its markers. */
function notesSha256(body: string, arch: RunnerArch): string | undefined {
  const platform = `linux-${arch}`;
  const match = new RegExp(`<!-- BEGIN SHA ${platform} -->\\s*([0-9a-fA-F]{64})\\s*<!-- END SHA ${platform} -->`).exec(body);
  return match?.[1]?.toLowerCase();
}
