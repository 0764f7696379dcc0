/**
 * The Slack notifier function end to end: SQS records in, the real @slack/web-api client posting
 * over HTTP to the local Slack fake, threads kept in a real local DynamoDB (dynalite).
 */
import { WebClient } from "@slack/web-api";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setConfig } from "../../../lib/config/runtime.ts";
import { startLocalDynamo, type LocalDynamo } from "../../support/notify/dynamodb.ts";
import { deployment, event, failingRun } from "../../support/notify/events.ts";
import { failedIds, invokeNotifier, records, useNotifyConfig } from "../../support/notify/lambda.ts";
import { startSlackServer, type SlackServer } from "../../support/notify/slack-server.ts";

const TOKEN = "xoxb-100-200-notifierTestToken";
let dynamo: LocalDynamo;
let slack: SlackServer;

beforeAll(async () => {
  dynamo = await startLocalDynamo("runway-notify-it");
  slack = await startSlackServer({ tokens: [TOKEN] });
});
afterAll(async () => {
  await slack.close();
  await dynamo.close();
  setConfig(undefined);
});
beforeEach(() => {
  slack.fake.reset();
  process.env.SLACK_BOT_TOKEN = TOKEN;
  process.env.SLACK_API_URL = slack.apiUrl;
  useNotifyConfig({ mentionOnFailure: "@here" });
});
afterEach(() => {
  delete process.env.SLACK_BOT_TOKEN;
  delete process.env.SLACK_API_URL;
  delete process.env.SLACK_WEBHOOK_URL;
});

/** A run of its own, so tests sharing the table never share a thread. */
let runIds = 1;
const freshRun = () => failingRun("#deploys-dev", { runId: 5_000_000 + runIds++ });

const posts = () => slack.fake.requests().filter((r) => r.method === "chat.postMessage" && r.status === 200 && !r.error);

