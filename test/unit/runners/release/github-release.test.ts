/**
 * Reading an actions/runner release: its version, and each linux archive with the sha256 it is held
 * to, from the asset's `digest` or, for older releases, the marked checksums in the notes.
 */
import { describe, expect, it } from "vitest";
import { ReleaseAssetError, ReleaseNotFoundError } from "../../../../lib/runners/release/errors.ts";
import { runnerRelease } from "../../../../lib/runners/release/github-release.ts";
import { releaseJson, SHA } from "./release-json.ts";

describe("runnerRelease()", () => {
  it("takes the version from the tag and each linux archive's sha256 from its digest", () => {
    const release = runnerRelease(releaseJson("2.338.0"));

    expect(release.version).toBe("2.338.0");
    expect(release.htmlUrl).toBe("https://github.com/actions/runner/releases/tag/v2.338.0");
    expect(release.archives.x64).toEqual({
      arch: "x64",
      name: "actions-runner-linux-x64-2.338.0.tar.gz",
      size: 1000,
      url: "https://github.com/actions/runner/releases/download/v2.338.0/actions-runner-linux-x64-2.338.0.tar.gz",
      sha256: SHA["linux-x64"],
      checksumFrom: "digest",
    });
    expect(release.archives.arm64).toMatchObject({ name: "actions-runner-linux-arm64-2.338.0.tar.gz", sha256: SHA["linux-arm64"], checksumFrom: "digest" });
  });

  it("falls back to the release notes' marked checksum when an asset has no digest, never to another hex string", () => {
    const release = runnerRelease(releaseJson("2.300.0", { digests: false }));

    // The notes also list linux-arm (a prefix of linux-arm64) and a commit hash: neither is taken.
    expect(release.archives.x64).toMatchObject({ sha256: SHA["linux-x64"], checksumFrom: "release-notes" });
    expect(release.archives.arm64).toMatchObject({ sha256: SHA["linux-arm64"], checksumFrom: "release-notes" });
  });

  it("reads an upper-case digest as the same sha256", () => {
    const json = releaseJson("2.338.0");
    for (const asset of json.assets) asset.digest = asset.digest?.toUpperCase().replace("SHA256:", "sha256:") ?? null;
    expect(runnerRelease(json).archives.x64.sha256).toBe(SHA["linux-x64"]);
  });

  it("refuses a release whose digest and notes disagree", () => {
    const json = releaseJson("2.338.0");
    json.body = json.body!.replace(SHA["linux-arm64"], "f".repeat(64));

    expect(() => runnerRelease(json)).toThrow(ReleaseAssetError);
    expect(() => runnerRelease(json)).toThrow(/actions-runner-linux-arm64-2\.338\.0\.tar\.gz: GitHub's digest is sha256 \w+ but the release notes publish f{64}/);
  });

  it("refuses an archive nothing vouches for: no digest and no checksum in the notes", () => {
    expect(() => runnerRelease(releaseJson("2.300.0", { digests: false, notes: false }))).toThrow(
      "actions-runner-linux-x64-2.300.0.tar.gz of release v2.300.0 has no sha256 (no asset digest, no checksum in the release notes)",
    );
  });

  it("refuses a release without the linux-arm64 archive", () => {
    expect(() => runnerRelease(releaseJson("2.338.0", { without: ["linux-arm64"] }))).toThrow(
      /release v2\.338\.0 has no actions-runner-linux-arm64-2\.338\.0\.tar\.gz .*Runway installs linux-x64 and linux-arm64/,
    );
  });

  it("waits for an asset that is still being uploaded", () => {
    const json = releaseJson("2.338.0");
    json.assets[2]!.state = "open";
    expect(() => runnerRelease(json)).toThrow(/still being uploaded \(state open\)/);
  });

  it.each([
    ["a pre-release", { prerelease: true }, /is a pre-release/],
    ["a tag that is not a runner version", { tag_name: "nightly" }, /release nightly .* is not an actions\/runner version like v2\.338\.0/],
  ])("refuses %s", (_name, change, message) => {
    expect(() => runnerRelease({ ...releaseJson("2.338.0"), ...change })).toThrow(message);
  });

  it("says what is wrong when the answer is not a release at all", () => {
    expect(() => runnerRelease({ message: "Moved Permanently" })).toThrow(ReleaseNotFoundError);
    expect(() => runnerRelease({ message: "Moved Permanently" })).toThrow(/GitHub's answer is not a release .*RUNWAY_RUNNER_RELEASES_URL|releases URL/);
  });
});
