/**
 * Downloads a release archive to a temporary file, hashing it on the way, and keeps it only when it
 * is the archive GitHub published: its size and its sha256. The archives are a few hundred MB, so
 * they are streamed (to /tmp, one at a time), never held in memory.
 *
 * GitHub serves `browser_download_url` from github.com with a redirect to a signed blob URL;
 * fetch follows it and drops no header that matters (none is sent: public downloads need no token,
 * and a token must not travel to another host).
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ChecksumMismatchError, ReleasesUnavailableError } from "./errors.ts";
import type { ReleaseArchive } from "./github-release.ts";

export interface DownloadedArchive {
  path: string;
  sha256: string;
  size: number;
  /** Removes the file and its folder. */
  discard(): Promise<void>;
}

/** How long one archive may take to download, however fast it starts. */
const DOWNLOAD_TIMEOUT_MS = 120_000;

/**
 * @throws ReleasesUnavailableError when GitHub does not serve it, or serves a different size
 * @throws ChecksumMismatchError when its sha256 is not the one GitHub published
 *
 * @example
 * const file = await downloadArchive(release.archives.x64);
 * try { await store.putArchive(key, file); } finally { await file.discard(); }
 */
export async function downloadArchive(archive: ReleaseArchive, signal: AbortSignal = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS)): Promise<DownloadedArchive> {
  const dir = await mkdtemp(join(tmpdir(), "runway-runner-"));
  const discard = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, archive.name);
  try {
    let response: Response;
    try {
      response = await fetch(archive.url, { redirect: "follow", signal });
    } catch (error) {
      throw new ReleasesUnavailableError(`could not download ${archive.name} from ${archive.url}: ${(error as Error).message}; the next run tries again`, { cause: error });
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new ReleasesUnavailableError(`could not download ${archive.name}: ${archive.url} answered ${response.status}; the next run tries again`);
    }
    const hash = createHash("sha256");
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(response.body), measure, createWriteStream(path));
    } catch (error) {
      throw new ReleasesUnavailableError(`the download of ${archive.name} from ${archive.url} broke off after ${size} bytes: ${(error as Error).message}; the next run tries again`, { cause: error });
    }
    if (size !== archive.size) {
      throw new ReleasesUnavailableError(`${archive.name} downloaded as ${size} bytes, but GitHub lists ${archive.size}: refused, nothing stored; the next run tries again`);
    }
    const sha256 = hash.digest("hex");
    if (sha256 !== archive.sha256) throw new ChecksumMismatchError(archive.name, archive.sha256, sha256);
    return { path, sha256, size, discard };
  } catch (error) {
    await discard();
    throw error;
  }
}
