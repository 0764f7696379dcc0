import { describe, expect, it } from "vitest";
import {
  MalformedPayloadError,
  MissingHeaderError,
  PayloadTooLargeError,
  SignatureError,
  UnsupportedMediaTypeError,
} from "../../../lib/github/errors.ts";
import { isKnownEvent, MAX_BODY_BYTES, readDelivery } from "../../../lib/github/read-delivery.ts";
import { deliveryHeaders, sign, workflowJob } from "../../support/payloads.ts";

const SECRET = "It's a Secret to Everybody";
const body = JSON.stringify(workflowJob());

function request(headers: Record<string, string | undefined>, raw: string | Buffer = body) {
  return { headers, body: Buffer.isBuffer(raw) ? raw : Buffer.from(raw) };
}

describe("readDelivery() signature", () => {
  it("accepts a delivery signed with the secret and parses it", async () => {
    const delivery = await readDelivery(request(deliveryHeaders(SECRET, body)), [SECRET]);
    expect(delivery).toMatchObject({ id: "72d3162e-cc78-11e3-81ab-4c9367dc0958", event: "workflow_job", action: "queued" });
    expect((delivery.payload as { workflow_job: { id: number } }).workflow_job.id).toBe(2832853555);
  });

  it("matches GitHub's documented test vector", async () => {
    // From GitHub's "Validating webhook deliveries" page: secret and payload give this signature.
    const signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    expect(sign(SECRET, "Hello, World!")).toBe(signature);
  });

  it.each([
    ["missing", undefined, "X-Hub-Signature-256 is missing"],
    ["wrong secret", sign("another secret", body), "does not match the body"],
    ["not a sha256 HMAC", "sha1=0123", "is not a sha256= HMAC"],
    ["right length, wrong digest", `sha256=${"0".repeat(64)}`, "does not match the body"],
  ])("rejects a %s signature with SignatureError (401)", async (_case, signature, message) => {
    const headers = { ...deliveryHeaders(SECRET, body), "x-hub-signature-256": signature };
    const error = await readDelivery(request(headers), [SECRET]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignatureError);
    expect(error).toMatchObject({ statusCode: 401 });
    expect((error as Error).message).toContain(message);
  });

  it("rejects a body changed after signing", async () => {
    const tampered = body.replace("action-payments-dev-deploy", "action-payments-prd-deploy");
    await expect(readDelivery(request(deliveryHeaders(SECRET, body), tampered), [SECRET])).rejects.toBeInstanceOf(SignatureError);
  });

  it("accepts the previous secret during a rotation and rejects once it is removed", async () => {
    const headers = deliveryHeaders("old secret", body);
    await expect(readDelivery(request(headers), ["new secret", "old secret"])).resolves.toMatchObject({ event: "workflow_job" });
    await expect(readDelivery(request(headers), ["new secret"])).rejects.toBeInstanceOf(SignatureError);
  });

  it("verifies the raw bytes, not their UTF-8 reading: a signed body with an invalid byte is not a 401", async () => {
    // 0xE9 alone is Latin-1's é: decoding it would give U+FFFD, whose HMAC is not the sender's.
    const bytes = Buffer.concat([Buffer.from('{"action":"queued","note":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const error = await readDelivery(request(deliveryHeaders(SECRET, bytes), bytes), [SECRET]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedPayloadError);
    expect(error).toMatchObject({ statusCode: 400, message: "the body is not UTF-8, as GitHub's JSON always is" });

    // Signed over the U+FFFD reading instead, as verifying a decoded string would accept: refused.
    const decoded = bytes.toString("utf8");
    await expect(readDelivery(request(deliveryHeaders(SECRET, decoded), bytes), [SECRET])).rejects.toBeInstanceOf(SignatureError);
  });

  it("verifies multi-byte UTF-8 bodies by their bytes and parses them", async () => {
    const text = JSON.stringify(workflowJob({ workflowName: "déploiement 🚀" }));
    const bytes = Buffer.from(text);
    const delivery = await readDelivery(request(deliveryHeaders(SECRET, bytes), bytes), [SECRET]);
    expect((delivery.payload as { workflow_job: { workflow_name: string } }).workflow_job.workflow_name).toBe("déploiement 🚀");
  });

  it("tells a GHES delivery signed only with SHA-1 exactly that", async () => {
    const headers = { ...deliveryHeaders(SECRET, body), "x-hub-signature-256": undefined, "x-hub-signature": "sha1=0123456789abcdef0123456789abcdef01234567" };
    const error = await readDelivery(request(headers), [SECRET]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignatureError);
    expect((error as Error).message).toMatch(/^only X-Hub-Signature \(HMAC-SHA1\) came, and Runway verifies X-Hub-Signature-256 \(HMAC-SHA256\) only/);
    expect((error as Error).message).toContain("GitHub Enterprise Server 3.0 and later send both when the webhook has a secret");
    expect((error as Error).message).not.toContain("configure the webhook with a secret");
  });

  it("checks the signature before the event header, so an unsigned probe learns nothing", async () => {
    const headers = { ...deliveryHeaders(SECRET, body), "x-github-event": undefined, "x-hub-signature-256": undefined };
    await expect(readDelivery(request(headers), [SECRET])).rejects.toBeInstanceOf(SignatureError);
  });
});

describe("readDelivery() body and headers", () => {
  it("rejects a body above 25 MiB with 413 before computing anything", async () => {
    const big = Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);
    const error = await readDelivery(request({ "x-hub-signature-256": sign(SECRET, "x") }, big), [SECRET]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ statusCode: 413 });
  });

  it("rejects malformed JSON with 400", async () => {
    const broken = '{"action": "queued", ';
    const error = await readDelivery(request(deliveryHeaders(SECRET, broken), broken), [SECRET]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedPayloadError);
    expect(error).toMatchObject({ statusCode: 400 });
  });

  it("rejects JSON that is not an object", async () => {
    await expect(readDelivery(request(deliveryHeaders(SECRET, "[1]"), "[1]"), [SECRET])).rejects.toBeInstanceOf(MalformedPayloadError);
  });

  it("rejects a missing X-GitHub-Event with 400", async () => {
    const headers = { ...deliveryHeaders(SECRET, body), "x-github-event": undefined };
    await expect(readDelivery(request(headers), [SECRET])).rejects.toBeInstanceOf(MissingHeaderError);
  });

  it("accepts a signed event Octokit does not list yet: GitHub adds event types", async () => {
    const delivery = await readDelivery(request(deliveryHeaders(SECRET, body, "some_event_github_adds_later")), [SECRET]);
    expect(isKnownEvent("some_event_github_adds_later")).toBe(false);
    expect(delivery).toMatchObject({ event: "some_event_github_adds_later", action: "queued" });
  });

  it("still refuses, with 401, an unsigned or badly signed delivery of such an event", async () => {
    const headers = { ...deliveryHeaders("wrong", body, "some_event_github_adds_later") };
    await expect(readDelivery(request(headers), [SECRET])).rejects.toBeInstanceOf(SignatureError);
    await expect(readDelivery(request({ ...headers, "x-hub-signature-256": undefined }), [SECRET])).rejects.toBeInstanceOf(SignatureError);
  });

  it("rejects with 400 an X-GitHub-Event that is not an event name at all", async () => {
    const error = await readDelivery(request(deliveryHeaders(SECRET, body, "Workflow Job; rm -rf")), [SECRET]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingHeaderError);
    expect(error).toMatchObject({ statusCode: 400 });
  });

  it("rejects a content type it does not take with 415", async () => {
    const headers = { ...deliveryHeaders(SECRET, body), "content-type": "text/plain" };
    const error = await readDelivery(request(headers), [SECRET]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(error).toMatchObject({ statusCode: 415 });
  });

  it("accepts GitHub's form-encoded payload= deliveries, verified over the form bytes", async () => {
    const form = `payload=${encodeURIComponent(body)}`;
    const headers = { ...deliveryHeaders(SECRET, form), "content-type": "application/x-www-form-urlencoded" };
    const delivery = await readDelivery(request(headers, form), [SECRET]);
    expect(delivery.action).toBe("queued");
  });

  it("rejects a form whose payload= escapes bytes that are not UTF-8, rather than reading U+FFFD", async () => {
    const form = `payload=${encodeURIComponent('{"action":"queued","note":"caf')}%E9${encodeURIComponent('"}')}`;
    const headers = { ...deliveryHeaders(SECRET, form), "content-type": "application/x-www-form-urlencoded" };
    const error = await readDelivery(request(headers, form), [SECRET]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedPayloadError);
    expect((error as Error).message).toContain("not percent-encoded UTF-8");
  });

  it("rejects a form without payload=", async () => {
    const form = "other=1";
    const headers = { ...deliveryHeaders(SECRET, form), "content-type": "application/x-www-form-urlencoded" };
    await expect(readDelivery(request(headers, form), [SECRET])).rejects.toBeInstanceOf(MalformedPayloadError);
  });
});
