/**
 * Smithy RPC v2 CBOR (`POST /service/{Service}/operation/{Operation}`, `smithy-protocol:
 * rpc-v2-cbor`). None of the installed clients uses it today (CloudWatch speaks AWS JSON 1.0 with
 * query compatibility), but AWS moves services to it, so a client upgrade keeps working. The codec
 * is the SDK's own (`@smithy/core/cbor`), loaded only when a CBOR request arrives.
 */
import type { AwsServiceError } from "../types.ts";
import type { WireResponse } from "./json.ts";

type Cbor = { serialize(value: unknown): Uint8Array; deserialize(bytes: Uint8Array): unknown };
let codec: Promise<Cbor> | undefined;

async function cbor(): Promise<Cbor> {
  codec ??= import("@smithy/core/cbor").then((m) => m.cbor as Cbor);
  return codec;
}

/** `/service/GraniteServiceVersion20100801/operation/DescribeAlarms` → its two names. */
export function parseCborPath(path: string): { serviceName: string; operation: string } | undefined {
  const match = /\/service\/([^/]+)\/operation\/([^/?]+)$/.exec(path);
  return match?.[1] && match[2] ? { serviceName: match[1], operation: match[2] } : undefined;
}

export async function decodeCborBody(raw: Buffer): Promise<Record<string, unknown>> {
  if (raw.length === 0) return {};
  const value = (await cbor()).deserialize(new Uint8Array(raw));
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

const HEADERS = { "content-type": "application/cbor", "smithy-protocol": "rpc-v2-cbor" };

export async function encodeCborOutput(output: unknown): Promise<WireResponse> {
  const { dateToTag } = await import("@smithy/core/cbor");
  const tagDates = (v: unknown): unknown => {
    if (v instanceof Date) return dateToTag(v);
    if (Array.isArray(v)) return v.map(tagDates);
    if (v !== null && typeof v === "object" && !(v instanceof Uint8Array)) {
      return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, tagDates(x)]));
    }
    return v;
  };
  return { statusCode: 200, headers: HEADERS, body: (await cbor()).serialize(tagDates(output ?? {})) };
}

export async function encodeCborError(error: AwsServiceError, queryCompatible: boolean): Promise<WireResponse> {
  const headers: Record<string, string> = { ...HEADERS };
  if (queryCompatible) headers["x-amzn-query-error"] = `${error.queryCode ?? error.code};${error.statusCode >= 500 ? "Receiver" : "Sender"}`;
  const body = (await cbor()).serialize({ __type: error.code, message: error.message, ...error.fields });
  return { statusCode: error.statusCode, headers, body };
}
