/**
 * Signed deliveries sent over HTTP to the local stack: the real webhook handler behind its real
 * middy stack, its SQS client talking to the local emulator over a socket.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { JOB_QUEUE, startLocalStack, type LocalStack } from "../../../lib/local/stack.ts";
import { deliveryHeaders, sign, workflowJob } from "../../support/payloads.ts";
import { SAMPLE_CONFIG_FILE } from "../../support/config.ts";

let stack: LocalStack;
const printed: string[] = [];

beforeAll(async () => {
  // The webhook alone: no simulated runners, whose own in_progress / completed deliveries (sent by
  // the GitHub fake once a runner takes a job) would meet the SQS faults injected below.
  stack = await startLocalStack({ port: 0, config: SAMPLE_CONFIG_FILE, stage: "local", webhookSecret: "integration-secret", print: (l) => printed.push(l), simulateRunners: false });
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(() => {
  stack.aws.faults.clear();
});

async function post(body: string | Buffer, headers: Record<string, string | undefined>) {
  const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const response = await fetch(stack.webhookUrl, { method: "POST", headers: clean, body });
  const text = await response.text();
  return { status: response.status, body: text.startsWith("{") ? (JSON.parse(text) as Record<string, any>) : text };
}

const sendCalls = () => stack.aws.calls.filter((c) => c.service === "sqs" && c.operation === "SendMessage" && !c.error);

describe("the local stack's webhook", () => {
  it("answers /healthz once ready", async () => {
    const response = await fetch(`${stack.url}/healthz`);
    expect(response.status).toBe(200);
  });

  it("routes a signed action-payments-dev-deploy job to dev and queues one launch request", async () => {
    const body = JSON.stringify(workflowJob({ id: 1001, workflowName: "action-payments-dev-deploy" }));
    const before = sendCalls().length;
    const answer = await post(body, deliveryHeaders(stack.webhookSecret, body));
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({
      queued: true,
      jobId: 1001,
      decision: { outcome: "routed", environment: "dev", codebuild: { project: "runway-runner-dev", region: "eu-west-1" }, labels: ["self-hosted", "runway-dev", "runway-run-940463255-1"] },
    });
    const sent = sendCalls().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.input).toMatchObject({ MessageGroupId: "1001", MessageDeduplicationId: "1001-1-queued" });
    expect(JSON.parse(sent[0]!.input.MessageBody as string)).toMatchObject({ action: "queued", environment: "dev", job: { id: 1001, runAttempt: 1, repository: "acme/payments" } });
    await expect.poll(() => printed.some((l) => l.includes("job 1001 attempt 1") && l.includes("launch requested in"))).toBe(true);
    expect(printed.some((l) => l.includes("202 workflow_job queued") && l.includes("job 1001"))).toBe(true);
  });

  it("answers 401 to a wrong signature and sends nothing to the queue", async () => {
    const body = JSON.stringify(workflowJob({ id: 1002 }));
    const before = sendCalls().length;
    const answer = await post(body, { ...deliveryHeaders("not the secret", body) });
    expect(answer).toMatchObject({ status: 401, body: { ok: false, error: "SignatureError" } });
    expect(sendCalls().length).toBe(before);
  });

  it("answers 401 to a body changed after signing, and to a missing signature", async () => {
    const body = JSON.stringify(workflowJob({ id: 1003 }));
    const headers = deliveryHeaders(stack.webhookSecret, body);
    expect((await post(body.replace("1003", "1004"), headers)).status).toBe(401);
    expect((await post(body, { ...headers, "x-hub-signature-256": undefined })).status).toBe(401);
  });

  it("queues a redelivered job once: the FIFO queue deduplicates job, attempt and action", async () => {
    const body = JSON.stringify(workflowJob({ id: 1005 }));
    const headers = deliveryHeaders(stack.webhookSecret, body);
    for (let i = 0; i < 5; i++) expect((await post(body, headers)).status).toBe(202);
    await expect.poll(() => printed.filter((l) => l.includes("job 1005 attempt 1")).length).toBe(1);
    // A new attempt of the same job is a new launch.
    const retry = JSON.stringify(workflowJob({ id: 1005, runAttempt: 2 }));
    await post(retry, deliveryHeaders(stack.webhookSecret, retry));
    await expect.poll(() => printed.filter((l) => l.includes("job 1005 attempt 2")).length).toBe(1);
  });

  it("records in_progress and completed for a routed job", async () => {
    for (const [action, extra] of [["in_progress", { runnerName: "runway-dev-1006-1" }], ["completed", { runnerName: "runway-dev-1006-1", conclusion: "failure" }]] as const) {
      const body = JSON.stringify(workflowJob({ id: 1006, action, ...extra }));
      const answer = await post(body, deliveryHeaders(stack.webhookSecret, body));
      expect(answer).toMatchObject({ status: 202, body: { queued: true, action } });
    }
    await expect.poll(() => printed.some((l) => l.includes("job 1006") && l.includes("runner runway-dev-1006-1 took the job"))).toBe(true);
    await expect.poll(() => printed.some((l) => l.includes("job 1006") && l.includes("completed: failure"))).toBe(true);
  });

  it("ignores a job no environment claims, with the reason, and queues nothing", async () => {
    const body = JSON.stringify(workflowJob({ id: 1007, workflowName: "deploy-web" }));
    const before = sendCalls().length;
    const answer = await post(body, deliveryHeaders(stack.webhookSecret, body));
    expect(answer).toMatchObject({ status: 202, body: { queued: false, decision: { outcome: "ignored", reason: `no environment's workflow filter matched "deploy-web"` } } });
    expect(sendCalls().length).toBe(before);
  });

  it.each([
    ["malformed JSON", '{"action":', "application/json", "workflow_job", 400],
    ["a missing X-GitHub-Event", "{}", "application/json", undefined, 400],
    ["an X-GitHub-Event that is no event name", "{}", "application/json", "Not An Event", 400],
    ["a signed body that is not UTF-8", Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]), "application/json", "workflow_job", 400],
    ["an unsupported content type", "{}", "text/plain", "workflow_job", 415],
  ])("answers %s with a clear error", async (_case, body, type, event, status) => {
    const headers = { ...deliveryHeaders(stack.webhookSecret, body), "content-type": type, "x-github-event": event };
    const answer = await post(body, headers);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ ok: false, message: expect.any(String) });
  });

  it("answers 413 to a body over 25 MiB without reading it all", async () => {
    const big = Buffer.alloc(25 * 1024 * 1024 + 10, 0x20);
    const answer = await post(big, { "content-type": "application/json", "x-github-event": "workflow_job", "x-hub-signature-256": sign(stack.webhookSecret, "x") }).catch(
      (error: unknown) => ({ status: (error as Error).name, body: "" }),
    );
    expect(answer.status).toBe(413);
  });

  it("acknowledges a signed event GitHub added after Octokit's list, with the reason, and 401s it unsigned", async () => {
    const body = JSON.stringify({ action: "created", repository: { full_name: "acme/payments" } });
    const before = sendCalls().length;
    const answer = await post(body, deliveryHeaders(stack.webhookSecret, body, "some_event_github_adds_later"));
    expect(answer).toMatchObject({ status: 202, body: { ok: true, event: "some_event_github_adds_later", ignored: expect.stringContaining("not in Octokit's list") } });
    expect(sendCalls().length).toBe(before);
    expect((await post(body, { ...deliveryHeaders(stack.webhookSecret, body, "some_event_github_adds_later"), "x-hub-signature-256": undefined })).status).toBe(401);
  });

  it("verifies the bytes that came over the socket: a multi-byte body signed as sent is routed", async () => {
    const bytes = Buffer.from(JSON.stringify(workflowJob({ id: 1010, workflowName: "action-payments-dev-deploy", actor: "zoë-🚀" })));
    const answer = await post(bytes, deliveryHeaders(stack.webhookSecret, bytes));
    expect(answer).toMatchObject({ status: 202, body: { jobId: 1010, queued: true } });
  });

  it("accepts GitHub's form-encoded deliveries", async () => {
    const form = `payload=${encodeURIComponent(JSON.stringify(workflowJob({ id: 1008 })))}`;
    const answer = await post(form, { ...deliveryHeaders(stack.webhookSecret, form), "content-type": "application/x-www-form-urlencoded" });
    expect(answer).toMatchObject({ status: 202, body: { jobId: 1008, queued: true } });
  });

  it("answers ping with 200", async () => {
    const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    expect(await post(body, deliveryHeaders(stack.webhookSecret, body, "ping"))).toMatchObject({ status: 200, body: { event: "ping" } });
  });

  it("answers 503 when the queue stays unavailable through the SDK's retries, so GitHub shows a failed delivery to redeliver", async () => {
    const fault = stack.aws.faults.add({ service: "sqs", operation: "SendMessage", error: { code: "ServiceUnavailable", statusCode: 503 } });
    const body = JSON.stringify(workflowJob({ id: 1009 }));
    const answer = await post(body, deliveryHeaders(stack.webhookSecret, body));
    expect(answer).toMatchObject({ status: 503, body: { error: "QueueUnavailableError" } });
    expect(fault.injected).toBe(4); // the client's maxAttempts: retried with backoff before giving up
  });

  it("recovers once the queue is back: a throttle on the first try is retried by the SDK", async () => {
    stack.aws.faults.add({ service: "sqs", operation: "SendMessage", times: 1, error: { code: "ThrottlingException", statusCode: 400 } });
    const body = JSON.stringify(workflowJob({ id: 1010 }));
    expect((await post(body, deliveryHeaders(stack.webhookSecret, body))).status).toBe(202);
    await expect.poll(() => printed.some((l) => l.includes("job 1010 attempt 1"))).toBe(true);
  });
});
