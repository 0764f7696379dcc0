/**
 * The EMF documents Runway's metrics write, read in-process: the local stack prints them and tests
 * assert on them. Powertools writes each flush as one JSON line through a Console of its own on
 * stdout (in Lambda, the function's log, where CloudWatch extracts the metrics); `captureEmf`
 * swaps that Console for one writing to a sink that hands each line back parsed. Nothing else
 * changes: the same Metrics instance, the same serialisation, the same flush.
 */
import { Console } from "node:console";
import { Writable } from "node:stream";
import type { EmfOutput } from "@aws-lambda-powertools/metrics/types";
import { metrics } from "./metrics.ts";

/** One EMF document as Powertools serialises it: `_aws` metadata, dimension values and figures at the top level. */
export type EmfDocument = EmfOutput;

/**
 * Send every EMF document flushed from now on to `onDocument` instead of stdout, until the
 * returned function is called. Writing is synchronous: when `publishStoredMetrics()` (or the
 * `logMetrics` middleware) returns, `onDocument` has seen the document.
 *
 * @example
 * const seen: EmfDocument[] = [];
 * const release = captureEmf((doc) => seen.push(doc));
 * // … invoke a handler …
 * release();
 */
export function captureEmf(onDocument: (document: EmfDocument) => void): () => void {
  // `console` is private in Powertools' types, and the one place its EMF lines go: swapped, not patched.
  const target = metrics as unknown as { console: Console };
  const previous = target.console;
  let pending = "";
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pending += String(chunk);
      for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
        const line = pending.slice(0, end).trim();
        pending = pending.slice(end + 1);
        if (line) deliver(line, onDocument);
      }
      done();
    },
  });
  target.console = new Console({ stdout: sink, stderr: process.stderr });
  return () => {
    target.console = previous;
  };
}

/** A reader that throws must not break the function's flush: it is told on stderr instead. */
function deliver(line: string, onDocument: (document: EmfDocument) => void): void {
  try {
    onDocument(JSON.parse(line) as EmfDocument);
  } catch (error) {
    process.stderr.write(`captureEmf: could not hand an EMF line on (${(error as Error).message})\n`);
  }
}