describe("the Slack notifier", () => {
  it("keeps one thread per run: the parent rewritten in place, a reply per job and build event", async () => {
    const events = freshRun();
    expect(failedIds(await invokeNotifier(events))).toEqual([]);

    const threads = slack.fake.threads();
    expect(threads).toHaveLength(1);
    const [thread] = threads;
    expect(thread!.channelName).toBe("#deploys-dev");
    expect(thread!.parent.text).toMatch(/^acme\/api · action-dev-deploy: failed \(dev\)$/);
    expect(thread!.parent.edits).toBeGreaterThan(0);
    expect(thread!.replies.map((r) => r.text)).toEqual([
      "deploy queued",
      expect.stringMatching(/^deploy: runner build runway-runner-dev:.* started in eu-west-1$/),
      "deploy picked up by runner runway-6b1c2a3e",
      "<!here> deploy failed at step Run integration tests",
      expect.stringMatching(/^Runner build runway-runner-dev:.* FAILED: the job failed at step Run integration tests/),
    ]);
    expect(posts().filter((r) => !r.args.thread_ts)).toHaveLength(1);
  });

  it("still keeps one parent and no duplicate reply when events come out of order and twice", async () => {
    const events = freshRun();
    const shuffled = [events[4]!, events[2]!, events[0]!, events[5]!, events[1]!, events[3]!];
    for (const e of shuffled) expect(failedIds(await invokeNotifier([e]))).toEqual([]);
    expect(failedIds(await invokeNotifier([events[4]!, events[1]!]))).toEqual([]);

    const [thread] = slack.fake.threads();
    expect(slack.fake.threads()).toHaveLength(1);
    expect(thread!.replies).toHaveLength(5);
    expect(thread!.parent.text).toContain(": failed");
  });

  it("opens a single thread when two invocations get a run's first events at the same moment", async () => {
    const events = freshRun();
    const results = await Promise.all([invokeNotifier([events[0]!]), invokeNotifier([events[1]!]), invokeNotifier([events[2]!])]);
    expect(results.flatMap(failedIds)).toEqual([]);
    const threads = slack.fake.threads();
    expect(threads).toHaveLength(1);
    expect(threads[0]!.replies.map((r) => r.text)).toEqual(expect.arrayContaining(["deploy queued"]));
    expect(threads[0]!.replies).toHaveLength(2);
    // Every invocation that lost the race deleted the parent it had posted.
    const parentsPosted = posts().filter((r) => !r.args.thread_ts).length;
    expect(slack.fake.requests().filter((r) => r.method === "chat.delete" && !r.error)).toHaveLength(parentsPosted - 1);
  });

  it("honours a 429's Retry-After: the message is posted once, after waiting, and the record is not lost", async () => {
    const events = freshRun().slice(0, 2);
    slack.fake.failures.rateLimit(1, 1);
    expect(failedIds(await invokeNotifier(events))).toEqual([]);
    const calls = slack.fake.requests();
    expect(calls[0]).toMatchObject({ method: "chat.postMessage", status: 429 });
    expect(slack.fake.threads()).toHaveLength(1);
    expect(posts().filter((r) => !r.args.thread_ts)).toHaveLength(1);
    expect(slack.fake.threads()[0]!.replies).toHaveLength(1);
  });

  it("gives the batch back to the queue for a long Retry-After rather than sleeping through the invocation", async () => {
    const events = freshRun().slice(0, 3);
    slack.fake.failures.rateLimit(1, 120);
    const batch = records(events);
    expect(failedIds(await invokeNotifier(batch))).toEqual(batch.map((r) => r.messageId));
    expect(slack.fake.threads()).toHaveLength(0);
  });

  it("reports the records back to the queue while Slack is down, and delivers them once when it is back", async () => {
    const events = freshRun();
    const batch = records(events);
    slack.fake.failures.down();
    expect(failedIds(await invokeNotifier(batch))).toEqual(batch.map((r) => r.messageId));
    expect(slack.fake.threads()).toHaveLength(0);

    slack.fake.failures.clear();
    expect(failedIds(await invokeNotifier(batch))).toEqual([]);
    expect(slack.fake.threads()).toHaveLength(1);
    expect(slack.fake.threads()[0]!.replies).toHaveLength(5);
  });

  it("fails the record (to be parked in the dead-letter queue) when Slack refuses the token", async () => {
    process.env.SLACK_BOT_TOKEN = "xoxb-100-200-revokedToken";
    useNotifyConfig();
    const batch = records(freshRun().slice(0, 1));
    expect(failedIds(await invokeNotifier(batch))).toEqual([batch[0]!.messageId]);
    expect(slack.fake.requests()[0]).toMatchObject({ method: "chat.postMessage", error: "invalid_auth" });
  });

  it("posts the parent again when someone deleted it in Slack, and carries on in the new thread", async () => {
    const events = freshRun();
    expect(failedIds(await invokeNotifier(events.slice(0, 3)))).toEqual([]);
    const [old] = slack.fake.threads();
    await new WebClient(TOKEN, { slackApiUrl: slack.apiUrl }).chat.delete({ channel: old!.channel, ts: old!.ts });

    expect(failedIds(await invokeNotifier(events.slice(3)))).toEqual([]);
    const threads = slack.fake.threads();
    expect(threads).toHaveLength(1);
    expect(threads[0]!.ts).not.toBe(old!.ts);
    expect(threads[0]!.parent.text).toContain(": failed");
    expect(threads[0]!.replies).toHaveLength(3);
  });

  it("opens a deployment's thread in the channel the event names", async () => {
    const d = { ...deployment, id: "d-NOTIFIER1" };
    const events = [
      event({ type: "deploy.started", deployment: d, channel: "#deploys-prd" }),
      event({ type: "deploy.verdict", deployment: d, channel: "#deploys-prd", hook: "AfterAllowTestTraffic", verdict: "Succeeded", evidence: ["GET /health 200 in 41 ms"] }),
      event({ type: "deploy.finished", deployment: d, channel: "#deploys-prd", outcome: "succeeded" }),
    ];
    expect(failedIds(await invokeNotifier(events))).toEqual([]);
    const [thread] = slack.fake.threads();
    expect(thread).toMatchObject({ channelName: "#deploys-prd" });
    expect(thread!.parent.text).toBe("Deployment api / api-prd d-NOTIFIER1: succeeded");
    expect(thread!.replies.map((r) => r.text)).toEqual(["AfterAllowTestTraffic: Succeeded", "Deployment succeeded"]);
  });

  it("posts each listed event as a message of its own in webhook mode, honouring 429 there too", async () => {
    delete process.env.SLACK_BOT_TOKEN;
    process.env.SLACK_WEBHOOK_URL = slack.webhookUrl;
    useNotifyConfig({ mode: "webhook" });
    slack.fake.failures.rateLimit(1, 1);
    expect(failedIds(await invokeNotifier(freshRun()))).toEqual([]);
    const messages = slack.fake.messages();
    expect(messages.every((m) => m.via === "webhook" && !m.threadTs)).toBe(true);
    expect(messages.map((m) => m.text)).toEqual([
      "acme/api · action-dev-deploy: deploy failed at step Run integration tests",
      expect.stringMatching(/^acme\/api · action-dev-deploy: Runner build .* FAILED/),
    ]);
  });
});
