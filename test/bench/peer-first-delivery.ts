/**
 * Runway's first enqueued delivery beside the leading peer's (terraform-aws-github-runner's
 * webhook Lambda, bundled as Runway bundles: test/bench/peer/build-peer.sh), measured as
 * first-request.ts measures Runway's: each run is a fresh `node -e` process that imports a bundle
 * and hands it one signed 20 KiB `workflow_job` `queued` delivery as API Gateway would, against
 * the local stack's SQS and SSM (the peer deployed there as its Terraform module deploys it:
 * peer/deployment.ts). Every measured delivery must really be enqueued, or no figure is written.
 *
 * Series, interleaved run by run (the order rotated each run) so a busy machine slows all alike:
 * a bare `node -e 0`; the peer's cold import and first delivery (secret and matcher config from
 * SSM, as the peer always reads them); Runway's cold import and first delivery with the secret
 * from the environment and from SSM. Figures are medians minus the bare median, with quartiles.
 *
 * Skips (exit 0, `{ "skipped": why }` in the output file) unless RUNWAY_PEER_BUNDLE names the
 * peer's built index.mjs: CI has no GitHub network and never builds the peer.
 *
 * Run: RUNWAY_PEER_BUNDLE=/tmp/peer/build/webhook/index.mjs node test/bench/peer-first-delivery.ts
 *      [Runway's webhook index.mjs (default: bundled afresh)] [output file] [runs (15)]
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { bundleFunction } from "../../lib/build/bundle.ts";
import { percentile } from "./stats.ts";

/** A median and quartiles, in ms over the bare `node -e 0` median. */
export interface OverBare {
  medianMs: number;
  p25Ms: number;
  p75Ms: number;
}

type Series = "peerImport" | "peerDelivery" | "runwayImport" | "runwayEnvSecret" | "runwaySsmSecret";

/** One measure (wall or CPU time) of every series, over the bare `node -e` median, and the ratios. */
export type Figures = { bareMs: number; ratios: { firstDeliveryEnvSecret: number; firstDeliverySsmSecret: number; coldImport: number } } & Record<Series, OverBare>;

/** The peer's bundle as bundle-peer.ts measured it: cold-start code, code loaded on demand, cold gzipped. */
export interface PeerBundleSize {
  bytes: number;
  lazyBytes: number;
  gzipBytes: number;
}

/** What the output file holds: the figures, or why there are none. Ratios are Runway's median over the peer's. */
export type PeerFirstDeliveryFigures =
  | { skipped: string }
  | {
      runs: number;
      wall: Figures;
      /** The measured processes' own CPU time: steadier than wall time on a machine other work shares. */
      cpu: Figures;
      peerBundle: PeerBundleSize | undefined;
      /** The AWS calls each series' first run sent ("ssm GetParameter", …), as the emulator recorded them. */
      firstCalls: Partial<Record<Series, string[]>>;
      samples: Record<Series | "bare", { wallMs: number; cpuMs: number }[]>;
    };

const [runwayArg, outArg, runsArg] = process.argv.slice(2);
const out = outArg ?? join(mkdtempSync(join(tmpdir(), "runway-peer-")), "peer-first-delivery.json");
const peerBundle = process.env.RUNWAY_PEER_BUNDLE;
const skipReason = !peerBundle
  ? "RUNWAY_PEER_BUNDLE is not set; build the peer with test/bench/peer/build-peer.sh and point it at the index.mjs it prints"
  : !existsSync(peerBundle)
    ? `RUNWAY_PEER_BUNDLE=${peerBundle} does not exist; rebuild it with test/bench/peer/build-peer.sh`
    : undefined;
if (skipReason) {
  console.log(`peer first delivery: skipped (${skipReason})`);
  writeFileSync(out, JSON.stringify({ skipped: skipReason } satisfies PeerFirstDeliveryFigures));
  process.exit(0);
}
// Bundled here unless given: .build/ is rebuilt by every `npm run build`, which may land mid-series.
const scratch = mkdtempSync(join(tmpdir(), "runway-peer-first-delivery-"));
const runwayBundle = runwayArg ? resolve(runwayArg) : (await bundleFunction("github-webhook", join(scratch, "build"))).file;
if (!existsSync(runwayBundle)) throw new Error(`${runwayBundle} does not exist: pass Runway's built webhook index.mjs (npm run build writes .build/github-webhook/index.mjs)`);
const RUNS = Number(runsArg ?? 15);

process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
const { startLocalStack } = await import("../../lib/local/stack.ts");
const { deployPeer, peerDeliveryEvent, PEER_HANDLER, PEER_QUEUE } = await import("./peer/deployment.ts");
const { BENCH_SECRET, twentyKbDelivery } = await import("./webhook-delivery.ts");

