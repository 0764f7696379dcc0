/**
 * One pass of the runner-release resolver, with GitHub, downloads and the bucket in memory: what
 * it asks GitHub, what it stores and in which order, what it refuses, and the RunnerReleaseBehind
 * figure every pass publishes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { metrics } from "../../../../lib/observability/metrics.ts";
import type { ArchiveStore } from "../../../../lib/runners/release/archive-store.ts";
import { runnerReleaseDepsFromEnv } from "../../../../lib/runners/release/deps.ts";
import type { DownloadedArchive } from "../../../../lib/runners/release/download.ts";
import { ChecksumMismatchError, ReleasesUnavailableError } from "../../../../lib/runners/release/errors.ts";
import type { ReleaseArchive } from "../../../../lib/runners/release/github-release.ts";
import type { RequestedRelease } from "../../../../lib/runners/release/github-releases.ts";
import type { RunnerRecord } from "../../../../lib/runners/release/record.ts";
import { runnerReleasePass, type ResolverDeps } from "../../../../lib/runners/release/resolve.ts";
import { runnerReleaseSettings } from "../../../../lib/runners/release/settings.ts";
import { releaseJson, SHA, type ReleaseJsonOptions } from "./release-json.ts";

const NOW = new Date("2026-12-01T09:00:00.000Z");

/** What the pass did, in order: GitHub asked, archives downloaded and stored, the record written. */
type Step = string;

interface World {
  deps: ResolverDeps;
  steps: Step[];
  stored: Map<string, string>;
  record: () => RunnerRecord | undefined;
  discarded: string[];
}

function world(options: { requested?: RequestedRelease; releases?: Record<string, ReleaseJsonOptions>; latest?: string; record?: RunnerRecord; download?: (a: ReleaseArchive) => DownloadedArchive } = {}): World {
  const steps: Step[] = [];
  const stored = new Map<string, string>();
  const discarded: string[] = [];
  let record = options.record;
  const releases = options.releases ?? { "2.338.0": {} };
  const latest = options.latest ?? Object.keys(releases).at(-1)!;
  const store: ArchiveStore = {
    readRecord: async () => record,
    putArchive: async (key, file) => {
      steps.push(`put ${key}`);
      stored.set(key, file.sha256);
    },
    putRecord: async (r) => {
      steps.push("put runner/current.json");
      record = r;
    },
  };
  const deps: ResolverDeps = {
    requested: options.requested ?? { kind: "latest" },
    release: async (requested) => {
      const version = requested.kind === "latest" ? latest : requested.version;
      steps.push(requested.kind === "latest" ? "GET /releases/latest" : `GET /releases/tags/v${version}`);
      const wanted = releases[version];
      if (!wanted) throw new ReleasesUnavailableError(`no release v${version}`);
      return releaseJson(version, wanted);
    },
    download: async (archive) => {
      steps.push(`download ${archive.name}`);
      const file = options.download?.(archive) ?? { path: `/tmp/${archive.name}`, sha256: archive.sha256, size: archive.size, discard: async () => {} };
      return { ...file, discard: async () => void discarded.push(archive.name) };
    },
    store,
    now: () => NOW,
    log: () => {},
  };
  return { deps, steps, stored, record: () => record, discarded };
}

const pass = (w: World) => runnerReleasePass(() => w.deps, () => {});

