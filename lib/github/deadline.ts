/**
 * How long the current invocation has left, for GitHub's rate-limit waits. plugin-throttling waits
 * `retry-after` seconds before sending again; a wait that outlives the Lambda invocation would be
 * cut off mid-call and leave its work to a lease that must then cover it. So a function sets its
 * deadline when an invocation starts, and a wait that would not end well before it is not taken:
 * the call fails as retryable and the queue brings the work back.
 */

/** What a wait must leave of the invocation: time to record the failure and answer. */
const MARGIN_MS = 5_000;

let deadline: number | undefined;

/**
 * Set (or clear) the current invocation's deadline, an epoch in milliseconds.
 *
 * @example
 * setInvocationDeadline(Date.now() + context.getRemainingTimeInMillis());
 */
export function setInvocationDeadline(epochMs: number | undefined): void {
  deadline = epochMs;
}

/** Whether waiting `seconds` still ends before the deadline, with a margin; true when none is set. */
export function canWait(seconds: number, now = Date.now()): boolean {
  return deadline === undefined || now + seconds * 1000 + MARGIN_MS <= deadline;
}
