/**
 * The one place that turns an error into an HTTP answer. Errors the caller can act on
 * (`DeliveryError` and its kin) are answered with their status and message; anything else becomes
 * a plain 500 that leaks nothing (its detail goes to the log only).
 */
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { ConfigError } from "../config/errors.ts";
import { DeliveryError, WebhookSecretError } from "../github/errors.ts";
import { QueueUnavailableError } from "../jobs/job-queue.ts";

/** A JSON response. */
export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

/** The status and the message a caller may see for `error`. */
export function describeError(error: unknown): { statusCode: number; error: string; message: string } {
  if (error instanceof DeliveryError) return { statusCode: error.statusCode, error: error.name, message: error.message };
  if (error instanceof QueueUnavailableError) {
    return { statusCode: 503, error: error.name, message: "Runway could not record this job right now; redeliver it from the webhook's Recent Deliveries" };
  }
  if (error instanceof WebhookSecretError) return { statusCode: 500, error: error.name, message: "Runway's webhook secret is not configured; see the function's log" };
  if (error instanceof ConfigError) return { statusCode: 500, error: error.name, message: "Runway's configuration is invalid; see the function's log" };
  return { statusCode: 500, error: "InternalError", message: "Runway failed to handle this delivery; see the function's log" };
}

/** The HTTP answer for `error`. */
export function errorResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  const { statusCode, error: name, message } = describeError(error);
  return jsonResponse(statusCode, { ok: false, error: name, message });
}
