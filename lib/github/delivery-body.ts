/**
 * A webhook delivery's body decoded as GitHub sends it: JSON, or for a webhook whose content type
 * is `application/x-www-form-urlencoded` the same JSON in the `payload=` form field. One decoder for
 * every way a delivery arrives: the webhook (lib/github/read-delivery.ts) and `runway route`, which
 * reads a saved body.
 */
import { MalformedPayloadError } from "./errors.ts";

/** The two content types GitHub's webhooks can be set to. */
export type DeliveryContentType = "application/json" | "application/x-www-form-urlencoded";

/** JSON is UTF-8 (RFC 8259 §8.1): a byte that is not is a malformed body, never a U+FFFD. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * The body's JSON object.
 *
 * @throws MalformedPayloadError when the body is not UTF-8, lacks `payload=`, is not JSON, or is not an object.
 * @example
 * parseDeliveryBody(Buffer.from("payload=%7B%22action%22%3A%22queued%22%7D"), "application/x-www-form-urlencoded");
 * // { action: "queued" }
 */
export function parseDeliveryBody(body: Buffer, type: string): object {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch (error) {
    throw new MalformedPayloadError("the body is not UTF-8, as GitHub's JSON always is", { cause: error });
  }
  if (type === "application/x-www-form-urlencoded") text = formPayload(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new MalformedPayloadError(`the body is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new MalformedPayloadError("the body must be a JSON object");
  }
  return parsed;
}

/**
 * The `payload=` field of GitHub's form encoding. Decoded strictly: URLSearchParams would turn
 * percent-escapes that are not UTF-8 into U+FFFD, as a lenient body decoder would.
 */
function formPayload(form: string): string {
  const field = form.split("&").find((part) => part.startsWith("payload="));
  if (field === undefined) throw new MalformedPayloadError("a form-encoded delivery must carry its JSON in payload=");
  try {
    return decodeURIComponent(field.slice("payload=".length).replaceAll("+", " "));
  } catch (error) {
    throw new MalformedPayloadError("the form's payload= is not percent-encoded UTF-8, as GitHub's always is", { cause: error });
  }
}

/**
 * The content type a saved body was sent with, told from the body itself (a saved file has no
 * headers): a form-encoded body starts with a field name (`payload=`), a JSON body with `{`.
 */
export function sniffContentType(body: Buffer): DeliveryContentType {
  const text = body.subarray(0, 64).toString("latin1").trimStart();
  return /^[A-Za-z_][\w.-]*=/.test(text) ? "application/x-www-form-urlencoded" : "application/json";
}
