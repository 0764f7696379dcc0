/**
 * The bytes of a configuration file → its text. YAML files are UTF-8, or UTF-16 as YAML 1.2
 * allows (a Windows editor's "Unicode"); anything else is refused where it goes wrong, so that a
 * Latin-1 `é` is never read as U+FFFD and a UTF-16 file is never read as one long string.
 */
import type { ConfigProblem } from "./errors.ts";

/** A problem without its file: the caller names the file. */
export type TextProblem = Omit<ConfigProblem, "file" | "field">;

const SAVE_AS_UTF8 = "save it as UTF-8";

/**
 * Decode a configuration file: UTF-8 (with or without a byte order mark) or UTF-16 (with a byte
 * order mark, or recognised by its zero bytes as YAML 1.2 §5.2 does).
 *
 * @returns the text, or the problem that stops it being read.
 * @example
 * decodeConfigText(readFileSync("runway.yml")); // { text: "environments:\n…" }
 */
export function decodeConfigText(bytes: Uint8Array): { text: string } | { problem: TextProblem } {
  const encoding = detectEncoding(bytes);
  if (encoding === "utf-32") {
    return { problem: { line: 1, column: 1, message: `the file is UTF-32, which Runway does not read: ${SAVE_AS_UTF8}` } };
  }
  try {
    // The decoder drops a byte order mark; `fatal` refuses what is not the encoding.
    return { text: new TextDecoder(encoding, { fatal: true }).decode(bytes) };
  } catch {
    if (encoding !== "utf-8") {
      return { problem: { line: 1, column: 1, message: `the file looks like ${encoding.toUpperCase()} but is not valid ${encoding.toUpperCase()}: ${SAVE_AS_UTF8}` } };
    }
    return { problem: invalidUtf8(bytes) };
  }
}

function detectEncoding(bytes: Uint8Array): "utf-8" | "utf-16le" | "utf-16be" | "utf-32" {
  const [b0, b1, b2, b3] = bytes;
  if ((b0 === 0 && b1 === 0) || (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) || (b0 !== 0 && b1 === 0 && b2 === 0 && b3 === 0)) return "utf-32";
  // Without a byte order mark, YAML text starts with ASCII: every other byte is zero.
  const ascii16 = (zero: 0 | 1) => bytes.length >= 4 && bytes[zero] === 0 && bytes[zero + 2] === 0 && bytes[1 - zero] !== 0;
  if ((b0 === 0xfe && b1 === 0xff) || ascii16(0)) return "utf-16be";
  if ((b0 === 0xff && b1 === 0xfe) || ascii16(1)) return "utf-16le";
  return "utf-8";
}

/** Where the first byte that is not UTF-8 sits, by line, column and byte offset. */
function invalidUtf8(bytes: Uint8Array): TextProblem {
  const offset = firstInvalidUtf8(bytes);
  const before = Buffer.from(bytes.subarray(0, offset)).toString("utf8");
  const lineStart = before.lastIndexOf("\n") + 1;
  const line = before.slice(0, lineStart).split("\n").length;
  const column = [...before.slice(lineStart)].length + 1;
  const byte = bytes[offset]!.toString(16).toUpperCase().padStart(2, "0");
  return {
    line,
    column,
    message: `not UTF-8: byte 0x${byte} at byte offset ${offset} is not part of a UTF-8 character (a Latin-1 or Windows-1252 file looks like this): ${SAVE_AS_UTF8}`,
  };
}

/**
 * The offset of the first byte that does not decode. The lenient decoder turns each bad sequence
 * into U+FFFD; the first U+FFFD not written as its own three bytes (EF BF BD) marks it.
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let offset = 0;
  for (const char of Buffer.from(bytes).toString("utf8")) {
    if (char === "\uFFFD" && !(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) return offset;
    offset += Buffer.byteLength(char);
  }
  return Math.max(0, bytes.length - 1);
}
