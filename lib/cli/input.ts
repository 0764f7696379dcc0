/** Reading what a command is given: a file, or stdin when the argument is `-`. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { CommandIo } from "./command.ts";
import { UsageError } from "./errors.ts";
import { parseDeliveryBody, sniffContentType } from "../github/delivery-body.ts";
import { MalformedPayloadError } from "../github/errors.ts";

/**
 * The text of `path` (resolved against the command's cwd), or all of stdin for `-`.
 *
 * @throws UsageError when the file cannot be read.
 */
export async function readInput(io: Pick<CommandIo, "cwd" | "stdin">, path: string): Promise<string> {
  return (await readInputBytes(io, path)).toString("utf8");
}

/**
 * The bytes of `path` (resolved against the command's cwd), or all of stdin for `-`.
 *
 * @throws UsageError when the file cannot be read.
 */
export async function readInputBytes(io: Pick<CommandIo, "cwd" | "stdin">, path: string): Promise<Buffer> {
  if (path === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(resolve(io.cwd, path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "file not found" : code === "EISDIR" ? "is a directory" : (error as Error).message;
    throw new UsageError(`${path}: ${why}`, { cause: error });
  }
}

/**
 * A saved webhook delivery body, decoded as the webhook decodes it: JSON, or the form-encoded
 * `payload=` body of a webhook set to `application/x-www-form-urlencoded`.
 *
 * @throws UsageError naming the file when it cannot be read or is not a delivery body.
 */
export async function readDeliveryInput(io: Pick<CommandIo, "cwd" | "stdin">, path: string): Promise<object> {
  const body = await readInputBytes(io, path);
  try {
    return parseDeliveryBody(body, sniffContentType(body));
  } catch (error) {
    if (error instanceof MalformedPayloadError) throw new UsageError(`${path === "-" ? "stdin" : path}: ${error.message}`, { cause: error });
    throw error;
  }
}
