/**
 * A 20 KB `workflow_job` delivery, signed: a real payload's shape with enough steps to reach the
 * size of a long deploy job's `completed` event.
 */
import { deliveryHeaders, workflowJob, type JobOptions } from "../support/payloads.ts";

export const BENCH_SECRET = "bench-secret";

export function twentyKbDelivery(options: JobOptions = {}) {
  const steps = Array.from({ length: 160 }, (_, i) => ({ name: `Step ${i + 1}: run the deploy script part ${i + 1}`, number: i + 1, conclusion: "success" }));
  let payload = workflowJob({ steps, ...options });
  let body = JSON.stringify(payload);
  // Pad to 20 KiB with the fields a real payload has (URLs), keeping it valid.
  const pad = 20 * 1024 - body.length;
  if (pad > 0) payload = { ...payload, padding: "x".repeat(pad - 14) };
  body = JSON.stringify(payload);
  return { body, headers: deliveryHeaders(BENCH_SECRET, body) };
}
