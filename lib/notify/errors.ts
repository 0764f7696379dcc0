/**
 * Errors of the Slack notifications. None of their messages carries a token, a webhook URL or a
 * message body: they end up in logs.
 */

/** Base class: anything that kept a notification from being delivered. */
export class NotifyError extends Error {
  override name = "NotifyError";
}

/**
 * Slack answered 429. `retryAfterSeconds` is its `Retry-After`: the consumer either waits that
 * long (when short) or puts the record back on the queue for that long.
 */
export class SlackRateLimitedError extends NotifyError {
  override name = "SlackRateLimitedError";
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, options?: ErrorOptions) {
    super(`Slack is rate limiting this app; retry after ${retryAfterSeconds}s`, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Slack could not be reached or answered 5xx: a passing fault, the record is retried from the queue. */
export class SlackUnavailableError extends NotifyError {
  override name = "SlackUnavailableError";
}

/**
 * Slack refused the call (`ok: false`) for a reason that retrying will not fix on its own, such as
 * `channel_not_found` or `invalid_auth`. The record goes back to the queue and, after its
 * retries, to the dead-letter queue, where it can be replayed once the cause is fixed.
 */
export class SlackRejectedError extends NotifyError {
  override name = "SlackRejectedError";
  /** Slack's error code, e.g. `channel_not_found`. */
  readonly code: string;
  constructor(code: string, method: string, options?: ErrorOptions) {
    super(`Slack refused ${method}: ${code}${hint(code)}`, options);
    this.code = code;
  }
}

/** The notifier has no usable Slack credentials or settings. */
export class NotifyConfigError extends NotifyError {
  override name = "NotifyConfigError";
}

/** A queued record is not a notification event this version understands. */
export class InvalidNotificationError extends NotifyError {
  override name = "InvalidNotificationError";
  /** "path: message" per problem; never the values, which may be anything. */
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`not a valid notification event (a bug in its producer, or a producer newer than this notifier): ${problems.join("; ")}`);
    this.problems = problems;
  }
}

function hint(code: string): string {
  switch (code) {
    case "channel_not_found":
      return " (check environments.<env>.slack.channel and notify.defaultChannel; private channels need the bot invited)";
    case "not_in_channel":
      return " (invite the Runway app to the channel, or grant it the chat:write.public scope)";
    case "invalid_auth":
    case "not_authed":
    case "token_revoked":
    case "account_inactive":
      return " (the bot token is wrong or revoked: update the SSM parameter named by SLACK_BOT_TOKEN_PARAMETER)";
    case "missing_scope":
      return " (the Slack app needs the chat:write scope)";
    case "no_service":
    case "invalid_token":
      return " (the incoming webhook was removed: create a new one and update SLACK_WEBHOOK_URL_PARAMETER)";
    default:
      return "";
  }
}
