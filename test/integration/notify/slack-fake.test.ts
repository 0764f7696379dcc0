/**
 * The local Slack fake answers like Slack: the real @slack/web-api client and plain HTTP calls
 * against it, over a real socket.
 */
import { LogLevel, WebClient } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mrkdwnToHtml } from "../../../lib/local/slack-fake/blocks-html.ts";
import { startSlackServer, type SlackServer } from "../../support/notify/slack-server.ts";

const TOKEN = "xoxb-1-2-fakeTestToken";
let slack: SlackServer;
const printed: string[] = [];

beforeAll(async () => {
  slack = await startSlackServer({ tokens: [TOKEN], print: (line) => printed.push(line) });
});
afterAll(() => slack.close());
beforeEach(() => {
  slack.fake.reset();
  printed.length = 0;
});

const client = (token = TOKEN) => new WebClient(token, { slackApiUrl: slack.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
const platformError = async (promise: Promise<unknown>) => ((await promise.catch((e: { data?: { error?: string } }) => e)) as { data?: { error?: string } }).data?.error;

describe("the Slack fake's Web API", () => {
  it("posts, threads and updates like Slack, answering with the channel's ID", async () => {
    const web = client();
    expect(await web.auth.test()).toMatchObject({ ok: true, user_id: "U0RUNWAY1" });
    const parent = await web.chat.postMessage({ channel: "#deploys", text: "acme/api: queued" });
    expect(parent.channel).toMatch(/^C[A-Z0-9]{8}$/);
    await web.chat.postMessage({ channel: parent.channel!, thread_ts: parent.ts!, text: "build queued", blocks: [{ type: "section", text: { type: "mrkdwn", text: "*build* queued" } }] });
    await web.chat.update({ channel: parent.channel!, ts: parent.ts!, text: "acme/api: running" });

    const [thread] = slack.fake.threads();
    expect(thread).toMatchObject({ channelName: "#deploys", parent: { text: "acme/api: running", edits: 1 } });
    expect(thread!.replies.map((r) => r.text)).toEqual(["build queued"]);
    expect(printed).toEqual([
      `slack #deploys ● new thread ${parent.ts}  acme/api: queued`,
      `slack #deploys ↳ ${parent.ts}  build queued`,
      `slack #deploys ✎ ${parent.ts}  acme/api: running`,
    ]);
  });

  it("refuses what Slack refuses", async () => {
    const web = client();
    expect(await platformError(client("xoxb-1-2-wrong").chat.postMessage({ channel: "#x", text: "t" }))).toBe("invalid_auth");
    expect(await platformError(new WebClient(undefined, { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR }).auth.test())).toBe("not_authed");
    const posted = await web.chat.postMessage({ channel: "#x", text: "t" });
    // chat.update wants the channel's ID, not its name.
    expect(await platformError(web.chat.update({ channel: "#x", ts: posted.ts!, text: "u" }))).toBe("channel_not_found");
    expect(await platformError(web.chat.update({ channel: posted.channel!, ts: "1.000001", text: "u" }))).toBe("message_not_found");
    expect(await platformError(web.chat.postMessage({ channel: "C99999999X", text: "t" }))).toBe("channel_not_found");
    expect(await platformError(web.chat.postMessage({ channel: "#x", text: "" }))).toBe("no_text");
    const tooLong = { type: "header" as const, text: { type: "plain_text" as const, text: "x".repeat(151) } };
    expect(await platformError(web.chat.postMessage({ channel: "#x", text: "t", blocks: [tooLong] }))).toBe("invalid_blocks");
    expect(await platformError(web.chat.postMessage({ channel: "#x", text: "t", thread_ts: "1.2" }))).toBe("thread_not_found");
  });

  it("takes JSON bodies too, with the token in the Authorization header", async () => {
    const response = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ channel: "#json", text: "from JSON" }),
    });
    expect(await response.json()).toMatchObject({ ok: true });
    expect(slack.fake.messages()[0]).toMatchObject({ channelName: "#json", text: "from JSON" });
  });

  it("answers 429 with Retry-After, then 503, as many times as told", async () => {
    slack.fake.failures.rateLimit(1, 7);
    slack.fake.failures.down(1);
    const call = () => fetch(`${slack.apiUrl}auth.test`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } });
    const limited = await call();
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "7"]);
    expect((await call()).status).toBe(503);
    expect((await call()).status).toBe(200);
  });

  it("takes incoming-webhook posts into the webhook's channel", async () => {
    const post = (body: string) => fetch(slack.webhookUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
    const ok = await post(JSON.stringify({ text: "hello from a webhook" }));
    expect([ok.status, await ok.text()]).toEqual([200, "ok"]);
    const bad = await post("{not json");
    expect([bad.status, await bad.text()]).toEqual([400, "invalid_payload"]);
    expect(slack.fake.messages()).toMatchObject([{ via: "webhook", channelName: "#incoming-webhook", text: "hello from a webhook" }]);
  });

  it("serves the page and leaves other paths to the server that mounts it", async () => {
    await client().chat.postMessage({ channel: "#page", text: "visible <https://github.com/acme|acme> & co" });
    const page = await (await fetch(`${slack.origin}/slack`)).text();
    expect(page).toContain("<h2>#page</h2>");
    expect(page).toContain('<a href="https://github.com/acme" target="_blank" rel="noopener noreferrer">acme</a> &amp; co');
    expect((await fetch(`${slack.origin}/elsewhere`)).status).toBe(404);
  });
});

describe("mrkdwn on the page", () => {
  it("renders Slack's formatting and nothing a message could smuggle in", () => {
    expect(mrkdwnToHtml(":x: *<https://x.example/run|build>* failed at `npm test`")).toBe(
      '❌ <b><a href="https://x.example/run" target="_blank" rel="noopener noreferrer">build</a></b> failed at <code>npm test</code>',
    );
    expect(mrkdwnToHtml("<!here> &lt;script&gt;alert(1)&lt;/script&gt;")).toBe('<span class="mention">@here</span> &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mrkdwnToHtml("<javascript:alert(1)|click>")).toBe("click");
    expect(mrkdwnToHtml("```line 1\n<b>line 2</b>```")).toBe("<pre>line 1\n&lt;b&gt;line 2&lt;/b&gt;</pre>");
  });
});
