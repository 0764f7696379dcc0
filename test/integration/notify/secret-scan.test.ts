/**
 * No secret ever reaches Slack: events are fed the deployment's secrets on purpose (in log
 * excerpts, job and step names, runner names, evidence, artifact links), then every request the
 * Slack fake received and every thread record in DynamoDB is scanned for them.
 */
import { generateKeyPairSync } from "node:crypto";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dynamoDbClient } from "../../../lib/aws/dynamodb.ts";
import { setConfig } from "../../../lib/config/runtime.ts";
import type { NotificationEvent } from "../../../lib/notify/events.ts";
import { startLocalDynamo, type LocalDynamo } from "../../support/notify/dynamodb.ts";
import { build, deployment, event, job, run } from "../../support/notify/events.ts";
import { failedIds, invokeNotifier, useNotifyConfig } from "../../support/notify/lambda.ts";
import { startSlackServer, type SlackServer } from "../../support/notify/slack-server.ts";

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const secrets = {
  SLACK_BOT_TOKEN: "xoxb-4242-4242-scanMeIfYouCan",
  GITHUB_WEBHOOK_SECRET: "whsec-new-5f1e0c2a9b\nwhsec-old-77d0e4b1aa",
  GITHUB_APP_PRIVATE_KEY: privateKey,
  DEPLOY_API_KEY: "dk_live_0123456789abcdefABCDEF",
};
/** Secrets nobody configured, which only their shape gives away. */
const unconfigured = {
  installationToken: "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
  jitConfig: Buffer.from(JSON.stringify({ ".runner": "r".repeat(60), ".credentials": "c".repeat(60) })).toString("base64"),
  accessKey: "AKIAIOSFODNN7EXAMPLE",
};

/** Every form in which a secret value could be recognised in a request body. */
function needles(): string[] {
  const values = [...Object.values(secrets), ...Object.values(unconfigured)];
  const lines = values.flatMap((v) => v.split("\n").map((l) => l.trim()).filter((l) => l.length >= 8 && !l.startsWith("-----")));
  return [...new Set([...values, ...lines].flatMap((v) => [v, encodeURIComponent(v), JSON.stringify(v).slice(1, -1)]))];
}

function leaky(): NotificationEvent[] {
  const dirtyRun = { ...run, runId: 777_000_111, url: "https://github.com/acme/api/actions/runs/777000111" };
  const pemLine = privateKey.split("\n")[3]!;
  const log = [
    `curl -H "X-Hub-Signature-256: ${secrets.GITHUB_WEBHOOK_SECRET.split("\n")[0]}"`,
    `echo ${secrets.SLACK_BOT_TOKEN}`,
    `GITHUB_TOKEN=${unconfigured.installationToken}`,
    `./run.sh --jitconfig ${unconfigured.jitConfig}`,
    privateKey,
    `partial key line: ${pemLine}`,
    `deploy key ${secrets.DEPLOY_API_KEY} and ${unconfigured.accessKey}`,
  ].join("\n");
  return [
    event({ type: "run.queued", channel: "#deploys-dev", run: { ...dirtyRun, workflowName: `deploy ${secrets.DEPLOY_API_KEY}` } }),
    event({ type: "job.started", channel: "#deploys-dev", run: dirtyRun, job, runnerName: `runner-${secrets.SLACK_BOT_TOKEN}` }),
    event({
      type: "job.completed",
      channel: "#deploys-dev",
      run: dirtyRun,
      job,
      conclusion: "failure",
      failedSteps: [`Use ${unconfigured.installationToken}`],
      logExcerpt: log,
      artifacts: [
        { name: "report.html", url: `https://example.com/report.html?token=${encodeURIComponent(secrets.DEPLOY_API_KEY)}` },
        { name: "trace.zip", url: "https://bucket.s3.eu-west-1.amazonaws.com/t.zip?X-Amz-Credential=ASIAIOSFODNN7EXAMPLE%2F20250101%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Signature=ab12" },
      ],
      build,
    }),
    event({ type: "build.finished", channel: "#deploys-dev", run: dirtyRun, job, build, status: "FAILED", cause: { kind: "build-broke", phase: "BUILD", message: `token ${unconfigured.installationToken}` }, logExcerpt: log }),
    event({ type: "deploy.verdict", channel: "#deploys-prd", deployment: { ...deployment, id: "d-SECRETS01" }, hook: "BeforeAllowTraffic", verdict: "Failed", evidence: [`GET /health?key=${secrets.DEPLOY_API_KEY} → 401`, log] }),
  ];
}

let dynamo: LocalDynamo;
let slack: SlackServer;

beforeAll(async () => {
  dynamo = await startLocalDynamo("runway-secret-scan");
  slack = await startSlackServer({ tokens: [secrets.SLACK_BOT_TOKEN] });
  Object.assign(process.env, secrets, { RUNWAY_REDACT_ENV: "DEPLOY_API_KEY", SLACK_API_URL: slack.apiUrl });
});
afterAll(async () => {
  for (const name of [...Object.keys(secrets), "RUNWAY_REDACT_ENV", "SLACK_API_URL", "SLACK_WEBHOOK_URL"]) delete process.env[name];
  setConfig(undefined);
  await slack.close();
  await dynamo.close();
});

function expectNoSecretIn(haystack: string, where: string): void {
  for (const needle of needles()) {
    if (haystack.includes(needle)) throw new Error(`a secret (${needle.slice(0, 6)}…) reached ${where}`);
  }
}

describe("the secret scan", () => {
  it.each(["bot", "webhook"] as const)("finds no configured or well-known secret in anything sent to Slack (%s mode)", async (mode) => {
    slack.fake.reset();
    if (mode === "webhook") process.env.SLACK_WEBHOOK_URL = slack.webhookUrl;
    useNotifyConfig({ mode, webhookEvents: ["run.queued", "job.started", "job.completed", "build.finished", "deploy.verdict"] });

    expect(failedIds(await invokeNotifier(leaky()))).toEqual([]);

    const requests = slack.fake.requests();
    expect(requests.length).toBeGreaterThanOrEqual(5);
    for (const request of requests) {
      expectNoSecretIn(request.rawBody, `the body of ${request.method}`);
      expectNoSecretIn(JSON.stringify(request.args), `the arguments of ${request.method}`);
    }
    // Scrubbed, not dropped: the messages still arrived and say what happened.
    const texts = slack.fake.messages().map((m) => m.text).join("\n");
    expect(texts).toContain("failed at step Use [redacted]");
    // A presigned artifact link is not a secret and still works; one that carried a secret was dropped.
    const all = JSON.stringify(slack.fake.messages());
    expect(all).toContain("X-Amz-Credential=ASIAIOSFODNN7EXAMPLE");
    expect(all).not.toContain("example.com/report.html");
  });

  it("keeps no secret in the threads' records either", async () => {
    const { Items = [] } = await dynamoDbClient().send(new ScanCommand({ TableName: dynamo.table }));
    expect(Items.length).toBeGreaterThan(0);
    expectNoSecretIn(JSON.stringify(Items), "DynamoDB");
  });
});
