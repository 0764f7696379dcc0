/**
 * Entry of the single-file build of `runway validate` (`npm run build` → .build/runway-validate.mjs),
 * for EC2/on-premises instances that have Node.js and nothing else: `node runway-validate.mjs
 * [--config FILE]` is `runway validate`. This file only wires the real process to the command.
 *
 * The CodeDeploy agent stops a script that outlives its appspec `timeout` with SIGTERM: the checks
 * stop, and the evidence gathered so far is still printed before the script exits 1.
 */
import { runValidate } from "./commands/validate.ts";
import { reportInternalError } from "./output.ts";

const terminated = new AbortController();
process.once("SIGTERM", () => terminated.abort(new Error("stopped by SIGTERM (the appspec hook's timeout?)")));

const io = { argv: process.argv.slice(2), stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd(), env: process.env };
try {
  process.exitCode = await runValidate(io, { signal: terminated.signal });
} catch (error) {
  process.exitCode = reportInternalError(io, error);
}
// A keep-alive socket or a timer left behind must not hold the hook script open once it has spoken.
setTimeout(() => process.exit(), 1_000).unref();
