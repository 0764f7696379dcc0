/**
 * AWS JSON 1.0 / 1.1 (X-Amz-Target RPC) and the JSON bodies of rest-json: what the SDK's
 * `AwsJson1_0Protocol`, `AwsJson1_1Protocol` and `AwsRestJsonProtocol` read and write.
 */
import type { AwsServiceError } from "../types.ts";

/** A body the emulator answers with: status, headers, bytes. */
export interface WireResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

/** Parse a JSON request body; an empty body is an empty input. */
export function decodeJsonBody(raw: Buffer): Record<string, unknown> {
  const text = raw.toString("utf8").trim();
  if (text === "") return {};
  const parsed: unknown = JSON.parse(text);
  return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

/**
 * JSON text of an output object as the SDK's JSON codec reads it: timestamps (Date) as epoch
 * seconds, the protocols' default format, and blobs (Uint8Array) as base64.
 */
export function toJsonText(value: unknown): string {
  return JSON.stringify(toWireValue(value ?? {}));
}

function toWireValue(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(toWireValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWireValue(v);
    return out;
  }
  return value;
}

/** Encode a successful JSON RPC answer. */
export function encodeJsonOutput(output: unknown, contentType: string, statusCode = 200): WireResponse {
  return { statusCode, headers: { "content-type": contentType }, body: toJsonText(output) };
}

/**
 * Encode an error. `__type` carries the code (the SDK strips any `namespace#`); for
 * awsQueryCompatible services (the SDK sends `x-amzn-query-mode: true`) `x-amzn-query-error`
 * carries `Code;Sender|Receiver` as real SQS and CloudWatch send it.
 */
export function encodeJsonError(error: AwsServiceError, contentType: string, queryCompatible: boolean): WireResponse {
  const headers: Record<string, string> = { "content-type": contentType, "x-amzn-errortype": error.code };
  if (queryCompatible) {
    headers["x-amzn-query-error"] = `${error.queryCode ?? error.code};${error.statusCode >= 500 ? "Receiver" : "Sender"}`;
  }
  const body = { __type: error.code, message: error.message, ...error.fields };
  return { statusCode: error.statusCode, headers, body: toJsonText(body) };
}
