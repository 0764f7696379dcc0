/**
 * What can be wrong with a webhook delivery. Each error carries the HTTP status it is answered with
 * (mapped in one place, lib/http/error-response.ts) and a message safe to show the sender: none of
 * them ever includes the body or a secret.
 */

/** A delivery Runway refuses; `statusCode` is what GitHub is answered. */
export class DeliveryError extends Error {
  override name = "DeliveryError";
  readonly statusCode: number = 400;
}

/** `X-Hub-Signature-256` is missing, malformed, or does not match the body: 401, nothing changes. */
export class SignatureError extends DeliveryError {
  override name = "SignatureError";
  override readonly statusCode = 401;
}

/** A required header (`X-GitHub-Event`) is missing or malformed: 400. */
export class MissingHeaderError extends DeliveryError {
  override name = "MissingHeaderError";
}

/** The body is not the JSON (or `payload=` form) it claims to be: 400. */
export class MalformedPayloadError extends DeliveryError {
  override name = "MalformedPayloadError";
}

/** The event name is not one GitHub sends: 400. */
export class UnknownEventError extends DeliveryError {
  override name = "UnknownEventError";
}

/** The body is larger than GitHub ever sends (25 MiB): 413. */
export class PayloadTooLargeError extends DeliveryError {
  override name = "PayloadTooLargeError";
  override readonly statusCode = 413;
}

/** A content type other than JSON or GitHub's form encoding: 415. */
export class UnsupportedMediaTypeError extends DeliveryError {
  override name = "UnsupportedMediaTypeError";
  override readonly statusCode = 415;
}

/** The webhook secret is not configured where the function looks for it: an operator's fix, 500. */
export class WebhookSecretError extends Error {
  override name = "WebhookSecretError";
}
