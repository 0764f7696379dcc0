/** API Gateway's event → the bytes the signature is over: base64 bodies decoded, never re-read as text. */
import { describe, expect, it } from "vitest";
import { rawRequest } from "../../../lib/http/raw-request.ts";

describe("rawRequest()", () => {
  it("hands a base64 body over as its exact bytes, an invalid UTF-8 byte included", () => {
    const bytes = Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d, 0xf0, 0x9f, 0x9a, 0x80]);
    const request = rawRequest({ headers: { "X-Hub-Signature-256": "sha256=…" }, body: bytes.toString("base64"), isBase64Encoded: true } as never);
    expect(request.body.equals(bytes)).toBe(true);
    expect(request.headers).toEqual({ "x-hub-signature-256": "sha256=…" });
  });

  it("hands a text body over as its UTF-8 bytes, and a missing one as none", () => {
    expect(rawRequest({ headers: {}, body: "zoë 🚀", isBase64Encoded: false } as never).body.equals(Buffer.from("zoë 🚀"))).toBe(true);
    expect(rawRequest({ headers: {}, isBase64Encoded: false } as never).body.length).toBe(0);
  });
});
