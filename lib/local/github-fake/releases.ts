/**
 * actions/runner's releases, as GitHub serves them, so the runner-release resolver and the runner
 * build's install can run with no internet:
 *
 *   GET /repos/actions/runner/releases/latest          the newest published, non-pre-release release
 *   GET /repos/actions/runner/releases/tags/{tag}      one release by tag (a pin: v2.338.0)
 *   GET /_fake/releases/download/{tag}/{name}          an asset's browser_download_url: 302 to …
 *   GET /_fake/release-assets/{key}                    … a signed, short-lived download, as GitHub's blob storage
 *
 * Each asset is a real, small tar.gz holding a `run.sh` that names its version and platform, with
 * the `digest` ("sha256:<hex>") GitHub computes at upload and the checksums actions/runner writes
 * into its release notes (`<!-- BEGIN SHA linux-x64 -->hex<!-- END SHA linux-x64 -->`).
 *
 * What hurts, as on GitHub: without a token, a client gets 60 calls an hour per IP address, then
 * 403 "API rate limit exceeded"; an unknown token is 401. Installation tokens the fake issued and
 * tokens given to `allowToken` (a personal access token) are accepted. A release can be published
 * without digests (as before June 2025) or without checksums in its notes, and an asset can be
 * corrupted (served bytes its digest does not match), for the resolver's refusals.
 *
 * Kept beside the fake's state (one store per `GitHubFakeState`), reached with `releasesOf`.
 */
