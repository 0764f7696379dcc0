/**
 * Sample `workflow_job` deliveries, signed as GitHub signs them: for `runway deliver` (trying the
 * local stack by hand), tests and benchmarks. Shaped like GitHub's payloads, null where GitHub
 * sends null.
 */
import { createHmac } from "node:crypto";
import { runLabelFor } from "./run-label.ts";

export interface JobOptions {
  action?: string;
  id?: number;
  runId?: number;
  runAttempt?: number | null;
  workflowName?: string | null;
  jobName?: string;
  labels?: string[];
  repository?: string;
  headBranch?: string;
  actor?: string;
  runnerName?: string | null;
  conclusion?: string | null;
  steps?: { name: string; number: number; conclusion: string | null }[];
}

/** A `workflow_job` body shaped like GitHub's (null where GitHub sends null). */
export function workflowJob(o: JobOptions = {}): Record<string, unknown> {
  const repository = o.repository ?? "acme/payments";
  const [owner, name] = repository.split("/");
  const job: Record<string, unknown> = {
    id: o.id ?? 2832853555,
    run_id: o.runId ?? 940463255,
    run_url: `https://api.github.com/repos/${repository}/actions/runs/${o.runId ?? 940463255}`,
    head_sha: "e3103f8eb03e1ad7f2331c5446b23c070fc54055",
    head_branch: o.headBranch ?? "main",
    html_url: `https://github.com/${repository}/actions/runs/${o.runId ?? 940463255}/job/${o.id ?? 2832853555}`,
    status: o.action === "completed" ? "completed" : (o.action ?? "queued"),
    conclusion: o.conclusion ?? null,
    name: o.jobName ?? "deploy",
    // As a dev deploy job writes it: its environment's label and the run label.
    labels: o.labels ?? ["self-hosted", "runway-dev", runLabelFor(o.runId ?? 940463255, o.runAttempt ?? 1)],
    steps: o.steps ?? [],
    runner_name: o.runnerName ?? null,
    runner_id: null,
    runner_group_id: null,
    runner_group_name: null,
  };
  if (o.workflowName !== null) job.workflow_name = o.workflowName ?? "action-payments-dev-deploy";
  if (o.runAttempt !== null) job.run_attempt = o.runAttempt ?? 1;
  return {
    action: o.action ?? "queued",
    workflow_job: job,
    repository: { id: 1, name, full_name: repository, private: true, owner: { login: owner, id: 2 } },
    sender: { login: o.actor ?? "octocat", id: 3 },
    installation: { id: 42 },
  };
}

/** `sha256=` + HMAC-SHA256 of the raw body, as GitHub signs it. */
export function sign(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Headers of a signed delivery. */
export function deliveryHeaders(secret: string, body: string | Buffer, event = "workflow_job", id = "72d3162e-cc78-11e3-81ab-4c9367dc0958"): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": id,
    "x-hub-signature-256": sign(secret, body),
    "user-agent": "GitHub-Hookshot/044aadd",
  };
}
