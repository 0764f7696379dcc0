/**
 * Which service and operation a request is for, in which wire protocol, with what input. The
 * protocol is read from the request itself (X-Amz-Target → JSON RPC, `smithy-protocol` → CBOR,
 * a form body with `Action` → query, otherwise a rest-json route), so a service answers in whatever
 * protocol its installed SDK client speaks. Signatures are NOT verified: the SigV4 credential scope
 * only names the service; requests without one are routed from the rest of the request.
 */
import type { IncomingHttpHeaders } from "node:http";
import { decodeCborBody, parseCborPath } from "./protocols/cbor.ts";
import { decodeJsonBody } from "./protocols/json.ts";
import { decodeQueryParams } from "./protocols/query.ts";
import { matchRestRoute } from "./protocols/rest-json.ts";
import { AwsServiceError, type AwsProtocol, type RestRoute, type ServiceEmulation } from "./types.ts";

export interface RoutedRequest {
  /** Absent only when no registered service matches at all. */
  service: ServiceEmulation | undefined;
  operation: string;
  /** The protocol the request was sent in; the answer uses the same. */
  protocol: AwsProtocol;
  input: Record<string, unknown>;
  region: string;
  /** JSON RPC: the request's content type, echoed on the answer (1.0 vs 1.1). */
  contentType: string;
  /** The SDK marks awsQueryCompatible services (SQS, CloudWatch) with `x-amzn-query-mode`. */
  queryCompatible: boolean;
  route: RestRoute | undefined;
  query: Record<string, string>;
  /** Set when the request cannot be served (unknown service or operation, unreadable body). */
  error: AwsServiceError | undefined;
}

/** `Credential=AKID/20250101/eu-west-1/codebuild/aws4_request` → region and signing name. */
export function credentialScope(authorization: string | undefined): { region: string; service: string } | undefined {
  const match = /Credential=[^/,\s]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? "");
  return match?.[1] && match[2] ? { region: match[1], service: match[2] } : undefined;
}

/** Lower-cased single-valued headers. */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(",") : v;
  return out;
}

export async function routeRequest(
  services: ServiceEmulation[],
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
): Promise<RoutedRequest> {
  const scope = credentialScope(headers.authorization);
  const query = Object.fromEntries(url.searchParams);
  const routed: RoutedRequest = {
    service: undefined,
    operation: "",
    protocol: "json",
    input: {},
    region: scope?.region ?? process.env.AWS_REGION ?? "us-east-1",
    contentType: headers["content-type"] ?? "application/x-amz-json-1.1",
    queryCompatible: headers["x-amzn-query-mode"] === "true",
    route: undefined,
    query,
    error: undefined,
  };
  const bySigningName = (list: ServiceEmulation[]) => (scope ? list.filter((s) => s.signingName === scope.service) : list);
  try {
    const target = headers["x-amz-target"];
    const cborPath = headers["smithy-protocol"] === "rpc-v2-cbor" ? parseCborPath(url.pathname) : undefined;
    if (cborPath) {
      routed.protocol = "cbor";
      routed.operation = cborPath.operation;
      routed.service =
        services.find((s) => s.targetPrefix === cborPath.serviceName) ?? bySigningName(services)[0];
      routed.input = await decodeCborBody(body);
    } else if (target) {
      const dot = target.lastIndexOf(".");
      routed.operation = target.slice(dot + 1);
      routed.service = services.find((s) => s.targetPrefix === target.slice(0, dot)) ?? bySigningName(services)[0];
      routed.input = decodeJsonBody(body);
    } else if (isQueryRequest(method, headers, url)) {
      routed.protocol = "query";
      const params = method === "GET" ? url.searchParams : new URLSearchParams(body.toString("utf8"));
      const { action, input } = decodeQueryParams(params);
      routed.operation = action ?? "";
      routed.input = input;
      const candidates = scope ? bySigningName(services) : services.filter((s) => action && s.operations[action]);
      routed.service = candidates[0];
    } else {
      routed.protocol = "rest-json";
      const match = matchRestRoute(bySigningName(services), method, url.pathname, query, headers, body);
      routed.service = match?.service ?? bySigningName(services.filter((s) => s.protocol === "rest-json"))[0];
      routed.operation = match?.route.operation ?? "";
      routed.route = match?.route;
      routed.input = match?.input ?? {};
    }
  } catch (cause) {
    routed.error = new AwsServiceError("SerializationException", `Cannot read the request body: ${(cause as Error).message}`);
    return routed;
  }
  if (!routed.service) {
    routed.error = new AwsServiceError(
      routed.protocol === "query" ? "InvalidAction" : "UnknownOperationException",
      `No emulated service answers ${scope?.service ?? "this request"} (${method} ${url.pathname}); register one with startAwsEmulator({ services }).`,
    );
  } else if (!routed.operation || !routed.service.operations[routed.operation]) {
    routed.error =
      routed.protocol === "query"
        ? new AwsServiceError("InvalidAction", `The action ${routed.operation || "(none)"} is not valid for this web service.`)
        : new AwsServiceError(
            "UnknownOperationException",
            `The emulated ${routed.service.signingName} does not implement ${routed.operation || `${method} ${url.pathname}`}.`,
            routed.protocol === "rest-json" ? 404 : 400,
          );
  }
  return routed;
}

function isQueryRequest(method: string, headers: Record<string, string>, url: URL): boolean {
  if (method === "GET") return url.searchParams.has("Action");
  return (headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
}
