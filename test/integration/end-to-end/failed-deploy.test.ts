/**
 * Issue "job conclusions, failure artifacts, Slack": end to end on the local stack. A delivery is
 * queued, launched, taken by its runner, completes as failure; the build fails; the collector
 * runs; and the run's Slack thread holds the failing step's name, a log excerpt and a link that
 * returns the artifact. Every hop is a real socket through the real clients.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../../lib/local/stack.ts";
import { SAMPLE_CONFIG_FILE } from "../../support/config.ts";
import { deliveryHeaders, workflowJob } from "../../support/payloads.ts";

let stack: LocalStack;
const printed: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, config: SAMPLE_CONFIG_FILE, webhookSecret: "e2e-secret", print: (l) => printed.push(l), runnerStepMs: 20, reconcileEveryMs: 3_600_000, idleTimeoutSeconds: 2 });
});
afterAll(async () => {
  await stack?.stop();
});

async function deliver(payload: Record<string, unknown>) {
  const body = JSON.stringify(payload);
  const response = await fetch(stack.webhookUrl, { method: "POST", headers: deliveryHeaders(stack.webhookSecret, body), body });
  expect(response.status).toBe(202);
}

const thread = (text: string) => stack.slack.threads().find((t) => JSON.stringify(t).includes(text));
const texts = (t: ReturnType<typeof thread>) => JSON.stringify(t);

describe("a failed deploy, told in Slack", () => {
  it("fails the build and leaves the failing step, a log excerpt and working artifact links in the run's thread", async () => {
    await deliver(workflowJob({ id: 4242, runId: 77, jobName: "deploy (fail)", workflowName: "action-payments-dev-deploy" }));

    await expect.poll(() => stack.codebuild.builds().find((b) => b.environment?.environmentVariables?.some((v) => v.name === "RUNWAY_JOB_ID" && v.value === "4242"))?.buildStatus, { timeout: 15_000 }).toBe("FAILED");
    await expect.poll(() => texts(thread("/runs/77")).includes("FAILED"), { timeout: 15_000 }).toBe(true);

    const run = thread("/runs/77")!;
    const all = texts(run);
    expect(run.channelName).toBe("#deploys-dev");
    expect(all).toContain("failed at step Deploy");
    expect(all).toContain("the job failed at step Deploy");
    expect(all).toContain("##[error]Process completed with exit code 1."); // the log excerpt
    expect(all).toContain("could not reach the database");

    // Links to the artifacts work without AWS credentials: presigned against the local S3.
    const links = [...all.matchAll(/https?:\/\/127\.0\.0\.1:\d+\/runway-artifacts-local\/[^"\\|>]+/g)].map((m) => m[0].replace(/&amp;/g, "&"));
    const excerptLink = links.find((l) => l.includes("log-excerpt.txt"));
    expect(excerptLink).toBeDefined();
    const response = await fetch(excerptLink!);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("##[error]Process completed with exit code 1.");
    expect(links.some((l) => l.includes("runner-diag"))).toBe(true);

    // The parent message was rewritten in place to the run's outcome.
    expect(run.parent.text).toMatch(/failed/i);
  });

  it("reports a successful job's build as SUCCEEDED in its thread", async () => {
    await deliver(workflowJob({ id: 4343, runId: 78, jobName: "deploy", workflowName: "action-payments-dev-deploy" }));
    await expect.poll(() => texts(thread("/runs/78")).includes("SUCCEEDED"), { timeout: 15_000 }).toBe(true);
    expect(thread("/runs/78")!.parent.text).toMatch(/succeeded/i);
  });

  it("says the runner never got a job when the job was cancelled before a runner took it", async () => {
    await deliver(workflowJob({ id: 4444, runId: 79, jobName: "deploy (cancel)", workflowName: "action-payments-dev-deploy" }));
    await expect.poll(() => stack.codebuild.builds().some((b) => b.environment?.environmentVariables?.some((v) => v.name === "RUNWAY_JOB_ID" && v.value === "4444")), { timeout: 15_000 }).toBe(true);
    // The reconciler (on its schedule) stops the idle build once the idle window (2 s here) has passed.
    await expect
      .poll(async () => {
        await stack.reconcile();
        return texts(thread("/runs/79"));
      }, { timeout: 15_000, interval: 200 })
      .toContain("never got a job");
  });
});
