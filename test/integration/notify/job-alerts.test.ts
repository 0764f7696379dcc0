/**
 * A runner handed another run's job (`job.foreign`) and a refused launch (`job.refused`), end to
 * end: SQS records through the Slack notifier function, the real @slack/web-api client posting to
 * the local Slack fake, threads in a local DynamoDB.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setConfig } from "../../../lib/config/runtime.ts";
import type { NotificationEvent } from "../../../lib/notify/events.ts";
import { startLocalDynamo, type LocalDynamo } from "../../support/notify/dynamodb.ts";
import { build, event, job, run as baseRun } from "../../support/notify/events.ts";
import { failedIds, invokeNotifier, useNotifyConfig } from "../../support/notify/lambda.ts";
import { startSlackServer, type SlackServer } from "../../support/notify/slack-server.ts";

const TOKEN = "xoxb-100-200-alertsTestToken";
const CHANNEL = "#deploys-dev";
let dynamo: LocalDynamo;
let slack: SlackServer;

beforeAll(async () => {
  dynamo = await startLocalDynamo("runway-notify-alerts");
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
  useNotifyConfig();
});
afterEach(() => {
  delete process.env.SLACK_BOT_TOKEN;
  delete process.env.SLACK_API_URL;
});

let runIds = 1;
const freshRun = () => {
  const runId = 6_000_000 + runIds++;
  return { ...baseRun, runId, url: `https://github.com/acme/api/actions/runs/${runId}` };
};

const installationToken = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";

function foreignAlert(run: ReturnType<typeof freshRun>, extra: { reason?: string } = {}): NotificationEvent {
  return event({
    type: "job.foreign",
    channel: CHANNEL,
    run,
    job,
    runnerName: "runway-dev-6b1c2a3e",
    build,
    foreign: {
      id: 77,
      name: "deploy-stg",
      url: "https://github.com/acme/web/actions/runs/9001/job/77",
      repository: "acme/web",
      runId: 9001,
      workflowName: "action-stg-deploy",
      environment: "stg",
      reason: extra.reason ?? `job 77 is run 9001's, the runner was launched for run ${run.runId}`,
    },
    actions: [`stopped build ${build.id}`, "removed runner runway-dev-6b1c2a3e", `relaunched job ${job.id}`],
  });
}

const replies = () => slack.fake.requests().filter((r) => r.method === "chat.postMessage" && r.status === 200 && !r.error && r.args.thread_ts);

describe("alerts in a run's thread", () => {
  it("posts a foreign-job alert in the run's thread and, with reply_broadcast, in the channel, even without broadcastFailures", async () => {
    const run = freshRun();
    const events = [
      event({ type: "job.queued", channel: CHANNEL, run, job }),
      event({ type: "job.launched", channel: CHANNEL, run, job, build }),
      foreignAlert(run),
    ];
    expect(failedIds(await invokeNotifier(events))).toEqual([]);
    // Redelivered: one alert, not two.
    expect(failedIds(await invokeNotifier([foreignAlert(run)]))).toEqual([]);

    const [thread] = slack.fake.threads();
    expect(slack.fake.threads()).toHaveLength(1);
    expect(thread!.parent.text).toBe("acme/api · action-dev-deploy: running (dev), needs attention");
    expect(JSON.stringify(thread!.parent.blocks)).toContain("a runner of this run took another job");
    const alerts = thread!.replies.filter((r) => r.text.startsWith("⚠️"));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      broadcast: true,
      text: "⚠️ Runner runway-dev-6b1c2a3e (launched for deploy of this run) was handed job deploy-stg of acme/web run 9001 (stg)",
    });
    // Only the alert was sent to the channel, and the channel shows it after the thread's parent.
    expect(replies().map((r) => r.args.reply_broadcast === true || r.args.reply_broadcast === "true")).toEqual([false, false, true]);
    expect(slack.fake.channel(CHANNEL).map((m) => m.text)).toEqual([thread!.parent.text, alerts[0]!.text]);

    const page = await (await fetch(`${slack.origin}/slack`)).text();
    expect(page).toContain('<article class="broadcast"');
    expect(page).toContain("replied to a thread: acme/api · action-dev-deploy: running (dev), needs attention");
  });

  it("scrubs a secret out of the alert's reason and actions", async () => {
    const run = freshRun();
    const alert = foreignAlert(run, { reason: `runner registered with ${installationToken}` });
    expect(failedIds(await invokeNotifier([{ ...alert, actions: [`stopped build with token ${TOKEN}`] } as NotificationEvent]))).toEqual([]);
    const sent = slack.fake.requests().map((r) => r.rawBody).join("\n");
    expect(sent).not.toContain(installationToken);
    expect(sent).not.toContain(TOKEN);
    expect(JSON.stringify(slack.fake.threads()[0]!.replies[0]!.blocks)).toContain("[redacted]");
  });

  it("shows a refused launch in the thread, and the job as not launched in the parent", async () => {
    const run = freshRun();
    const reason = "launch attempts exhausted (CodeBuild refused 5 times: AccountLimitExceededException)";
    const events = [
      event({ type: "job.queued", channel: CHANNEL, run, job }),
      event({ type: "job.refused", channel: CHANNEL, run, job, reason, replay: `npx runway replay --job ${job.id}` }),
    ];
    expect(failedIds(await invokeNotifier(events))).toEqual([]);

    const [thread] = slack.fake.threads();
    expect(thread!.parent.text).toBe("acme/api · action-dev-deploy: queued (dev), needs attention");
    expect(JSON.stringify(thread!.parent.blocks)).toContain(`|deploy> not launched · _${reason}_`);
    const last = thread!.replies.at(-1)!;
    expect(last).toMatchObject({ broadcast: false, text: `deploy was not launched: ${reason} (replay: npx runway replay --job ${job.id})` });
    expect(JSON.stringify(last.blocks)).toContain("Replay it with `npx runway replay --job 31000001`");
    expect(slack.fake.channel(CHANNEL)).toHaveLength(1);
  });
});
