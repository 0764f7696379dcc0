/**
 * The webhook function's logger carries the Lambda context: each line of an invocation names its
 * request id (Powertools' injectLambdaContext), read here from the JSON the logger really writes.
 */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { setConfig } from "../../../lib/config/runtime.ts";
import { lambdaContext } from "../../../lib/local/lambda-context.ts";
import { logger } from "../../../lib/observability/logger.ts";
import { SAMPLE_CONFIG_FILE } from "../../support/config.ts";
import { deliveryHeaders, workflowJob } from "../../support/payloads.ts";

const SECRET = "unit-secret-value-3c1d";
const sqs = mockClient(SQSClient);

beforeAll(() => {
  process.env.GITHUB_WEBHOOK_SECRET = SECRET;
  process.env.RUNWAY_CONFIG = SAMPLE_CONFIG_FILE;
  process.env.RUNWAY_JOB_QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/000000000000/runway-jobs.fifo";
  delete process.env.RUNWAY_STAGE;
  setConfig(undefined);
  logger.setLogLevel("INFO"); // the test run is SILENT (vitest.config.ts); this test reads the lines
});
afterAll(() => {
  sqs.reset();
  logger.setLogLevel("SILENT");
  vi.restoreAllMocks();
});

describe("functions/github-webhook logging", () => {
  it("puts the invocation's request id on the delivery's log line", async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: "m-ctx" });
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const { handler } = await import("../../../functions/github-webhook.ts");
    const body = JSON.stringify(workflowJob({ id: 91, workflowName: "action-payments-dev-deploy" }));
    const context: Context = { ...lambdaContext("github-webhook"), awsRequestId: "req-ctx-91" };
    try {
      await handler({ headers: deliveryHeaders(SECRET, body, "workflow_job", "delivery-91"), body, isBase64Encoded: false } as never, context);
    } finally {
      write.mockRestore();
    }
    const lines = written.flatMap((chunk) => chunk.split("\n")).filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
    const delivery = lines.find((line) => line.message === "delivery");
    expect(delivery).toMatchObject({ deliveryId: "delivery-91", function_request_id: "req-ctx-91", function_name: "github-webhook" });
  });
});
