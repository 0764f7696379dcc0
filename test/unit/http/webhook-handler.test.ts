/**
 * The webhook function's middy stack in-process, with its queue mocked (aws-sdk-client-mock): the
 * status answered, the SQS call sent, and the one log line per delivery — which must never hold the
 * body or the secret.
 */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { setConfig } from "../../../lib/config/runtime.ts";
import { logger } from "../../../lib/observability/logger.ts";
import { SAMPLE_CONFIG_FILE } from "../../support/config.ts";
import { deliveryHeaders, workflowJob } from "../../support/payloads.ts";

const SECRET = "unit-secret-value-9f2c";
const sqs = mockClient(SQSClient);
const lines: Record<string, unknown>[] = [];

beforeAll(() => {
  process.env.GITHUB_WEBHOOK_SECRET = SECRET;
  process.env.RUNWAY_CONFIG = SAMPLE_CONFIG_FILE;
  process.env.RUNWAY_JOB_QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/000000000000/runway-jobs.fifo";
  delete process.env.RUNWAY_STAGE;
  setConfig(undefined);
  resetAwsClients();
  vi.spyOn(logger, "info").mockImplementation((...args: unknown[]) => {
    lines.push({ message: args[0], ...(args[1] as Record<string, unknown>) });
  });
});
afterEach(() => {
  sqs.reset();
  lines.length = 0;
});
afterAll(() => {
  vi.restoreAllMocks();
});

const context = () => ({ getRemainingTimeInMillis: () => 10_000, awsRequestId: "req-1", functionName: "github-webhook" }) as unknown as Context;

async function invoke(body: string | Buffer, headers: Record<string, string | undefined>) {
  const { handler } = await import("../../../functions/github-webhook.ts");
  // API Gateway hands a body that is not UTF-8 text base64-encoded, as the local server does.
  const event = Buffer.isBuffer(body) ? { headers, body: body.toString("base64"), isBase64Encoded: true } : { headers, body, isBase64Encoded: false };
  return handler(event as never, context());
}

describe("functions/github-webhook", () => {
  it("queues a routed job on the FIFO queue and answers 202 with the decision", async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: "m-1" });
    const body = JSON.stringify(workflowJob({ id: 77, workflowName: "action-payments-dev-deploy" }));
    const result = await invoke(body, deliveryHeaders(SECRET, body));
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body!)).toMatchObject({ queued: true, decision: { environment: "dev" } });
    const calls = sqs.commandCalls(SendMessageCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toMatchObject({
      QueueUrl: process.env.RUNWAY_JOB_QUEUE_URL,
      MessageGroupId: "77",
      MessageDeduplicationId: "77-1-queued",
    });
  });

  it("logs one structured line per delivery with its facts, and never the body or a secret", async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: "m-2" });
    const body = JSON.stringify(workflowJob({ id: 78, workflowName: "action-payments-dev-deploy" }));
    await invoke(body, deliveryHeaders(SECRET, body, "workflow_job", "delivery-78"));
    await invoke(body, deliveryHeaders("wrong", body, "workflow_job", "delivery-79"));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      message: "delivery",
      deliveryId: "delivery-78",
      event: "workflow_job",
      action: "queued",
      repository: "acme/payments",
      jobId: 78,
      environment: "dev",
      decision: "queued",
      status: 202,
      latencyMs: expect.any(Number),
    });
    expect(lines[1]).toMatchObject({ deliveryId: "delivery-79", decision: "rejected", error: "SignatureError", status: 401, event: null });
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain("e3103f8eb03e1ad7f2331c5446b23c070fc54055"); // a value only the body holds
  });

  it("answers 503 and logs the cause when the queue refuses, without leaking it to the caller", async () => {
    sqs.on(SendMessageCommand).rejects(Object.assign(new Error("AccessDenied to queue"), { name: "AccessDenied" }));
    const body = JSON.stringify(workflowJob({ id: 80 }));
    const result = await invoke(body, deliveryHeaders(SECRET, body));
    expect(result.statusCode).toBe(503);
    expect(result.body).not.toContain("AccessDenied to queue");
    expect(lines[0]).toMatchObject({ status: 503, error: "QueueUnavailableError", cause: expect.stringContaining("AccessDenied") });
  });

  it("answers 500 with no detail when no webhook secret is configured", async () => {
    delete process.env.GITHUB_WEBHOOK_SECRET;
    try {
      const body = JSON.stringify(workflowJob({ id: 81 }));
      const result = await invoke(body, deliveryHeaders(SECRET, body));
      expect(result.statusCode).toBe(500);
      expect(JSON.parse(result.body!)).toMatchObject({ error: "WebhookSecretError" });
      expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    } finally {
      process.env.GITHUB_WEBHOOK_SECRET = SECRET;
    }
  });

  it("acknowledges a signed delivery of an event Octokit does not list, with the reason, and queues nothing", async () => {
    const body = JSON.stringify({ action: "created", repository: { full_name: "acme/payments" } });
    const result = await invoke(body, deliveryHeaders(SECRET, body, "some_event_github_adds_later"));
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body!)).toMatchObject({ ok: true, event: "some_event_github_adds_later", ignored: expect.stringContaining("not in Octokit's list") });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(lines[0]).toMatchObject({ event: "some_event_github_adds_later", decision: "ignored", status: 202 });

    const forged = await invoke(body, deliveryHeaders("wrong", body, "some_event_github_adds_later"));
    expect(forged.statusCode).toBe(401);
  });

  it("verifies a base64-encoded body by its bytes: an invalid UTF-8 byte is a 400, not a 401", async () => {
    const bytes = Buffer.concat([Buffer.from('{"action":"queued","note":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const result = await invoke(bytes, deliveryHeaders(SECRET, bytes));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body!)).toMatchObject({ error: "MalformedPayloadError", message: "the body is not UTF-8, as GitHub's JSON always is" });

    const routed = Buffer.from(JSON.stringify(workflowJob({ id: 82, workflowName: "déploiement action-payments-dev-deploy" })));
    sqs.on(SendMessageCommand).resolves({ MessageId: "m-82" });
    expect((await invoke(routed, deliveryHeaders(SECRET, routed))).statusCode).toBe(202);
  });
});
