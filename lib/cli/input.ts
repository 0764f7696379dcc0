/** Reading what a command is given: a file, or stdin when the argument is `-`. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { CommandIo } from "./command.ts";
import { UsageError } from "./errors.ts";

/**
 * The text of `path` (resolved against the command's cwd), or all of stdin for `-`.
 *
 * @throws UsageError when the file cannot be read.
 */
export async function readInput(io: Pick<CommandIo, "cwd" | "stdin">, path: string): Promise<string> {
  if (path === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
    return Buffer.concat(chunks).toString("utf8");
  }
  try {
    return await readFile(resolve(io.cwd, path), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "file not found" : code === "EISDIR" ? "is a directory" : (error as Error).message;
    throw new UsageError(`${path}: ${why}`, { cause: error });
  }
}

/**
 * `path` parsed as JSON.
 *
 * @throws UsageError naming the file when it cannot be read or is not JSON.
 */
export async function readJsonInput(io: Pick<CommandIo, "cwd" | "stdin">, path: string): Promise<unknown> {
  const text = await readInput(io, path);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path === "-" ? "stdin" : path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
}
