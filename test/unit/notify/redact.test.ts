import { describe, expect, it } from "vitest";
import { createRedactor, REDACTED } from "../../../lib/notify/redact.ts";

const pem = [
  "-----BEGIN RSA PRIVATE KEY-----",
  "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB",
  "aFDrBz9vFqU4yN4s3p2fJ2b6m2n4YbB9o3W0aVb1YbZr0b4zF4lQm8y2bH3d9Q7e",
  "-----END RSA PRIVATE KEY-----",
].join("\n");

describe("createRedactor", () => {
  it("replaces known secret values, also escaped into JSON or a URL and line by line", () => {
    const redact = createRedactor(["whsec-0123456789abcdef", "p@ss word/with&chars", pem]);
    expect(redact.text("secret is whsec-0123456789abcdef!")).toBe(`secret is ${REDACTED}!`);
    expect(redact.text(`q=${encodeURIComponent("p@ss word/with&chars")}`)).toBe(`q=${REDACTED}`);
    expect(redact.text(JSON.stringify({ key: pem }))).not.toContain("MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn");
    // A single line of the key leaking (a log excerpt cut in the middle) is caught too.
    expect(redact.text("…aFDrBz9vFqU4yN4s3p2fJ2b6m2n4YbB9o3W0aVb1YbZr0b4zF4lQm8y2bH3d9Q7e…")).toBe(`…${REDACTED}…`);
  });

  it("ignores known values too short to be secrets rather than wrecking the message", () => {
    expect(createRedactor(["dev", "test"]).text("deploy to dev, then test")).toBe("deploy to dev, then test");
  });

  it.each([
    ["a GitHub installation token", "token ghs_16C7e42F292c6912E7710c838347Ae178B4a", "token [redacted]"],
    ["a GitHub personal token", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", REDACTED],
    ["a fine-grained PAT", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", REDACTED],
    ["a Slack bot token", "SLACK=xoxb-1234-5678-abcdefghijkl", `SLACK=${REDACTED}`],
    ["a Slack webhook URL", "posted to https://hooks.slack.com/services/T000/B000/XXXXXXXX now", `posted to ${REDACTED} now`],
    ["an AWS access key id", "key AKIAIOSFODNN7EXAMPLE used", `key ${REDACTED} used`],
    ["an AWS secret key assignment", "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", `aws_secret_access_key=${REDACTED}`],
    ["a JWT", "Authorization: eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxMjM0NSJ9.c2lnbmF0dXJlLXZhbHVl", `Authorization: ${REDACTED}`],
    ["a bearer token", "curl -H 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345'", `curl -H 'Authorization: Bearer ${REDACTED}'`],
    ["a --jitconfig argument", "./run.sh --jitconfig ZXhhbXBsZQ==", `./run.sh --jitconfig ${REDACTED}`],
    ["a JIT config variable", "ACTIONS_RUNNER_INPUT_JITCONFIG=abc123", `ACTIONS_RUNNER_INPUT_JITCONFIG=${REDACTED}`],
  ])("redacts %s", (_name, input, expected) => {
    expect(createRedactor().text(input)).toBe(expected);
  });

  it("redacts an encoded JIT runner config (base64 JSON)", () => {
    const jit = Buffer.from(JSON.stringify({ ".runner": "x".repeat(40), ".credentials": "y".repeat(40) })).toString("base64");
    expect(createRedactor().text(`config: ${jit}`)).toBe(`config: ${REDACTED}`);
  });

  it("redacts a private key even when the excerpt ends before its END line", () => {
    const cut = "log:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU";
    expect(createRedactor().text(cut)).toBe(`log:\n${REDACTED}`);
  });

  it("keeps a presigned artifact URL working: its X-Amz-Credential is meant to be shared", () => {
    const url =
      "https://bucket.s3.eu-west-1.amazonaws.com/a/report.html?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAIOSFODNN7EXAMPLE%2F20250101%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Signature=abc";
    expect(createRedactor().text(url)).toBe(url);
  });

  it("scrubs every string of a payload and leaves the input untouched", () => {
    const input = { text: "ghp_abcdefghijklmnopqrstuvwxyz0123456789", blocks: [{ fields: ["ok", "xoxb-1234-5678-abcdefghijkl"] }], n: 3 };
    const out = createRedactor().payload(input);
    expect(out).toEqual({ text: REDACTED, blocks: [{ fields: ["ok", REDACTED] }], n: 3 });
    expect(input.text).toBe("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
  });
});
