/**
 * Turns the bytes of an HTTP request into a verified, parsed GitHub delivery, in the order that
 * keeps a forged or broken request from costing anything: size, then signature over the raw
 * bytes, then content type and headers, and only then parsing.
 *
 * The signature is an HMAC of the bytes as they arrived, never of a decoded string: decoding
 * would turn an invalid UTF-8 byte into U+FFFD, and the HMAC of that is not GitHub's.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { emitterEventNames } from "@octokit/webhooks";
import { parseDeliveryBody } from "./delivery-body.ts";
import { MissingHeaderError, PayloadTooLargeError, SignatureError, UnsupportedMediaTypeError } from "./errors.ts";

/** GitHub caps payloads at 25 MB; anything larger was not sent by GitHub. */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;

/** Event names GitHub sends, from its own webhook schema (via @octokit/webhooks). */
const KNOWN_EVENTS: ReadonlySet<string> = new Set(emitterEventNames.filter((name) => !name.includes(".")));

/**
 * Whether `event` is in Octokit's list of GitHub's webhook events. GitHub adds events faster than
 * the list is released, so an event outside it is still GitHub's: it is acknowledged, not refused.
 */
export function isKnownEvent(event: string): boolean {
  return KNOWN_EVENTS.has(event);
}

/** What an event name looks like (`workflow_job`, `deployment_protection_rule`). */
const EVENT_NAME = /^[a-z][a-z0-9_]{0,63}$/;

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
  verifySignature(body, headers, secrets);

  const type = (headers["content-type"] ?? "application/json").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json" && type !== "application/x-www-form-urlencoded") {
    throw new UnsupportedMediaTypeError(
      `content type ${type} is not accepted; set the webhook's content type to application/json`,
    );
  }
  const event = headers["x-github-event"]?.trim();
  if (!event) throw new MissingHeaderError("X-GitHub-Event is missing; only GitHub webhook deliveries are accepted here");
  // A signed delivery of an event Octokit does not list yet is GitHub's all the same (dispatch
  // acknowledges it); only a header that is not an event name at all is refused.
  if (!EVENT_NAME.test(event)) throw new MissingHeaderError("X-GitHub-Event is not a webhook event name (lower-case letters, digits and _)");

  const payload = parseDeliveryBody(body, type);
  const action = (payload as { action?: unknown }).action;
  return {
    id: headers["x-github-delivery"]?.trim() || "unknown",
    event,
    action: typeof action === "string" ? action : undefined,
    payload,
    bytes: body.length,
  };
}

function verifySignature(body: Buffer, headers: RawRequest["headers"], secrets: readonly string[]): void {
  const signature = headers["x-hub-signature-256"];
  if (!signature) {
    if (headers["x-hub-signature"]) {
      throw new SignatureError(
        "only X-Hub-Signature (HMAC-SHA1) came, and Runway verifies X-Hub-Signature-256 (HMAC-SHA256) only: GitHub.com and GitHub Enterprise Server 3.0 and later send both when the webhook has a secret, so upgrade a GHES 2.x server, or check that no proxy drops X-Hub-Signature-256",
      );
    }
    throw new SignatureError("X-Hub-Signature-256 is missing; configure the webhook with a secret");
  }
  if (!/^sha256=[0-9a-f]{64}$/.test(signature)) throw new SignatureError("X-Hub-Signature-256 is not a sha256= HMAC");
  const given = Buffer.from(signature.slice("sha256=".length), "hex");
  // Every secret is tried (a rotation keeps the old one beside the new), each in constant time.
  const ok = body.length > 0 && secrets.some((secret) => timingSafeEqual(createHmac("sha256", secret).update(body).digest(), given));
  if (!ok) {
    throw new SignatureError("X-Hub-Signature-256 does not match the body: check the webhook secret, or the body changed after signing");
  }
}
