/** What can go wrong answering a deployment protection rule, beyond GitHub's own errors (lib/github/errors.ts). */

/** A protection request could not be put in the dead-letter queue: its record is retried instead. */
export class ProtectionParkError extends Error {
  override name = "ProtectionParkError";
}
