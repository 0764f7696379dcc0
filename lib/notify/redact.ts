/**
 * The secret scrubber every outgoing Slack payload goes through. Two nets: the values of the
 * secrets this deployment knows (webhook secret, Slack token, GitHub App key …), and the shapes
 * of well-known credentials, which catch a token nobody told us about (one printed by a job into
 * its own log excerpt, say).
 *
 * Secrets should never be in an event in the first place; this is the last line, not the only one.
 */

export const REDACTED = "[redacted]";

/**
 * Known values shorter than this are not scrubbed: replacing every "test" or "dev" in a message
 * would wreck it while protecting nothing worth protecting.
 */
export const MIN_SECRET_LENGTH = 8;

/** [pattern, replacement]: a replacement keeps the harmless prefix so the message still reads. */
const PATTERNS: Array<[RegExp, string]> = [
  // PEM private keys, also cut off (a log excerpt may end mid-key).
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, REDACTED],
  // GitHub tokens: personal (ghp_), OAuth (gho_), user-to-server (ghu_), installation (ghs_), refresh (ghr_).
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, REDACTED],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, REDACTED],
  // Slack tokens (bot, user, app-level, refresh, config) and incoming-webhook URLs.
  [/\bxox[abposre]-[A-Za-z0-9-]{8,}/g, REDACTED],
  [/\bxapp-[A-Za-z0-9-]{8,}/g, REDACTED],
  [/https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[^\s|>"'<]+/g, REDACTED],
  // AWS access key ids, except inside a presigned URL's X-Amz-Credential, which is meant to be
  // shared (it is useless without the secret key) and without which the artifact link breaks.
  [/(?<!X-Amz-Credential=)\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, REDACTED],
  [/\b(aws_secret_access_key|aws_session_token)(\s*[=:]\s*)\S+/gi, `$1$2${REDACTED}`],
  // JWTs (GitHub App JWTs, OIDC tokens) and long base64 JSON objects, such as an encoded JIT
  // runner config (`{".runner":…` encodes as eyIu…, `{"a…` as eyJ…).
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, REDACTED],
  [/\bey[IJ][A-Za-z0-9+/_-]{60,}={0,2}/g, REDACTED],
  [/(--jitconfig[\s=]+)\S+/gi, `$1${REDACTED}`],
  [/\b([A-Z_]*JIT_?CONFIG[A-Z_]*)(\s*[=:]\s*)\S+/gi, `$1$2${REDACTED}`],
  [/\b(Bearer|token)(\s+)[A-Za-z0-9._~+/-]{20,}=*/gi, `$1$2${REDACTED}`],
];

export interface Redactor {
  /** The text with every known secret value and credential-shaped string replaced by `[redacted]`. */
  text(value: string): string;
  /** A deep copy of a JSON-like value with every string scrubbed. */
  payload<T>(value: T): T;
}

/** Every form a secret can take in a message: itself, its lines, escaped into JSON or a URL. */
function variants(secrets: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const secret of secrets) {
    const value = secret.trim();
    if (value.length < MIN_SECRET_LENGTH) continue;
    out.add(value);
    out.add(JSON.stringify(value).slice(1, -1));
    out.add(encodeURIComponent(value));
    // Each line of a multi-line secret (a PEM key's body, a rotation list) on its own too.
    for (const line of value.split(/\r?\n/)) {
      if (line.trim().length >= MIN_SECRET_LENGTH) out.add(line.trim());
    }
  }
  // Longest first, so a secret is replaced whole before one of its lines would split it.
  return [...out].sort((a, b) => b.length - a.length);
}

/**
 * Build a scrubber for a set of known secret values.
 *
 * @example
 * const redact = createRedactor([process.env.GITHUB_WEBHOOK_SECRET ?? ""]);
 * redact.text("token ghs_16C7e42F292c6912E7710c838347Ae178B4a"); // "token [redacted]"
 */
export function createRedactor(secretValues: Iterable<string> = []): Redactor {
  const known = variants(secretValues);
  const text = (value: string): string => {
    let out = value;
    for (const secret of known) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    return out;
  };
  const deep = (value: unknown): unknown => {
    if (typeof value === "string") return text(value);
    if (Array.isArray(value)) return value.map(deep);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, deep(inner)]));
    }
    return value;
  };
  return { text, payload: <T>(value: T) => deep(value) as T };
}

/** True when a URL survived scrubbing intact, so it can still be a link or a button. */
export function isIntactUrl(url: string): boolean {
  return /^https?:\/\/[^\s]+$/.test(url) && !url.includes(REDACTED);
}
