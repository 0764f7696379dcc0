/**
 * The deployed deployment-events function tells Slack (through the notify queue), not only its
 * log: it was wired to the log notifier, so deployments' news never reached their threads.
 */
import { CodeDeployClient, GetDeploymentCommand } from "@aws-sdk/client-codedeploy";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { CODEDEPLOY_DETAIL_TYPE } from "../../../lib/deploy/deployment-events.ts";

const sqs = mockClient(SQSClient);
const codedeploy = mockClient(CodeDeployClient);

beforeAll(() => {
  process.env.RUNWAY_NOTIFY_QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/000000000000/runway-notify.fifo";
  resetAwsClients();
});
afterAll(() => {
  sqs.restore();
  codedeploy.restore();
  delete process.env.RUNWAY_NOTIFY_QUEUE_URL;
});

const context = { awsRequestId: "req-1", functionName: "deployment-events", getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

describe("functions/deployment-events", () => {
  it("posts a deployment's state change to the notify queue", async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: "0", MessageId: "m", MD5OfMessageBody: "x" }], Failed: [] });
    codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { deploymentId: "d-123456789", applicationName: "shop", deploymentGroupName: "shop-prd", computePlatform: "ECS" } });
    const { handler } = await import("../../../functions/deployment-events.ts");
    await handler(
      {
        "detail-type": CODEDEPLOY_DETAIL_TYPE,
        source: "aws.codedeploy",
        region: "eu-west-1",
        time: "2026-06-30T22:06:31Z",
        detail: { region: "eu-west-1", deploymentId: "d-123456789", deploymentGroup: "shop-prd", application: "shop", state: "FAILURE" },
      },
      context,
    );
    const sent = sqs.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []);
    const events = sent.map((entry) => JSON.parse(entry.MessageBody!) as { type: string; deployment: { id: string } });
    expect(events).toEqual([expect.objectContaining({ type: "deploy.finished", deployment: expect.objectContaining({ id: "d-123456789" }) })]);
  });
});
