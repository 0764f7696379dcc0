/**
 * Child process of the benchmark: sustained launches against the local stack (webhook over HTTP,
 * SQS, DynamoDB, the GitHub fake over HTTP, SSM and CodeBuild emulators: every hop a real socket).
 * The Slack notifier, its own Lambda on AWS, is left off: here it would share the one core.
 * Two measurements, as a load test makes them: the most launches per second it sustains when
 * deliveries arrive as fast as it takes them (closed loop, 32 in flight), and the delivery →
 * StartBuild latency at a steady offered load below that (open loop, paced). Writes results to argv[2].
 */
import { writeFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { percentile } from "./stats.ts";

// Before the handlers (and their logger) load: measure the work, not a terminal's scrolling.
process.env.POWERTOOLS_LOG_LEVEL = "WARN";
const { startLocalStack } = await import("../../lib/local/stack.ts");
const { deliveryHeaders, workflowJob } = await import("../../lib/github/sample-delivery.ts");

const [out, countArg] = process.argv.slice(2) as [string, string | undefined];
const COUNT = Number(countArg ?? 1000);
const IN_FLIGHT = 32;
const PACED_PER_SECOND = 20;
const PACED_SECONDS = 10;

// The sample configuration with a cap high enough not to be what is measured.
const doc = parseDocument(readFileSync(new URL("../../runway.yml", import.meta.url), "utf8"));
doc.setIn(["environments", "dev", "concurrency"], 10_000);
const config = join(mkdtempSync(join(tmpdir(), "runway-bench-")), "runway.yml");
writeFileSync(config, doc.toString());

const stack = await startLocalStack({ port: 0, config, print: () => {}, simulateRunners: false, slackNotifier: false, reconcileEveryMs: 3_600_000 });
const started = new Map<number, number>();
stack.codebuild.onBuildStarted((build) => {
  const jobId = Number(build.environment?.environmentVariables?.find((v) => v.name === "RUNWAY_JOB_ID")?.value);
  started.set(jobId, performance.now());
});

async function deliver(jobId: number): Promise<void> {
  const body = JSON.stringify(workflowJob({ id: jobId, runId: jobId }));
  const response = await fetch(stack.webhookUrl, { method: "POST", headers: deliveryHeaders(stack.webhookSecret, body), body });
  if (response.status !== 202) throw new Error(`delivery of job ${jobId} answered ${response.status}`);
  await response.arrayBuffer();
}

async function run(first: number, count: number): Promise<{ sent: Map<number, number>; elapsedMs: number }> {
  const sent = new Map<number, number>();
  let next = first;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < first + count) {
        const id = next++;
        sent.set(id, performance.now());
        await deliver(id);
      }
    }),
  );
  const deadline = Date.now() + 180_000;
  while ([...sent.keys()].some((id) => !started.has(id))) {
    if (Date.now() > deadline) throw new Error(`only ${[...sent.keys()].filter((id) => started.has(id)).length} of ${count} builds started`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const last = Math.max(...[...sent.keys()].map((id) => started.get(id)!));
  return { sent, elapsedMs: last - begin };
}

/** Deliveries at a fixed rate, each sent without waiting for the others. */
async function paced(first: number, perSecond: number, seconds: number): Promise<Map<number, number>> {
  const sent = new Map<number, number>();
  const begin = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < perSecond * seconds; i++) {
    const due = begin + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sent.set(first + i, performance.now());
    pending.push(deliver(first + i));
  }
  await Promise.all(pending);
  const deadline = Date.now() + 60_000;
  while ([...sent.keys()].some((id) => !started.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return sent;
}

await run(1, 50); // warm up: JIT, connections, token
// Latency first, on a quiet system; then throughput, which leaves a backlog behind it.
const steady = await paced(200_000, PACED_PER_SECOND, PACED_SECONDS);
const { sent, elapsedMs } = await run(100_000, COUNT);
const latencies = [...steady].map(([id, at]) => (started.get(id) ?? Number.POSITIVE_INFINITY) - at);
const saturated = [...sent].map(([id, at]) => started.get(id)! - at);
const builds = stack.codebuild.builds().length;
await stack.stop();
writeFileSync(
  out,
  JSON.stringify({
    count: COUNT,
    builds,
    perSecond: COUNT / (elapsedMs / 1000),
    pacedPerSecond: PACED_PER_SECOND,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    saturatedP50: percentile(saturated, 50),
  }),
);
process.exit(0);
