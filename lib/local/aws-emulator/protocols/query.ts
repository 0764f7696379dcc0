/**
 * The AWS query protocol (STS, ELBv2): form-encoded requests (`Action=…&Version=…&A.member.1=…`),
 * XML answers wrapped in `<OperationResponse><OperationResult>`, and `<ErrorResponse>` errors, as
 * the SDK's `AwsQueryProtocol` writes and reads them.
 */
import type { AwsServiceError } from "../types.ts";
import type { WireResponse } from "./json.ts";

type Tree = { [key: string]: Tree | string };

/**
 * Turn flat query parameters into the documented input shape: `X.member.N` becomes an array,
 * `X.entry.N.key/value` a map, `X.N` (flattened lists) an array. Scalars stay strings: the wire
 * carries no types, so a service reads numbers and booleans with Number(…) / === "true".
 */
export function decodeQueryParams(params: URLSearchParams): { action: string | undefined; input: Record<string, unknown> } {
  const root: Tree = {};
  let action: string | undefined;
  for (const [key, value] of params) {
    if (key === "Action") action = value;
    if (key === "Action" || key === "Version") continue;
    const parts = key.split(".");
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        node[part] = value;
        return;
      }
      const next = node[part];
      if (typeof next !== "object") node[part] = {};
      node = node[part] as Tree;
    });
  }
  return { action, input: normalise(root) as Record<string, unknown> };
}

function normalise(node: Tree | string): unknown {
  if (typeof node === "string") return node;
  const keys = Object.keys(node);
  const byIndex = (tree: Tree) =>
    Object.keys(tree)
      .filter((k) => /^\d+$/.test(k))
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => tree[k] as Tree | string);
  if (keys.length === 1 && keys[0] === "member" && typeof node.member === "object") {
    return byIndex(node.member).map(normalise);
  }
  if (keys.length === 1 && keys[0] === "entry" && typeof node.entry === "object") {
    const map: Record<string, unknown> = {};
    for (const entry of byIndex(node.entry)) {
      if (typeof entry === "object" && typeof entry.key === "string") map[entry.key] = normalise(entry.value ?? "");
    }
    return map;
  }
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) return byIndex(node).map(normalise);
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = normalise(node[key] as Tree | string);
  return out;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/**
 * XML of one output member: arrays as `<member>` elements, Dates as ISO 8601 (the query
 * protocol's timestamp format), blobs as base64. Plain objects are structures (no map support:
 * none of the emulated query operations returns one).
 */
export function toXml(name: string, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return `<${name}>${value.map((v) => toXml("member", v)).join("")}</${name}>`;
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (value instanceof Uint8Array) return `<${name}>${Buffer.from(value).toString("base64")}</${name}>`;
  if (typeof value === "object") {
    const inner = Object.entries(value as Record<string, unknown>).map(([k, v]) => toXml(k, v)).join("");
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

const XML_HEADERS = { "content-type": "text/xml" };

/** `<OperationResponse xmlns=…><OperationResult>…</OperationResult><ResponseMetadata>…` */
export function encodeQueryOutput(operation: string, output: unknown, xmlNamespace: string | undefined, requestId: string): WireResponse {
  const xmlns = xmlNamespace ? ` xmlns="${escapeXml(xmlNamespace)}"` : "";
  const fields = output !== null && typeof output === "object" ? (output as Record<string, unknown>) : {};
  const result = Object.entries(fields).map(([k, v]) => toXml(k, v)).join("");
  const body =
    `<${operation}Response${xmlns}><${operation}Result>${result}</${operation}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
  return { statusCode: 200, headers: XML_HEADERS, body };
}

/** `<ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/></ErrorResponse>` */
export function encodeQueryError(error: AwsServiceError, xmlNamespace: string | undefined, requestId: string): WireResponse {
  const xmlns = xmlNamespace ? ` xmlns="${escapeXml(xmlNamespace)}"` : "";
  const type = error.statusCode >= 500 ? "Receiver" : "Sender";
  const extra = Object.entries(error.fields).map(([k, v]) => toXml(k, v)).join("");
  const body =
    `<ErrorResponse${xmlns}><Error><Type>${type}</Type><Code>${escapeXml(error.queryCode ?? error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message>${extra}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { statusCode: error.statusCode, headers: XML_HEADERS, body };
}
