/** API Gateway (HTTP API, payload v2) event → the raw request bytes and lower-case headers. */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { RawRequest } from "../github/read-delivery.ts";

export function rawRequest(event: APIGatewayProxyEventV2): RawRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const body = event.body ?? "";
  return { headers, body: Buffer.from(body, event.isBase64Encoded ? "base64" : "utf8") };
}
