/**
 * A short, safe description of an error: its name and message (and its cause's message), never a
 * stack or a payload. Runway's errors keep secrets out of their messages, so this is what goes to
 * logs, Slack and reports.
 *
 * @example
 * logger.warn("could not post", { error: describe(error) }); // "SlackApiError: ratelimited"
 */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return `${error.name === "Error" ? "" : `${error.name}: `}${error.message}${cause}`;
  }
  return String(error);
}
