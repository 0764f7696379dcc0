/**
 * The part of a job's log that explains its failure: GitHub's job log is one text file for every
 * step; the failing step ends at its last `##[error]` line. Keep up to `maxLines` lines ending just
 * after it (or the log's last lines when there is no error mark), without colour codes.
 */

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/**
 * @example
 * failureExcerpt("…\n2024-01-01T00:00:00Z ##[error]Process completed with exit code 1.\n…", 200);
 */
export function failureExcerpt(log: string, maxLines = 200, after = 3): string {
  const lines = log.replace(ANSI, "").split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  let end = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.includes("##[error]")) {
      end = Math.min(lines.length, i + 1 + after);
      break;
    }
  }
  return lines.slice(Math.max(0, end - maxLines), end).join("\n");
}
