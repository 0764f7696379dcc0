/**
 * Notification events as producers would publish them, completed (id, at, thread) the way
 * `publish()` completes them, for tests.
 */
import { defaultEventId, notificationSchema, threadKeyOf, type NotificationEvent, type NotificationInput } from "../../../lib/notify/events.ts";

export const run = {
  repository: "acme/api",
  runId: 9_100_200_300,
  runAttempt: 1,
  workflowName: "action-dev-deploy",
  url: "https://github.com/acme/api/actions/runs/9100200300",
  environment: "dev",
  headBranch: "main",
  sha: "4f672e6a1b2c3d4e5f60718293a4b5c6d7e8f901",
  actor: "octocat",
};

export const job = { id: 31_000_001, name: "deploy", url: "https://github.com/acme/api/actions/runs/9100200300/job/31000001" };

export const build = { id: "runway-runner-dev:6b1c2a3e-0000-4000-8000-000000000001", project: "runway-runner-dev", region: "eu-west-1" };

export const deployment = {
  id: "d-ABCDEF123",
  application: "api",
  deploymentGroup: "api-prd",
  platform: "ECS" as const,
  region: "eu-west-1",
  environment: "prd",
};

/** Complete an input as publish() does and validate it. */
export function event(input: NotificationInput, at = "2025-01-01T10:00:00Z"): NotificationEvent {
  return notificationSchema.parse({ ...input, id: input.id ?? defaultEventId(input), at: input.at ?? at, thread: threadKeyOf(input) });
}

const baseRun = run;

/** A run's life: queued, launched, started, failed at a step with a log excerpt and an artifact, build failed. */
export function failingRun(channel = "#deploys-dev", extra: { logExcerpt?: string; artifactUrl?: string; runId?: number } = {}): NotificationEvent[] {
  const run = extra.runId ? { ...baseRun, runId: extra.runId, url: `https://github.com/acme/api/actions/runs/${extra.runId}` } : baseRun;
  return [
    event({ type: "run.queued", channel, run }),
    event({ type: "job.queued", channel, run, job, labels: ["self-hosted", "runway"] }),
    event({ type: "job.launched", channel, run, job, build }),
    event({ type: "job.started", channel, run, job, runnerName: "runway-6b1c2a3e", build }),
    event({
      type: "job.completed",
      channel,
      run,
      job,
      conclusion: "failure",
      failedSteps: ["Run integration tests"],
      logExcerpt: extra.logExcerpt ?? "npm ERR! 3 tests failed\nError: expected 200, got 503",
      artifacts: [{ name: "test-report.html", url: extra.artifactUrl ?? "https://runway-artifacts.s3.eu-west-1.amazonaws.com/acme/api/9100200300/report.html?X-Amz-Signature=abc" }],
      build,
    }),
    event({ type: "build.finished", channel, run, job, build, status: "FAILED", cause: { kind: "job-failed", step: "Run integration tests" } }),
  ];
}