const RUNWAY_QUEUE = "runway-bench-jobs.fifo";
const RUNWAY_SECRET_PARAMETER = "/runway/bench/github-webhook-secret";
const stack = await startLocalStack({ port: 0, webhookSecret: BENCH_SECRET, print: () => {}, simulateRunners: false, slackNotifier: false, reconcileEveryMs: 3_600_000, redeliverEveryMs: 3_600_000 });
stack.sqs.createQueue(RUNWAY_QUEUE, { FifoQueue: "true", VisibilityTimeout: "360" });
stack.ssm.put(RUNWAY_SECRET_PARAMETER, BENCH_SECRET, "SecureString");
const peer = deployPeer(stack);

const runwayEnv: NodeJS.ProcessEnv = { ...process.env, RUNWAY_JOB_QUEUE_URL: stack.sqs.queueUrl(RUNWAY_QUEUE, stack.aws.url), RUNWAY_CONFIG: join(dirname(runwayBundle), "runway.compiled.json"), POWERTOOLS_LOG_LEVEL: "SILENT" };
const runwaySsmEnv: NodeJS.ProcessEnv = { ...runwayEnv, GITHUB_WEBHOOK_SECRET_PARAMETER: RUNWAY_SECRET_PARAMETER };
delete runwaySsmEnv.GITHUB_WEBHOOK_SECRET;

/**
 * The measured process: import the bundle, hand it the event in the file, exit at once (Lambda
 * freezes the process instead; keep-alive sockets would hold it open). Exits 1 unless the
 * handler answered that it enqueued the job, so no figure is taken over a failure. Every child
 * prints its own CPU time last (reportCpu).
 */
const reportCpu = `process.stdout.write("\\n" + JSON.stringify(process.cpuUsage()));`;
const deliver = (bundle: string, handler: string, accepted: string, eventFile: string) => `
const { readFileSync } = await import("node:fs");
const { ${handler}: handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
const event = JSON.parse(readFileSync(${JSON.stringify(eventFile)}, "utf8"));
const result = await handler(event, { getRemainingTimeInMillis: () => 60000, awsRequestId: "bench", functionName: "webhook" });
const ok = ${accepted};
if (!ok) console.error("first delivery answered " + JSON.stringify(result));
${reportCpu}
process.exit(ok ? 0 : 1);`;
const importOnly = (bundle: string) => `await import(${JSON.stringify(pathToFileURL(bundle).href)}); ${reportCpu}`;

interface Sample {
  wallMs: number;
  /** The child's own user + system CPU time: less inflated than wall time by other work on a busy machine (not immune: caches are shared). */
  cpuMs: number;
}

/** Wall and CPU time of a fresh `node` process; asynchronous, so this process's services answer it. */
async function time(what: string, args: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const start = process.hrtime.bigint();
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, args, { env }, (error, stdout, stderr) => (error ? reject(new Error(`${what} failed, so no figure is written: ${stderr || error.message}`)) : resolve(stdout))),
  );
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const { user, system } = JSON.parse(stdout.slice(stdout.lastIndexOf("\n") + 1)) as NodeJS.CpuUsage;
  return { wallMs, cpuMs: (user + system) / 1000 };
}
const eventFile = (name: string, event: unknown) => {
  const file = join(scratch, `${name}.json`);
  writeFileSync(file, JSON.stringify(event));
  return file;
};
const runwayEvent = (jobId: number) => {
  const { body, headers } = twentyKbDelivery({ id: jobId, runId: jobId });
  stack.github.actions.observeQueued(JSON.parse(body));
  return { version: "2.0", headers, body, isBase64Encoded: false, requestContext: { http: { method: "POST" } } };
};

const samples: Record<Series | "bare", Sample[]> = { bare: [], peerImport: [], peerDelivery: [], runwayImport: [], runwayEnvSecret: [], runwaySsmSecret: [] };
/** The AWS calls each kind of first delivery sent, from the emulator's record of its first run. */
const firstCalls: Partial<Record<Series, string[]>> = {};
const peerJobs: number[] = [];

