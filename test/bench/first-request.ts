/**
 * Child process of the benchmark: the first request of a fresh process, which is what a cold
 * Lambda's first caller waits for. The local stack runs here; each measured run is a new Node
 * process (`node -e`, as the cold-import figure, so no TypeScript loader is timed) that imports
 * one bundle and handles one event against it:
 *
 * - the webhook's first delivery: a signed 20 KiB `workflow_job` `queued`, verified, routed and
 *   enqueued to a local SQS queue that nothing consumes, with the secret from the environment and,
 *   in a second series, from SSM (`GITHUB_WEBHOOK_SECRET_PARAMETER`);
 * - the launcher's first launch: one of those queued job messages, consumed as Lambda hands it
 *   over (ledger in dynalite, JIT config from the GitHub fake, SSM and StartBuild on the emulator).
 *
 * Each run is interleaved with a bare `node -e 0`; the figure is the median over runs minus the
 * bare median. argv: the webhook bundle, the launcher bundle, the output file.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseDocument } from "yaml";
import { median } from "./stats.ts";
import { BENCH_SECRET, twentyKbDelivery } from "./webhook-delivery.ts";

process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
const { startLocalStack } = await import("../../lib/local/stack.ts");
const { toRecord } = await import("../../lib/local/aws-emulator/services/sqs/event-source.ts");

const [webhookBundle, launcherBundle, out, runsArg] = process.argv.slice(2) as [string, string, string, string | undefined];
const RUNS = Number(runsArg ?? 15);
const BENCH_QUEUE = "runway-bench-jobs.fifo";
const SECRET_PARAMETER = "/runway/bench/github-webhook-secret";

const dir = mkdtempSync(join(tmpdir(), "runway-first-request-"));
// The sample configuration with a cap high enough not to be what is measured.
const doc = parseDocument(readFileSync(new URL("../../runway.yml", import.meta.url), "utf8"));
doc.setIn(["environments", "dev", "concurrency"], 10_000);
const config = join(dir, "runway.yml");
writeFileSync(config, doc.toString());

const stack = await startLocalStack({ port: 0, config, webhookSecret: BENCH_SECRET, print: () => {}, simulateRunners: false, slackNotifier: false, reconcileEveryMs: 3_600_000, redeliverEveryMs: 3_600_000 });
// Enqueued deliveries wait here for the launcher series instead of being launched in this process.
stack.sqs.createQueue(BENCH_QUEUE, { FifoQueue: "true", VisibilityTimeout: "360" });
stack.ssm.put(SECRET_PARAMETER, BENCH_SECRET, "SecureString");

const baseEnv: NodeJS.ProcessEnv = { ...process.env, RUNWAY_JOB_QUEUE_URL: stack.sqs.queueUrl(BENCH_QUEUE, stack.aws.url), POWERTOOLS_LOG_LEVEL: "SILENT" };
const compiled = (bundle: string) => join(bundle, "..", "runway.compiled.json");
const node = process.execPath;

/**
 * The measured process: import the bundle, hand it the event in the file, exit (keep-alive
 * sockets would hold it open; Lambda freezes it instead). Exits 1 when the event was not handled
 * as it should be, so a figure is never taken over a failure.
 */
const child = (kind: "webhook" | "launcher", bundle: string, eventFile: string) => `
const { readFileSync } = await import("node:fs");
const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
const event = JSON.parse(readFileSync(${JSON.stringify(eventFile)}, "utf8"));
const result = await handler(event, { getRemainingTimeInMillis: () => 60000, awsRequestId: "bench", functionName: "${kind}" });
const ok = ${kind === "webhook" ? "result.statusCode === 202" : "result.batchItemFailures?.length === 0"};
if (!ok) console.error("first ${kind} request answered " + JSON.stringify(result));
process.exit(ok ? 0 : 1);`;

/** Wall time of a command in a fresh process; asynchronous, so this process's services answer it. */
async function time(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const start = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) =>
    execFile(node, args, { env }, (error, _stdout, stderr) => (error ? reject(new Error(`${args.join(" ")}: ${stderr || error.message}`)) : resolve())),
  );
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const bare: number[] = [];
async function series(kind: "webhook" | "launcher", bundle: string, env: NodeJS.ProcessEnv, event: (i: number) => unknown): Promise<number[]> {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const file = join(dir, `${kind}-${i}-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(event(i)));
    bare.push(await time(["-e", "0"], env));
    runs.push(await time(["--input-type=module", "-e", child(kind, bundle, file)], { ...env, RUNWAY_CONFIG: compiled(bundle) }));
  }
  return runs;
}

const deliveryEvent = (jobId: number) => {
  const { body, headers } = twentyKbDelivery({ id: jobId, runId: jobId });
  stack.github.actions.observeQueued(JSON.parse(body));
  return { version: "2.0", headers, body, isBase64Encoded: false, requestContext: { http: { method: "POST" } } };
};
const envSecret = await series("webhook", webhookBundle, baseEnv, (i) => deliveryEvent(500_001 + i));
const ssmEnv: NodeJS.ProcessEnv = { ...baseEnv, GITHUB_WEBHOOK_SECRET_PARAMETER: SECRET_PARAMETER };
delete ssmEnv.GITHUB_WEBHOOK_SECRET;
const ssmSecret = await series("webhook", webhookBundle, ssmEnv, (i) => deliveryEvent(600_001 + i));

const queue = stack.sqs.queue(BENCH_QUEUE)!;
const queued = stack.sqs.messages(BENCH_QUEUE);
if (queued.length !== 2 * RUNS) throw new Error(`${queued.length} job messages enqueued, expected ${2 * RUNS}`);
const buildsBefore = stack.codebuild.builds().length;
const launch = await series("launcher", launcherBundle, process.env, (i) => ({ Records: [toRecord(queued[i]!, queue)] }));
const launched = stack.codebuild.builds().length - buildsBefore;
await stack.stop();
if (launched !== RUNS) throw new Error(`${launched} builds started by ${RUNS} first launches`);

const bareMs = median(bare);
writeFileSync(out, JSON.stringify({ runs: RUNS, bareMs, envSecretMs: median(envSecret) - bareMs, ssmSecretMs: median(ssmSecret) - bareMs, launchMs: median(launch) - bareMs }));
process.exit(0);