let published: Array<{ name: string; value: number }>;
beforeEach(() => {
  published = [];
  vi.spyOn(metrics, "addMetric").mockImplementation((name, _unit, value) => {
    published.push({ name, value });
    return metrics;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("the runner-release pass", () => {
  it("records GitHub's latest release: both archives stored, then the record naming them", async () => {
    const w = world();

    const report = await pass(w);

    expect(report).toEqual({ outcome: "recorded", version: "2.338.0", previous: undefined, checksumFrom: { x64: "digest", arm64: "digest" } });
    expect(w.steps).toEqual([
      "GET /releases/latest",
      "download actions-runner-linux-x64-2.338.0.tar.gz",
      "put runner/2.338.0/actions-runner-linux-x64-2.338.0.tar.gz",
      "download actions-runner-linux-arm64-2.338.0.tar.gz",
      "put runner/2.338.0/actions-runner-linux-arm64-2.338.0.tar.gz",
      "put runner/current.json",
    ]);
    expect(w.record()).toEqual({
      version: "2.338.0",
      resolvedAt: NOW.toISOString(),
      source: { requested: "latest", release: "https://github.com/actions/runner/releases/tag/v2.338.0" },
      archives: {
        x64: { key: "runner/2.338.0/actions-runner-linux-x64-2.338.0.tar.gz", sha256: SHA["linux-x64"], size: 1000, checksumFrom: "digest" },
        arm64: { key: "runner/2.338.0/actions-runner-linux-arm64-2.338.0.tar.gz", sha256: SHA["linux-arm64"], size: 1000, checksumFrom: "digest" },
      },
    });
    // Each download is removed from /tmp once stored.
    expect(w.discarded).toEqual(["actions-runner-linux-x64-2.338.0.tar.gz", "actions-runner-linux-arm64-2.338.0.tar.gz"]);
    expect(published).toEqual([{ name: "RunnerReleaseBehind", value: 0 }]);
  });

  it("does nothing more when the record already names that release and its archives", async () => {
    const first = world();
    await pass(first);
    const w = world({ record: first.record() });

    const report = await pass(w);

    expect(report).toEqual({ outcome: "current", version: "2.338.0" });
    expect(w.steps).toEqual(["GET /releases/latest"]);
    expect(published.at(-1)).toEqual({ name: "RunnerReleaseBehind", value: 0 });
  });

  it("records a newer release over an older record, and says which it replaced", async () => {
    const old = world();
    await pass(old);
    const w = world({ releases: { "2.338.0": {}, "2.339.0": {} }, latest: "2.339.0", record: old.record() });

    const report = await pass(w);

    expect(report).toMatchObject({ outcome: "recorded", version: "2.339.0", previous: "2.338.0" });
    expect(w.record()?.version).toBe("2.339.0");
    expect([...w.stored.keys()]).toEqual(["runner/2.339.0/actions-runner-linux-x64-2.339.0.tar.gz", "runner/2.339.0/actions-runner-linux-arm64-2.339.0.tar.gz"]);
  });

  it("records the release again when the record names the version with other checksums than GitHub publishes", async () => {
    const first = world();
    await pass(first);
    const stale = structuredClone(first.record()!);
    stale.archives.arm64.sha256 = "e".repeat(64);
    const w = world({ record: stale });

    expect(await pass(w)).toMatchObject({ outcome: "recorded", version: "2.338.0" });
    expect(w.record()?.archives.arm64.sha256).toBe(SHA["linux-arm64"]);
  });

  it("asks for the pinned release by its tag, and records it as pinned", async () => {
    const w = world({ requested: { kind: "pinned", version: "2.337.0" }, releases: { "2.337.0": {}, "2.338.0": {} } });

    const report = await pass(w);

    expect(report).toMatchObject({ outcome: "recorded", version: "2.337.0" });
    expect(w.steps[0]).toBe("GET /releases/tags/v2.337.0");
    expect(w.record()?.source.requested).toBe("2.337.0");
  });

  it("records checksums from the release notes for a release whose assets have no digest", async () => {
    const w = world({ releases: { "2.300.0": { digests: false } } });

    expect(await pass(w)).toMatchObject({ outcome: "recorded", checksumFrom: { x64: "release-notes", arm64: "release-notes" } });
    expect(w.record()?.archives.x64).toMatchObject({ sha256: SHA["linux-x64"], checksumFrom: "release-notes" });
  });

  it("refuses an archive whose download is not what GitHub published: nothing more stored, no record, behind", async () => {
    const w = world({
      download: (archive) => {
        if (archive.arch === "arm64") throw new ChecksumMismatchError(archive.name, archive.sha256, "d".repeat(64));
        return { path: "/tmp/x", sha256: archive.sha256, size: archive.size, discard: async () => {} };
      },
    });

    const report = await pass(w);

    expect(report).toEqual({
      outcome: "failed",
      requested: "latest",
      error: "ChecksumMismatchError",
      reason: expect.stringContaining(`actions-runner-linux-arm64-2.338.0.tar.gz downloaded with sha256 ${"d".repeat(64)}, but GitHub published ${SHA["linux-arm64"]}: refused, nothing stored`),
    });
    expect(w.steps).not.toContain("put runner/current.json");
    expect(w.steps).not.toContain("put runner/2.338.0/actions-runner-linux-arm64-2.338.0.tar.gz");
    expect(w.record()).toBeUndefined();
    expect(published).toEqual([{ name: "RunnerReleaseBehind", value: 1 }]);
  });

  it("records nothing when the release lacks an archive, and keeps the record it had", async () => {
    const old = world();
    await pass(old);
    const w = world({ releases: { "2.339.0": { without: ["linux-arm64"] } }, record: old.record() });

    const report = await pass(w);

    expect(report).toMatchObject({ outcome: "failed", error: "ReleaseAssetError", reason: expect.stringContaining("has no actions-runner-linux-arm64-2.339.0.tar.gz") });
    expect(w.steps).toEqual(["GET /releases/latest"]);
    expect(w.record()?.version).toBe("2.338.0");
    expect(published.at(-1)).toEqual({ name: "RunnerReleaseBehind", value: 1 });
  });

  it("is behind when the bucket refuses the record, after storing the archives", async () => {
    const w = world();
    w.deps.store.putRecord = async () => {
      throw Object.assign(new Error("Access Denied"), { name: "AccessDenied" });
    };

    expect(await pass(w)).toMatchObject({ outcome: "failed", error: "AccessDenied" });
    expect(published).toEqual([{ name: "RunnerReleaseBehind", value: 1 }]);
  });

  it("refuses a pin that GitHub answers with another release", async () => {
    const w = world({ requested: { kind: "pinned", version: "2.337.0" } });
    w.deps.release = async () => releaseJson("2.338.0");

    expect(await pass(w)).toMatchObject({ outcome: "failed", error: "ReleaseNotFoundError", reason: expect.stringContaining("asked for actions/runner v2.337.0 but GitHub answered release 2.338.0") });
    expect(w.record()).toBeUndefined();
  });

  it("reports and measures a setting refused at start like any other failure", async () => {
    const report = await runnerReleasePass(() => runnerReleaseDepsFromEnv({ RUNWAY_ARTIFACTS_BUCKET: "b", RUNWAY_RUNNER_RELEASE: "2.338" }, () => {}), () => {});

    expect(report).toMatchObject({ outcome: "failed", error: "RunnerReleaseConfigError", reason: expect.stringContaining(`RUNWAY_RUNNER_RELEASE (the stage's runnerVersion param) is "2.338": set it to latest, or to an actions/runner release such as 2.338.0`) });
    expect(published).toEqual([{ name: "RunnerReleaseBehind", value: 1 }]);
  });
});

describe("runnerReleaseSettings()", () => {
  it("reads latest by default, a pin with or without its v, and the releases API's URL", () => {
    expect(runnerReleaseSettings({ RUNWAY_ARTIFACTS_BUCKET: "b" })).toEqual({
      bucket: "b",
      requested: { kind: "latest" },
      releasesUrl: "https://api.github.com/repos/actions/runner",
      tokenParameter: undefined,
      token: undefined,
    });
    expect(runnerReleaseSettings({ RUNWAY_ARTIFACTS_BUCKET: "b", RUNWAY_RUNNER_RELEASE: "v2.338.0" }).requested).toEqual({ kind: "pinned", version: "2.338.0" });
    expect(runnerReleaseSettings({ RUNWAY_ARTIFACTS_BUCKET: "b", RUNWAY_RUNNER_RELEASES_URL: "https://ghe.example.com/api/v3/repos/actions/runner/" }).releasesUrl).toBe(
      "https://ghe.example.com/api/v3/repos/actions/runner",
    );
  });

  it.each([
    [{}, "RUNWAY_ARTIFACTS_BUCKET is not set"],
    [{ RUNWAY_ARTIFACTS_BUCKET: "b", RUNWAY_RUNNER_RELEASES_URL: "api.github.com/repos/actions/runner" }, 'RUNWAY_RUNNER_RELEASES_URL "api.github.com/repos/actions/runner" is not a URL'],
    [{ RUNWAY_ARTIFACTS_BUCKET: "b", RUNWAY_RUNNER_RELEASE: "newest" }, 'is "newest": set it to latest, or to an actions/runner release such as 2.338.0'],
  ])("refuses %j, naming the variable", (env, message) => {
    expect(() => runnerReleaseSettings(env)).toThrow(message);
  });
});