const module = (script: string) => ["--input-type=module", "-e", script];
const measure: Record<Series | "bare", (i: number) => Promise<Sample>> = {
  bare: () => time("bare node -e", ["-e", reportCpu], runwayEnv),
  peerImport: () => time("the peer's cold import", module(importOnly(peerBundle!)), peer.env),
  peerDelivery: (i) => {
    const jobId = 700_001 + i;
    peerJobs.push(jobId);
    const accepted = `result.statusCode === 201 && result.body.startsWith("Successfully queued job")`;
    return time(`the peer's first delivery (job ${jobId})`, module(deliver(peerBundle!, PEER_HANDLER, accepted, eventFile(`peer-${i}`, peerDeliveryEvent(jobId)))), peer.env);
  },
  runwayImport: () => time("Runway's cold import", module(importOnly(runwayBundle)), runwayEnv),
  runwayEnvSecret: (i) => time("Runway's first delivery, secret in env", module(deliver(runwayBundle, "handler", "result.statusCode === 202", eventFile(`runway-env-${i}`, runwayEvent(500_001 + i)))), runwayEnv),
  runwaySsmSecret: (i) => time("Runway's first delivery, secret in SSM", module(deliver(runwayBundle, "handler", "result.statusCode === 202", eventFile(`runway-ssm-${i}`, runwayEvent(600_001 + i)))), runwaySsmEnv),
};
const order = Object.keys(measure) as (Series | "bare")[];
try {
  for (let i = 0; i < RUNS; i++) {
    for (let k = 0; k < order.length; k++) {
      const series = order[(i + k) % order.length]!;
      const before = stack.aws.calls.length;
      samples[series].push(await measure[series](i));
      if (i === 0 && series !== "bare") firstCalls[series] = stack.aws.calls.slice(before).map((c) => `${c.service} ${c.operation}${c.error ? ` (${c.error})` : ""}`);
    }
  }
  // The figure is only worth something if every first delivery really enqueued its job.
  const peerMessages = stack.sqs.messages(PEER_QUEUE).map((m) => JSON.parse(m.body) as { id: number; queueId: string });
  const peerEnqueued = new Set(peerMessages.filter((m) => m.queueId === peer.queueUrl).map((m) => m.id));
  const missing = peerJobs.filter((id) => !peerEnqueued.has(id));
  if (peerMessages.length !== RUNS || missing.length > 0) throw new Error(`the peer enqueued ${peerMessages.length} messages for ${RUNS} deliveries; jobs missing: ${missing.join(", ") || "none"}`);
  const runwayMessages = stack.sqs.messages(RUNWAY_QUEUE).length;
  if (runwayMessages !== 2 * RUNS) throw new Error(`Runway enqueued ${runwayMessages} job messages for ${2 * RUNS} deliveries`);
} finally {
  await stack.stop();
  rmSync(scratch, { recursive: true, force: true });
}

const series = order.filter((s): s is Series => s !== "bare");
const overBare = (pick: (s: Sample) => number): Figures => {
  const bare = percentile(samples.bare.map(pick), 50);
  const over = (values: number[]): OverBare => ({ medianMs: percentile(values, 50) - bare, p25Ms: percentile(values, 25) - bare, p75Ms: percentile(values, 75) - bare });
  const ratio = (a: number, b: number) => Number((a / b).toFixed(3));
  const f = Object.fromEntries(series.map((s) => [s, over(samples[s].map(pick))])) as Record<Series, OverBare>;
  return {
    bareMs: bare,
    ...f,
    ratios: {
      firstDeliveryEnvSecret: ratio(f.runwayEnvSecret.medianMs, f.peerDelivery.medianMs),
      firstDeliverySsmSecret: ratio(f.runwaySsmSecret.medianMs, f.peerDelivery.medianMs),
      coldImport: ratio(f.runwayImport.medianMs, f.peerImport.medianMs),
    },
  };
};
const bundleFile = join(dirname(peerBundle!), "bundle.json");
const result: PeerFirstDeliveryFigures = {
  runs: RUNS,
  wall: overBare((s) => s.wallMs),
  cpu: overBare((s) => s.cpuMs),
  peerBundle: existsSync(bundleFile) ? (JSON.parse(readFileSync(bundleFile, "utf8")) as PeerBundleSize) : undefined,
  firstCalls,
  samples,
};
writeFileSync(out, JSON.stringify(result, null, 2));

const print = (what: string, figures: Figures) => {
  console.log(`${what}, over a bare node -e (${figures.bareMs.toFixed(1)} ms); medians of ${RUNS} interleaved runs (quartiles)`);
  const row = (name: string, f: OverBare) => console.log(`  ${name.padEnd(46)} ${f.medianMs.toFixed(1).padStart(7)} ms  (${f.p25Ms.toFixed(1)}–${f.p75Ms.toFixed(1)})`);
  row("peer cold import", figures.peerImport);
  row("peer first enqueued delivery (secret in SSM)", figures.peerDelivery);
  row("Runway cold import", figures.runwayImport);
  row("Runway first enqueued delivery, secret in env", figures.runwayEnvSecret);
  row("Runway first enqueued delivery, secret in SSM", figures.runwaySsmSecret);
  const r = figures.ratios;
  console.log(`  Runway / peer: first delivery ${r.firstDeliveryEnvSecret}× (env), ${r.firstDeliverySsmSecret}× (SSM); cold import ${r.coldImport}×`);
};
print("Wall time", result.wall);
print("CPU time of the process", result.cpu);
console.log(`written to ${out}`);
process.exit(0);
