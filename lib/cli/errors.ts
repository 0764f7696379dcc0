/** Errors raised by the `runway` command-line tool before it can do its work. */

/**
 * The command line or the input a command was given is wrong: an unknown option, a missing
 * argument, a payload file that is not JSON. Reported on stderr with exit code 2; the message says
 * what to type instead.
 */
export class UsageError extends Error {
  override name = "UsageError";
}
