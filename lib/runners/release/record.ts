/**
 * The runner release a stage installs, as the resolver records it in the artifacts bucket and
 * buildspecs/runner/install-runner.sh reads it (contract: buildspecs/README.md, "S3 layout"):
 *
 *   runner/<version>/actions-runner-linux-<arch>-<version>.tar.gz   the archives, as GitHub published them
 *   runner/current.json                                             which of them builds install
 *
 * current.json is written after both archives, so a build never reads a record whose archives are
 * missing; and it carries each archive's sha256, which the build checks again before extracting.
 */
import * as z from "zod/mini";

/** The architectures a runner build may run on: CodeBuild's x86-64 and arm64 Linux images. */
export const RUNNER_ARCHES = ["x64", "arm64"] as const;
export type RunnerArch = (typeof RUNNER_ARCHES)[number];

export const RUNNER_RECORD_KEY = "runner/current.json";

/** actions/runner's own release versions: 2.338.0. */
export const RUNNER_VERSION_PATTERN = /^\d+\.\d+\.\d+$/;

/** The archive's name in an actions/runner release. */
export const archiveName = (arch: RunnerArch, version: string) => `actions-runner-linux-${arch}-${version}.tar.gz`;

/** Where the stage keeps its copy of an archive. */
export const archiveKey = (version: string, name: string) => `runner/${version}/${name}`;

const sha256Schema = z.string().check(z.regex(/^[0-9a-f]{64}$/));

const archiveSchema = z.object({
  key: z.string().check(z.regex(/^runner\/\d+\.\d+\.\d+\/[A-Za-z0-9._-]+\.tar\.gz$/)),
  sha256: sha256Schema,
  size: z.number(),
  /** Where the sha256 came from: the asset's `digest` in GitHub's API, or the release notes. */
  checksumFrom: z.enum(["digest", "release-notes"]),
});

export const runnerRecordSchema = z.object({
  version: z.string().check(z.regex(RUNNER_VERSION_PATTERN)),
  resolvedAt: z.string(),
  source: z.object({
    /** `latest`, or the version the stage pins (params.runnerVersion). */
    requested: z.string(),
    /** The release's page on GitHub. */
    release: z.string(),
  }),
  archives: z.object({ x64: archiveSchema, arm64: archiveSchema }),
});

export type RunnerRecord = z.infer<typeof runnerRecordSchema>;
export type RecordedArchive = RunnerRecord["archives"][RunnerArch];

/**
 * The record in `text`, or undefined when it is not one (written by hand, or by an older Runway):
 * the resolver then records the release again rather than trusting it.
 *
 * @example
 * const record = parseRunnerRecord(await getText(bucket, RUNNER_RECORD_KEY) ?? "");
 * if (record?.version === "2.338.0") console.log(record.archives.arm64.key);
 */
export function parseRunnerRecord(text: string): RunnerRecord | undefined {
  try {
    const parsed = runnerRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
