/**
 * What the local stack prints: one line per thing that happened, for a person watching the
 * terminal. Colour only on a terminal.
 */
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { JobMessage } from "../jobs/job-message.ts";
import type { EmfDocument } from "../observability/emf-capture.ts";

export type Print = (line: string) => void;

const tty = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);
export const color = { dim: paint(2), green: paint(32), yellow: paint(33), red: paint(31), cyan: paint(36), bold: paint(1) };

const time = () => new Date().toISOString().slice(11, 23);

/** One line for a webhook delivery: event, action, what was decided and the status answered. */
export function describeDelivery(headers: Record<string, string | undefined>, result: APIGatewayProxyStructuredResultV2, ms: number): string {
  const status = result.statusCode ?? 200;
  let body: Record<string, any> = {};
  try {
    body = JSON.parse(String(result.body ?? "{}"));
  } catch {
    // Not JSON: describe the status alone.
  }
  const event = headers["x-github-event"] ?? "?";
  const action = body.action ? ` ${body.action}` : "";
  const tint = status >= 500 ? color.red : status >= 400 ? color.yellow : color.green;
  let what: string;
  if (status >= 400) what = `rejected: ${body.message ?? body.error ?? "see the log"}`;
  else if (body.decision?.outcome === "routed") {
    const d = body.decision;
    what = `${color.bold(d.environment)} ← job ${body.jobId}: ${body.queued ? (body.action === "queued" ? "launch request queued" : `${body.action} recorded`) : d.reason}`;
    if (body.action === "queued") what += color.dim(` (project ${d.codebuild.project}${d.codebuild.region ? ` in ${d.codebuild.region}` : ""}, labels ${d.labels.join(", ")})`);
  } else if (body.decision?.outcome === "ignored") what = `ignored: ${body.decision.reason}`;
  else what = body.ignored ? `ignored: ${body.ignored}` : (body.message ?? "ok");
  return `${color.dim(time())} ${color.cyan("webhook")}  ${tint(String(status))} ${event}${action}  ${what} ${color.dim(`${ms.toFixed(1)} ms`)}`;
}

/** One line for a job message taken off the queue. */
export function describeJobMessage(message: JobMessage): string {
  const job = message.job;
  const who = `job ${job.id} attempt ${job.runAttempt} (${job.repository} · ${job.workflowName ?? "unnamed workflow"} / ${job.name ?? "job"})`;
  const what =
    message.action === "queued"
      ? `launch requested in ${color.bold(message.environment)} on ${message.codebuild.project}`
      : message.action === "in_progress"
        ? `runner ${job.runnerName ?? "?"} took the job`
        : `completed: ${job.conclusion ?? "unknown"}`;
  return `${color.dim(time())} ${color.cyan("queue  ")}  ${who}: ${what}`;
}

/** A launch parked in the job dead-letter queue: which job, why, and the command that replays it. */
export function describeParked(body: string, reason: string | undefined): string {
  let job = "a job";
  let replay = "npx runway replay";
  try {
    const message = JSON.parse(body) as { environment?: string; job?: { id?: number; runAttempt?: number; repository?: string } };
    job = `job ${message.job?.id} attempt ${message.job?.runAttempt} (${message.job?.repository}, ${message.environment})`;
    replay = `npx runway replay --job ${message.job?.id}`;
  } catch {
    // Not a job message: say what is known.
  }
  return `${color.dim(time())} ${color.red("parked ")}  ${job}: ${reason ?? "no reason recorded"} — once fixed: ${replay}`;
}

const UNIT_SUFFIX: Record<string, string> = { Milliseconds: " ms", Seconds: " s", Count: "" };

/**
 * One line for the figures a function flushed (one EMF document), or undefined when every one of
 * them is zero (a reconciler pass that did nothing). Counts are summed; latencies listed.
 */
export function describeMetrics(document: EmfDocument): string | undefined {
  const figures = document._aws.CloudWatchMetrics.flatMap((directive) => directive.Metrics).flatMap(({ Name, Unit }) => {
    const raw = document[Name];
    const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is number => typeof v === "number");
    const suffix = UNIT_SUFFIX[Unit] ?? ` ${Unit}`;
    if (Unit === "Count") {
      const total = values.reduce((sum, v) => sum + v, 0);
      return total === 0 ? [] : [`${Name} ${total}`];
    }
    return values.length === 0 ? [] : [`${Name} ${values.map((v) => Math.round(v)).join(", ")}${suffix}`];
  });
  if (figures.length === 0) return undefined;
  return `${color.dim(time())} ${color.cyan("metric ")}  ${figures.join(color.dim(" · "))}`;
}
