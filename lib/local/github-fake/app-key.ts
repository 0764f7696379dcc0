/**
 * The GitHub App's key pair and JWTs, as the local fake sees them: a key pair generated for local
 * use (PKCS#1 PEM, the format GitHub's "Generate a private key" downloads), and the check GitHub
 * makes of the JWT an App signs to ask for an installation token.
 */
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from "node:crypto";

export interface LocalAppKey {
  /** PEM (`-----BEGIN RSA PRIVATE KEY-----`): what `GITHUB_APP_PRIVATE_KEY` holds locally. */
  privateKey: string;
  /** PEM (SPKI): what the fake verifies JWTs against. */
  publicKey: string;
}

/**
 * A fresh RSA key pair for a local GitHub App. Local and test use only.
 *
 * @example
 * const key = generateLocalAppKey();
 * const github = createGitHubFake({ app: { id: 1, publicKey: key.publicKey } });
 * process.env.GITHUB_APP_PRIVATE_KEY = key.privateKey;
 */
export function generateLocalAppKey(): LocalAppKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { privateKey, publicKey };
}

/** The public half of a PEM key (public or private) or a KeyObject. */
export function publicKeyOf(key: string | KeyObject): KeyObject {
  return createPublicKey(key);
}

/** Why GitHub would refuse the JWT (its own wording), or the verified claims. */
export type JwtCheck = { ok: true; iss: string; iat: number; exp: number } | { ok: false; message: string };

const UNDECODABLE = "A JSON web token could not be decoded";
/** GitHub refuses a JWT that lives longer than ten minutes. */
const MAX_LIFETIME_SECONDS = 600;
/** Clock drift tolerated between the App and GitHub. */
const SKEW_SECONDS = 60;

/**
 * Check an App JWT as GitHub does: RS256, signed by the App's key, `iss` the App's id, `exp` in the
 * future but at most ten minutes away, `iat` not in the future.
 */
export function verifyAppJwt(jwt: string, publicKey: KeyObject, appId: number | string, nowSeconds = Math.floor(Date.now() / 1000)): JwtCheck {
  const parts = jwt.split(".");
  if (parts.length !== 3) return { ok: false, message: UNDECODABLE };
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeJson(encodedHeader);
  const payload = decodeJson(encodedPayload);
  if (!header || !payload || header.alg !== "RS256") return { ok: false, message: UNDECODABLE };
  const signed = verify("sha256", Buffer.from(`${encodedHeader}.${encodedPayload}`), publicKey, Buffer.from(encodedSignature, "base64url"));
  if (!signed) return { ok: false, message: UNDECODABLE };
  const { iss, iat, exp } = payload;
  if (typeof iat !== "number" || !Number.isInteger(iat) || iat > nowSeconds + SKEW_SECONDS) {
    return { ok: false, message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued." };
  }
  if (typeof exp !== "number" || exp <= nowSeconds) {
    return { ok: false, message: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires." };
  }
  if (exp > nowSeconds + MAX_LIFETIME_SECONDS + SKEW_SECONDS) {
    return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future." };
  }
  if (String(iss) !== String(appId)) return { ok: false, message: "'Issuer' claim ('iss') must be an Integer representing the App's id." };
  return { ok: true, iss: String(iss), iat, exp };
}

/**
 * The `iss` claim of a JWT, read without checking the signature: which App's key to check it with
 * when several Apps call the same GitHub. Undefined when the token cannot be decoded.
 */
export function jwtIssuer(jwt: string): string | undefined {
  const iss = decodeJson(jwt.split(".")[1] ?? "")?.iss;
  return typeof iss === "number" || typeof iss === "string" ? String(iss) : undefined;
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