import { createHash, randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { components } from "@octokit/openapi-types";
import { simpleUser } from "./accounts.ts";
import { credential, errorBody } from "./http.ts";
import { notFound, unauthorized, type Answer, type Route, type RouteContext } from "./route-kit.ts";
import type { GitHubFakeState } from "./state.ts";

type ReleaseJson = components["schemas"]["release"];
type ReleaseAssetJson = components["schemas"]["release-asset"];

const DOCS = "https://docs.github.com/rest/releases/releases";
const RATE_DOCS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api";
/** GitHub's primary limit for unauthenticated calls, per IP address and hour. */
export const ANONYMOUS_LIMIT = 60;
/** The platforms actions/runner publishes tar.gz archives for (the Windows zips are left out). */
const PLATFORMS = ["osx-x64", "osx-arm64", "linux-x64", "linux-arm64", "linux-arm"] as const;
export const DEFAULT_RUNNER_RELEASE = "2.338.0";

export interface ReleaseInput {
  version: string;
  /** `digest` on each asset (GitHub has computed them since June 2025); default true. */
  digests?: boolean;
  /** The checksums in the release notes; default true. */
  notesChecksums?: boolean;
  /** Platforms whose archive is left out, e.g. `["linux-arm64"]`. */
  without?: string[];
  prerelease?: boolean;
  publishedAt?: string;
}

export interface FakeAsset {
  id: number;
  name: string;
  /** The bytes as uploaded: what `digest` and the notes vouch for. */
  bytes: Buffer;
  sha256: string;
  /** What downloads serve instead, once corrupted. */
  served?: Buffer;
}

export interface FakeRelease {
  id: number;
  version: string;
  input: ReleaseInput;
  publishedAt: string;
  assets: FakeAsset[];
}

export interface FakeReleases {
  /** Publish a release of actions/runner; the newest published one is `latest`. */
  publish(input: ReleaseInput): FakeRelease;
  release(version: string): FakeRelease | undefined;
  latest(): FakeRelease | undefined;
  /** Serve other bytes for an asset than its digest and notes say (a broken proxy, a tampered mirror). */
  corrupt(version: string, name: string): void;
  /** A token GitHub would accept (a personal access token). */
  allowToken(token: string): void;
  /** Who asked for a release: `anonymous`, `installation:<id>` or `token`. */
  readonly callers: string[];
  /** Asset names, in the order they were downloaded. */
  readonly downloads: string[];
}

class ReleaseStore implements FakeReleases {
  readonly #releases: FakeRelease[] = [];
  readonly #tokens = new Set<string>();
  readonly anonymous = new Map<string, { reset: number; used: number }>();
  readonly links = new Map<string, { asset: FakeAsset; until: number }>();
  readonly callers: string[] = [];
  readonly downloads: string[] = [];
  #nextId = 150_000_000;

  constructor() {
    this.publish({ version: DEFAULT_RUNNER_RELEASE, publishedAt: "2026-10-06T16:05:00Z" });
  }

  publish(input: ReleaseInput): FakeRelease {
    const publishedAt = input.publishedAt ?? new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const assets = PLATFORMS.filter((p) => !input.without?.includes(p)).map((platform) => {
      const bytes = runnerArchive(input.version, platform, publishedAt);
      return { id: this.#nextId++, name: `actions-runner-${platform}-${input.version}.tar.gz`, bytes, sha256: sha256(bytes) };
    });
    const release = { id: this.#nextId++, version: input.version, input, publishedAt, assets };
    this.#releases.push(release);
    return release;
  }

  release(version: string): FakeRelease | undefined {
    return this.#releases.find((r) => r.version === version);
  }

  latest(): FakeRelease | undefined {
    return this.#releases.filter((r) => !r.input.prerelease).sort((a, b) => b.publishedAt.localeCompare(a.publishedAt) || b.id - a.id)[0];
  }

  corrupt(version: string, name: string): void {
    const asset = this.release(version)?.assets.find((a) => a.name === name);
    if (!asset) throw new Error(`no asset ${name} in release ${version}`);
    const served = Buffer.from(asset.bytes);
    served[served.length - 20] = (served[served.length - 20] ?? 0) ^ 0xff;
    asset.served = served;
  }

  allowToken(token: string): void {
    this.#tokens.add(token);
  }

  knowsToken(token: string): boolean {
    return this.#tokens.has(token);
  }
}

const stores = new WeakMap<GitHubFakeState, ReleaseStore>();

/** The releases of one fake (created with actions/runner 2.338.0 published). */
export function releasesOf(state: GitHubFakeState): FakeReleases {
  return storeOf(state);
}

function storeOf(state: GitHubFakeState): ReleaseStore {
  let store = stores.get(state);
  if (!store) stores.set(state, (store = new ReleaseStore()));
  return store;
}

export const RELEASE_ROUTES: Route[] = [
  { method: "GET", pattern: /^\/repos\/([^/]+)\/([^/]+)\/releases\/latest$/, name: "latest-release", handler: (c, [o, r]) => getRelease(c, o!, r!, undefined) },
  { method: "GET", pattern: /^\/repos\/([^/]+)\/([^/]+)\/releases\/tags\/([^/]+)$/, name: "release-by-tag", handler: (c, [o, r, tag]) => getRelease(c, o!, r!, tag!) },
  { method: "GET", pattern: /^\/_fake\/releases\/download\/([^/]+)\/([^/]+)$/, name: "release-download", handler: (c, [tag, name]) => redirectToAsset(c, tag!, name!) },
  { method: "GET", pattern: /^\/_fake\/release-assets\/([\w-]+)$/, name: "release-download", handler: (c, [key]) => downloadAsset(c, key!) },
];

function getRelease(ctx: RouteContext, owner: string, repo: string, tag: string | undefined): Answer {
  const store = storeOf(ctx.state);
  const who = caller(ctx, store);
  if ("status" in who) return who;
  const docs = `${DOCS}#${tag === undefined ? "get-the-latest-release" : "get-a-release-by-tag-name"}`;
  // Only actions/runner has releases here (GitHub compares owner and name case-insensitively).
  if (owner.toLowerCase() !== "actions" || repo.toLowerCase() !== "runner") return { ...notFound(docs), ...who, note: `no releases of ${owner}/${repo} here` };
  const release = tag === undefined ? store.latest() : tag.startsWith("v") ? store.release(tag.slice(1)) : undefined;
  if (!release) return { ...notFound(docs), ...who, note: `no release ${tag ?? "latest"}` };
  return { status: 200, body: releaseJson(release, ctx.apiUrl), ...who, note: `actions/runner v${release.version}` };
}

/** Who is calling, with the rate-limit headers GitHub sends them; or the 401 / 403 they get. */
function caller(ctx: RouteContext, store: ReleaseStore): Answer | { caller: string; headers?: Record<string, string> } {
  const token = credential(ctx.req);
  if (token) {
    const installation = ctx.state.tokenInstallation(token);
    if (!installation && !store.knowsToken(token)) return unauthorized();
    const who = installation ? `installation:${installation.id}` : "token";
    store.callers.push(who);
    return { caller: who };
  }
  store.callers.push("anonymous");
  const ip = ctx.req.socket.remoteAddress ?? "127.0.0.1";
  const now = Math.floor(Date.now() / 1000);
  let window = store.anonymous.get(ip);
  if (!window || window.reset <= now) store.anonymous.set(ip, (window = { reset: now + 3600, used: 0 }));
  const headers = (used: number) => ({
    "x-ratelimit-limit": String(ANONYMOUS_LIMIT),
    "x-ratelimit-remaining": String(Math.max(0, ANONYMOUS_LIMIT - used)),
    "x-ratelimit-used": String(used),
    "x-ratelimit-reset": String(window.reset),
    "x-ratelimit-resource": "core",
  });
  if (window.used >= ANONYMOUS_LIMIT) {
    const message = `API rate limit exceeded for ${ip}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)`;
    return { status: 403, body: errorBody(403, message, RATE_DOCS), headers: headers(window.used), caller: "anonymous", note: `anonymous limit of ${ANONYMOUS_LIMIT} an hour used up for ${ip}` };
  }
  window.used += 1;
  return { caller: "anonymous", headers: headers(window.used) };
}

function releaseJson(release: FakeRelease, apiUrl: string): ReleaseJson {
  const repoApi = `${apiUrl}/repos/actions/runner`;
  const tag = `v${release.version}`;
  const bot = actionsBot();
  return {
    url: `${repoApi}/releases/${release.id}`,
    html_url: `https://github.com/actions/runner/releases/tag/${tag}`,
    assets_url: `${repoApi}/releases/${release.id}/assets`,
    upload_url: `https://uploads.github.com/repos/actions/runner/releases/${release.id}/assets{?name,label}`,
    tarball_url: `${repoApi}/tarball/${tag}`,
    zipball_url: `${repoApi}/zipball/${tag}`,
    id: release.id,
    node_id: Buffer.from(`RE_${release.id}`).toString("base64"),
    tag_name: tag,
    target_commitish: "main",
    name: tag,
    body: releaseNotes(release),
    draft: false,
    prerelease: release.input.prerelease === true,
    immutable: false,
    created_at: release.publishedAt,
    published_at: release.publishedAt,
    updated_at: release.publishedAt,
    author: bot,
    assets: release.assets.map(
      (asset): ReleaseAssetJson => ({
        url: `${repoApi}/releases/assets/${asset.id}`,
        browser_download_url: `${apiUrl}/_fake/releases/download/${tag}/${asset.name}`,
        id: asset.id,
        node_id: Buffer.from(`RA_${asset.id}`).toString("base64"),
        name: asset.name,
        label: "",
        state: "uploaded",
        content_type: "application/octet-stream",
        size: asset.bytes.length,
        digest: release.input.digests === false ? null : `sha256:${asset.sha256}`,
        download_count: 0,
        created_at: release.publishedAt,
        updated_at: release.publishedAt,
        uploader: bot,
      }),
    ),
  };
}

/** github-actions[bot], who publishes actions/runner's releases; GitHub escapes the brackets in its URLs. */
function actionsBot(): ReleaseJson["author"] {
  const user = simpleUser("github-actions[bot]", 41898282, "Bot");
  const escaped = Object.entries(user).map(([k, v]) => [k, typeof v === "string" && v.startsWith("https://") ? v.replace("[bot]", "%5Bbot%5D") : v]);
  return Object.fromEntries(escaped) as ReleaseJson["author"];
}

/**
 * The notes as actions/runner's release workflow writes them: changes, then the archives with
 * their checksums between markers (and, like the real notes, other 64-hex strings elsewhere).
 */
function releaseNotes(release: FakeRelease): string {
  const lines = [
    "## What's Changed",
    `* Bump runner version to ${release.version} (commit ${sha256(Buffer.from(release.version))})`,
    "",
    "## SHA-256 Checksums",
    "",
    "The SHA-256 checksums for the packages included in this build are shown below:",
    "",
  ];
  for (const asset of release.assets) {
    const platform = asset.name.replace(/^actions-runner-/, "").replace(`-${release.version}.tar.gz`, "");
    const checksum = release.input.notesChecksums === false ? "" : `<!-- BEGIN SHA ${platform} -->${asset.sha256}<!-- END SHA ${platform} -->`;
    lines.push(`- ${asset.name} ${checksum}`.trimEnd());
  }
  return lines.join("\n");
}

/** github.com's download answers with a redirect to a signed URL on its blob storage. */
function redirectToAsset(ctx: RouteContext, tag: string, name: string): Answer {
  const store = storeOf(ctx.state);
  const asset = tag.startsWith("v") ? store.release(tag.slice(1))?.assets.find((a) => a.name === name) : undefined;
  if (!asset) return { status: 404, text: "Not Found", note: `no asset ${name} in ${tag}` };
  const key = randomBytes(18).toString("base64url");
  store.links.set(key, { asset, until: Date.now() + 5 * 60_000 });
  return { status: 302, headers: { location: `${ctx.apiUrl}/_fake/release-assets/${key}` }, note: `${tag}/${name}` };
}

function downloadAsset(ctx: RouteContext, key: string): Answer {
  const store = storeOf(ctx.state);
  const link = store.links.get(key);
  if (!link || link.until <= Date.now()) return { status: 403, text: "AuthenticationFailed: the download link has expired", note: "expired link" };
  const bytes = link.asset.served ?? link.asset.bytes;
  store.downloads.push(link.asset.name);
  return { status: 200, bytes, headers: { "content-type": "application/octet-stream" }, note: `${link.asset.name}, ${bytes.length} bytes` };
}

/** A tar.gz holding `run.sh`, which prints the release and platform it stands in for. */
function runnerArchive(version: string, platform: string, publishedAt: string): Buffer {
  const script = `#!/usr/bin/env bash\n# actions/runner ${version} (${platform}), as the local GitHub serves it: no real runner inside.\necho "actions/runner ${version} ${platform} (local stand-in)"\n`;
  return gzipSync(tar([{ name: "./run.sh", mode: 0o755, body: Buffer.from(script) }], Math.floor(Date.parse(publishedAt) / 1000)));
}

/** A POSIX ustar archive of regular files: one 512-byte header each, the data padded to 512, two zero blocks. */
function tar(files: Array<{ name: string; mode: number; body: Buffer }>, mtime: number): Buffer {
  const blocks: Buffer[] = [];
  for (const file of files) {
    const header = Buffer.alloc(512);
    const put = (offset: number, length: number, value: string) => header.write(value.slice(0, length), offset, length, "ascii");
    const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, "0") + "\0";
    put(0, 100, file.name);
    put(100, 8, octal(file.mode, 8));
    put(108, 8, octal(0, 8));
    put(116, 8, octal(0, 8));
    put(124, 12, octal(file.body.length, 12));
    put(136, 12, octal(mtime, 12));
    put(148, 8, "        "); // the checksum counts its own field as spaces
    put(156, 1, "0");
    put(257, 6, "ustar\0");
    put(263, 2, "00");
    let sum = 0;
    for (const byte of header) sum += byte;
    put(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
    blocks.push(header, file.body, Buffer.alloc((512 - (file.body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
