/**
 * Child process of the benchmark: warm in-process handling of a 20 KB delivery by the bundled
 * webhook handler, against the floor of HMAC-SHA256 + JSON.parse of the same body. Runs with its
 * stdout discarded (the handler logs one line per delivery, as in production) and writes results
 * to the file named in argv[3].
 */
import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import { median, timeRounds } from "./stats.ts";
import { BENCH_SECRET, twentyKbDelivery } from "./webhook-delivery.ts";

const [bundle, out] = process.argv.slice(2) as [string, string];
process.env.GITHUB_WEBHOOK_SECRET = BENCH_SECRET;
const { handler } = (await import(bundle)) as { handler: (e: unknown, c: unknown) => Promise<{ statusCode: number }> };

const context = { getRemainingTimeInMillis: () => 10_000, awsRequestId: "bench", functionName: "github-webhook" };
const { body, headers } = twentyKbDelivery({ workflowName: "deploy-web" /* ignored: no I/O */ });
const event = { version: "2.0", headers, body, isBase64Encoded: false, requestContext: { http: { method: "POST" } } };

const check = await handler(event, context);
if (check.statusCode !== 202) throw new Error(`the bench delivery was answered ${check.statusCode}, expected 202`);

const floor = () => {
  createHmac("sha256", BENCH_SECRET).update(body).digest("hex");
  return JSON.parse(body);
};
const handle = () => handler(event, context);

// Warm up both paths (JIT, caches), then interleave rounds so drift hits both equally.
await timeRounds(floor, 5, 500);
await timeRounds(handle, 5, 500);
const floors: number[] = [];
const handled: number[] = [];
for (let i = 0; i < 15; i++) {
  floors.push(...(await timeRounds(floor, 1, 500)));
  handled.push(...(await timeRounds(handle, 1, 500)));
}
writeFileSync(out, JSON.stringify({ bytes: body.length, floorUs: median(floors), handlerUs: median(handled) }));
