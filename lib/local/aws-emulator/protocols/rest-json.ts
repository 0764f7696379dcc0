/**
 * AWS rest-json (Lambda): the operation is chosen by method and path (the service's `routes`),
 * input members come from path labels, the query string, chosen headers and a JSON (or raw) body.
 */
import { AwsRawResponse, type AwsServiceError, type RestRoute, type ServiceEmulation } from "../types.ts";
import { decodeJsonBody, encodeJsonOutput, toJsonText, type WireResponse } from "./json.ts";

export interface RestMatch {
  service: ServiceEmulation;
  route: RestRoute;
  input: Record<string, unknown>;
}

/** The first route of the given services that matches, with the input it decodes. */
export function matchRestRoute(
  services: ServiceEmulation[],
  method: string,
  path: string,
  query: Record<string, string>,
  headers: Record<string, string>,
  body: Buffer,
): RestMatch | undefined {
  for (const service of services) {
    for (const route of service.routes ?? []) {
      if (route.method.toUpperCase() !== method.toUpperCase()) continue;
      const match = route.path.exec(path);
      if (!match) continue;
      const input: Record<string, unknown> = { ...query };
      for (const [name, value] of Object.entries(match.groups ?? {})) {
        if (value !== undefined) input[name] = decodeURIComponent(value);
      }
      for (const [header, member] of Object.entries(route.headers ?? {})) {
        const value = headers[header.toLowerCase()];
        if (value !== undefined) input[member] = value;
      }
      if (route.body === "raw") input.Payload = new Uint8Array(body);
      else Object.assign(input, decodeJsonBody(body));
      return { service, route, input };
    }
  }
  return undefined;
}

/** A JSON answer, or the exact bytes of an AwsRawResponse (Lambda Invoke's payload). */
export function encodeRestOutput(output: unknown, route: RestRoute | undefined): WireResponse {
  if (output instanceof AwsRawResponse) {
    return { statusCode: output.statusCode, headers: { "content-type": "application/octet-stream", ...output.headers }, body: output.body };
  }
  return encodeJsonOutput(output ?? {}, "application/json", route?.successStatus ?? 200);
}

/** The code goes in `x-amzn-errortype` (read first by the SDK), the message in the body. */
export function encodeRestError(error: AwsServiceError): WireResponse {
  const body = { Type: error.statusCode >= 500 ? "Service" : "User", message: error.message, Message: error.message, ...error.fields };
  return {
    statusCode: error.statusCode,
    headers: { "content-type": "application/json", "x-amzn-errortype": error.code },
    body: toJsonText(body),
  };
}
