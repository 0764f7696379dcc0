/**
 * Names Runway gives: a launch's ledger key, its runner's name and its JIT parameter. Pure and
 * dependency-free, so the webhook can tell a Runway runner from any other without loading the
 * ledger's DynamoDB client at cold start.
 */

export const launchKey = (jobId: number, runAttempt: number) => `launch#${jobId}#${runAttempt}`;

/**
 * A runner's name says which launch it belongs to: `runway-<environment>-<job id>-<attempt>-<8 hex
 * of the claim's token>`, within GitHub's 64 characters (environment names are at most 31). So an
 * `in_progress` or `completed` event's `runner_name` leads to its launch with no index to keep.
 */
export function runnerNameFor(environment: string, jobId: number, runAttempt: number, token: string): string {
  return `runway-${environment}-${jobId}-${runAttempt}-${token.slice(0, 8)}`;
}

/** The launch key a runner name points at, or undefined for a runner Runway did not name. */
export function launchKeyOfRunner(runnerName: string): string | undefined {
  const match = /^runway-[a-z][a-z0-9-]*-(\d+)-(\d+)-[0-9a-f]{8}$/.exec(runnerName);
  return match ? launchKey(Number(match[1]), Number(match[2])) : undefined;
}

/**
 * The environment a Runway runner name belongs to (`runway-<environment>-<job>-<attempt>-<hex>`),
 * read from the right so that environments with dashes in their names parse too.
 */
export function environmentOfRunner(runnerName: string): string | undefined {
  return /^runway-([a-z][a-z0-9-]*)-\d+-\d+-[0-9a-f]{8}$/.exec(runnerName)?.[1];
}

/** Where a launch's JIT config is stored: `<prefix>/<environment>/<token>`. */
export function jitParameterName(prefix: string, environment: string, token: string): string {
  return `${prefix}/${environment}/${token}`;
}

