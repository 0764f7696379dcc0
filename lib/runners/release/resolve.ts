/**
 * The runner-release resolver, once an hour: GitHub requires each new actions/runner release
 * within 30 days (DESIGN.md, "Runner versions"), so a stage keeps a copy of the current release in
 * its own bucket, and its runner builds install that copy instead of downloading from GitHub at
 * every job.
 *
 * One pass: ask GitHub for the latest release (or the pinned one), and unless the stage's record
 * already names that release, download each archive (linux-x64, linux-arm64), refuse one whose
 * sha256 is not GitHub's, store it, and write the record last (record.ts). Every pass publishes
 * RunnerReleaseBehind: 0 when the record names the release asked for, 1 when it could not be
 * recorded, so an alarm sees a stage falling behind long before GitHub's 30 days run out. Builds
 * meanwhile install whatever the record named before.
 */
import { recordMetric } from "../../observability/metrics.ts";
import type { ArchiveStore } from "./archive-store.ts";
import type { DownloadedArchive } from "./download.ts";
import { ReleaseNotFoundError } from "./errors.ts";
import { runnerRelease, type ReleaseArchive, type RunnerRelease } from "./github-release.ts";
import type { RequestedRelease } from "./github-releases.ts";
import { archiveKey, RUNNER_ARCHES, type RunnerRecord } from "./record.ts";

export interface ResolverDeps {
  requested: RequestedRelease;
  /** GitHub's release JSON (github-releases.ts). */
  release(requested: RequestedRelease): Promise<unknown>;
  /** The archive on local disk, verified against its size and sha256 (download.ts). */
  download(archive: ReleaseArchive): Promise<DownloadedArchive>;
  store: ArchiveStore;
  now(): Date;
  log(message: string, fields: Record<string, unknown>): void;
}

export type RunnerReleaseReport =
  | { outcome: "current"; version: string }
  | { outcome: "recorded"; version: string; previous: string | undefined; checksumFrom: Record<string, string> }
  | { outcome: "failed"; requested: string; error: string; reason: string };

/**
 * One pass, whatever happens: the report, with RunnerReleaseBehind recorded. `deps` is a factory
 * so that a setting refused at start (settings.ts) is reported and measured like any failure.
 *
 * @example
 * const log = (message: string, fields: Record<string, unknown>) => logger.info(message, fields);
 * export const handler = middy().use(logMetrics(metrics)).handler(() => runnerReleasePass(() => runnerReleaseDepsFromEnv(process.env, log), log));
 */
export async function runnerReleasePass(deps: () => ResolverDeps | Promise<ResolverDeps>, logFailure: ResolverDeps["log"]): Promise<RunnerReleaseReport> {
  let requested = "latest";
  try {
    const ready = await deps();
    requested = describe(ready.requested);
    const report = await resolveRunnerRelease(ready);
    recordMetric("RunnerReleaseBehind", 0);
    return report;
  } catch (error) {
    recordMetric("RunnerReleaseBehind", 1);
    const report: RunnerReleaseReport = { outcome: "failed", requested, error: (error as Error).name, reason: (error as Error).message };
    logFailure("runner release not recorded: builds keep installing the release recorded before", report);
    return report;
  }
}

/**
 * Record the release `deps.requested` names, unless the record already does.
 *
 * @throws RunnerReleaseError (errors.ts) when GitHub, a download or the bucket fails it; nothing
 *   is recorded then, and archives stored before the failure are overwritten by the next pass
 */
export async function resolveRunnerRelease(deps: ResolverDeps): Promise<RunnerReleaseReport> {
  const release = runnerRelease(await deps.release(deps.requested));
  if (deps.requested.kind === "pinned" && release.version !== deps.requested.version) {
    throw new ReleaseNotFoundError(`asked for actions/runner v${deps.requested.version} but GitHub answered release ${release.version} (${release.htmlUrl}): check RUNWAY_RUNNER_RELEASES_URL`);
  }
  const recorded = await deps.store.readRecord();
  if (recorded && names(recorded, release)) {
    deps.log("runner release current", { version: release.version });
    return { outcome: "current", version: release.version };
  }

  // One archive at a time: each is a few hundred MB of /tmp.
  for (const arch of RUNNER_ARCHES) {
    const archive = release.archives[arch];
    const file = await deps.download(archive);
    try {
      await deps.store.putArchive(archiveKey(release.version, archive.name), file);
    } finally {
      await file.discard();
    }
  }
  // Last: a build that reads this record finds both archives already there.
  await deps.store.putRecord(recordOf(release, deps.requested, deps.now()));
  const checksumFrom = Object.fromEntries(RUNNER_ARCHES.map((arch) => [arch, release.archives[arch].checksumFrom]));
  deps.log("runner release recorded", { version: release.version, previous: recorded?.version, release: release.htmlUrl, checksumFrom });
  return { outcome: "recorded", version: release.version, previous: recorded?.version, checksumFrom };
}

/** The record already names this release: its version, and the archives GitHub publishes now. */
function names(record: RunnerRecord, release: RunnerRelease): boolean {
  return (
    record.version === release.version &&
    RUNNER_ARCHES.every((arch) => {
      const archive = release.archives[arch];
      return record.archives[arch].sha256 === archive.sha256 && record.archives[arch].key === archiveKey(release.version, archive.name);
    })
  );
}

function recordOf(release: RunnerRelease, requested: RequestedRelease, now: Date): RunnerRecord {
  const archive = (arch: (typeof RUNNER_ARCHES)[number]) => {
    const a = release.archives[arch];
    return { key: archiveKey(release.version, a.name), sha256: a.sha256, size: a.size, checksumFrom: a.checksumFrom };
  };
  return {
    version: release.version,
    resolvedAt: now.toISOString(),
    source: { requested: describe(requested), release: release.htmlUrl },
    archives: { x64: archive("x64"), arm64: archive("arm64") },
  };
}

const describe = (requested: RequestedRelease) => (requested.kind === "latest" ? "latest" : requested.version);
