/**
 * GitHub's release JSON for an actions/runner release, shaped as `GET …/releases/latest` answers
 * (the fields the resolver reads, and the notes actions/runner's release workflow writes).
 */
const PLATFORMS = ["osx-x64", "linux-x64", "linux-arm64", "linux-arm"] as const;

/** A distinct sha256 per platform, so a test sees which one was taken. */
export const SHA: Record<(typeof PLATFORMS)[number], string> = {
  "osx-x64": "0".repeat(64),
  "linux-x64": "af4b794c1bc41d73d40535e3fe092a39f9679cd8d965954c2aca25a05ca41d32",
  "linux-arm64": "628b4a7258487b80c1d3c221095a7ded349f5ae0175fd3dfab708d07428f041b",
  "linux-arm": "1".repeat(64),
};

export interface ReleaseJsonOptions {
  digests?: boolean;
  notes?: boolean;
  without?: string[];
}

export interface ReleaseJson {
  tag_name: string;
  html_url: string;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  assets: Array<{ name: string; size: number; state: string; digest: string | null; browser_download_url: string }>;
}

export function releaseJson(version: string, options: ReleaseJsonOptions = {}): ReleaseJson {
  const platforms = PLATFORMS.filter((p) => !options.without?.includes(p));
  const name = (p: string) => `actions-runner-${p}-${version}.tar.gz`;
  const notes = [
    "## What's Changed",
    // Another 64-hex string in the notes, as real ones have (commit hashes, docker digests).
    `* Bump runner version (${"c".repeat(64)})`,
    "",
    "The SHA-256 checksums for the packages included in this build are shown below:",
    "",
    ...platforms.map((p) => `- ${name(p)}${options.notes === false ? "" : ` <!-- BEGIN SHA ${p} -->${SHA[p]}<!-- END SHA ${p} -->`}`),
  ];
  return {
    tag_name: `v${version}`,
    html_url: `https://github.com/actions/runner/releases/tag/v${version}`,
    body: notes.join("\n"),
    draft: false,
    prerelease: false,
    assets: platforms.map((p) => ({
      name: name(p),
      size: 1000,
      state: "uploaded",
      digest: options.digests === false ? null : `sha256:${SHA[p]}`,
      browser_download_url: `https://github.com/actions/runner/releases/download/v${version}/${name(p)}`,
    })),
  };
}
