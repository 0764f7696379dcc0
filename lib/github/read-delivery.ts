/**
 * Turns the bytes of an HTTP request into a verified, parsed GitHub delivery, in the order that
 * keeps a forged or broken request from costing anything: size, then signature over the raw
 * bytes, then content type and headers, and only then parsing.
 */
import { emitterEventNames } from "@octokit/webhooks";
import { verifyWithFallback } from "@octokit/webhooks-methods";
import {
  MalformedPayloadError,
  MissingHeaderError,
  PayloadTooLargeError,
  SignatureError,
  UnknownEventError,
  UnsupportedMediaTypeError,
} from "./errors.ts";

/** GitHub caps payloads at 25 MB; anything larger was not sent by GitHub. */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;

/** Event names GitHub sends, from its own webhook schema (via @octokit/webhooks). */
const KNOWN_EVENTS: ReadonlySet<string> = new Set(emitterEventNames.filter((name) => !name.includes(".")));

/** An HTTP request as any adapter (API Gateway, the local server) hands it over. */
export interface RawRequest {
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
}

/** A delivery whose signature is verified and whose body is parsed. */
export interface Delivery {
  /** `X-GitHub-Delivery`: kept by a redelivery, so it identifies the delivery, not the job. */
  id: string;
  event: string;
  action: string | undefined;
  payload: unknown;
  bytes: number;
}

/**
 * Verify and parse one delivery.
 *
 * @param secrets the webhook secrets, newest first; a signature made with any of them passes.
 * @throws DeliveryError subclasses, each mapped to its HTTP status.
 * @example
 * const delivery = await readDelivery({ headers, body }, ["s3cret"]);
 * delivery.event; // "workflow_job"
 */
export async function readDelivery(request: RawRequest, secrets: readonly string[]): Promise<Delivery> {
  const { headers, body } = request;
  if (body.length > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`the body is ${body.length} bytes; GitHub never sends more than ${MAX_BODY_BYTES}`);
  }
  await verifySignature(body, headers["x-hub-signature-256"], secrets);

  const type = (headers["content-type"] ?? "application/json").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json" && type !== "application/x-www-form-urlencoded") {
    throw new UnsupportedMediaTypeError(
      `content type ${type} is not accepted; set the webhook's content type to application/json`,
    );
  }
  const event = headers["x-github-event"]?.trim();
  if (!event) throw new MissingHeaderError("X-GitHub-Event is missing; only GitHub webhook deliveries are accepted here");
  if (!KNOWN_EVENTS.has(event)) throw new UnknownEventError(`"${event.slice(0, 64)}" is not a GitHub webhook event`);

  const payload = parseBody(body, type);
  const action = (payload as { action?: unknown }).action;
  return {
    id: headers["x-github-delivery"]?.trim() || "unknown",
    event,
    action: typeof action === "string" ? action : undefined,
    payload,
    bytes: body.length,
  };
}

async function verifySignature(body: Buffer, signature: string | undefined, secrets: readonly string[]): Promise<void> {
  if (!signature) throw new SignatureError("X-Hub-Signature-256 is missing; configure the webhook with a secret");
  if (!/^sha256=[0-9a-f]{64}$/.test(signature)) throw new SignatureError("X-Hub-Signature-256 is not a sha256= HMAC");
  const [first, ...rest] = secrets;
  const ok =
    first !== undefined &&
    body.length > 0 &&
    (await verifyWithFallback(first, body.toString("utf8"), signature, rest).catch(() => false));
  if (!ok) {
    throw new SignatureError("X-Hub-Signature-256 does not match the body: check the webhook secret, or the body changed after signing");
  }
}

function parseBody(body: Buffer, type: string): object {
  let text = body.toString("utf8");
  if (type === "application/x-www-form-urlencoded") {
    const payload = new URLSearchParams(text).get("payload");
    if (payload === null) throw new MalformedPayloadError("a form-encoded delivery must carry its JSON in payload=");
    text = payload;
  }
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
