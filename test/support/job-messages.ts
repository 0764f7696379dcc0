/** Job messages as the webhook builds them, and SQS events carrying them, for launcher tests. */
import type { SQSEvent } from "aws-lambda";
import type { JobMessage } from "../../lib/jobs/job-message.ts";

export const PROJECT = "runway-runner-dev";

let sequence = 0;

/** An SQS event carrying job messages, as Lambda's event source mapping delivers it. */
export function sqsEvent(...messages: JobMessage[]): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: `m-${++sequence}`,
      receiptHandle: `r-${sequence}`,
      body: JSON.stringify(m),
      attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(Date.now()), SenderId: "x", ApproximateFirstReceiveTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:eu-west-1:000000000000:runway-jobs.fifo",
      awsRegion: "eu-west-1",
    })),
  };
}

/** A queued job message for dev, as the webhook builds it. */
export function queuedJob(jobId: number, overrides: Partial<JobMessage> & { labels?: string[]; runAttempt?: number } = {}): JobMessage {
  const { labels, runAttempt, ...rest } = overrides;
  return {
    version: 1,
    action: "queued",
    deliveryId: `d-${jobId}`,
    receivedAt: new Date().toISOString(),
    environment: "dev",
    codebuild: { project: PROJECT, region: "eu-west-1", allowOverrides: ["instance-size"] },
    runners: { scope: "repo" },
    concurrency: 50,
    job: {
      id: jobId,
      runId: 9000 + jobId,
      runAttempt: runAttempt ?? 1,
      name: "deploy",
      workflowName: "action-payments-dev-deploy",
      labels: labels ?? ["self-hosted", "runway"],
      repository: "acme/payments",
      owner: "acme",
      repo: "payments",
      installationId: 42,
      steps: [],
    },
    ...rest,
  };
}
