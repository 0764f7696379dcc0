/**
 * The local Slack page in a real headless browser (Debian's chromium): a run's notifications go
 * through the notifier function to the fake, and the page shows its thread as a person would see it.
 *
 * Skipped only on a developer machine without /usr/bin/chromium; in CI (CI=true) it must run.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setConfig } from "../../../lib/config/runtime.ts";
import { startLocalDynamo, type LocalDynamo } from "../../support/notify/dynamodb.ts";
import { failingRun } from "../../support/notify/events.ts";
import { failedIds, invokeNotifier, useNotifyConfig } from "../../support/notify/lambda.ts";
import { startSlackServer, type SlackServer } from "../../support/notify/slack-server.ts";

const CHROMIUM = "/usr/bin/chromium";
const skip = !existsSync(CHROMIUM) && process.env.CI !== "true";
const title = skip ? `the local Slack page in a browser (SKIPPED: ${CHROMIUM} is missing; apt-get install -y chromium)` : "the local Slack page in a browser";

describe.skipIf(skip)(title, () => {
  const TOKEN = "xoxb-9-9-browserTestToken";
  let dynamo: LocalDynamo;
  let slack: SlackServer;
  let browser: Browser;

  beforeAll(async () => {
    dynamo = await startLocalDynamo("runway-browser");
    slack = await startSlackServer({ tokens: [TOKEN] });
    Object.assign(process.env, { SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: slack.apiUrl });
    useNotifyConfig({ mentionOnFailure: "@here" });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await slack?.close();
    await dynamo?.close();
    delete process.env.SLACK_BOT_TOKEN;
    delete process.env.SLACK_API_URL;
    setConfig(undefined);
  });

  it("shows the run's thread: its parent with the status, its replies and working links", async () => {
    expect(failedIds(await invokeNotifier(failingRun("#deploys-dev", { runId: 424242 })))).toEqual([]);

    const page = await browser.newPage();
    try {
      await page.goto(`${slack.origin}/slack`);
      const thread = page.locator("article.thread", { hasText: "acme/api · action-dev-deploy" });
      await expect.poll(() => thread.count()).toBe(1);
      expect(await page.locator("section.channel h2").allTextContents()).toEqual(["#deploys-dev"]);
      expect(await thread.locator(".status").textContent()).toBe("failed");
      expect(await thread.locator(".message.parent").innerText()).toContain("acme/api · action-dev-deploy failed");
      expect(await thread.locator(".replies .count").textContent()).toBe("5 replies");
      const replies = await thread.locator(".message.reply").allInnerTexts();
      expect(replies.some((r) => r.includes("@here") && r.includes("deploy failed at step Run integration tests"))).toBe(true);
      expect(await thread.locator(".message.reply pre").first().innerText()).toContain("Error: expected 200, got 503");
      const runLink = thread.locator(".message.parent a", { hasText: "acme/api · action-dev-deploy" });
      expect(await runLink.getAttribute("href")).toBe("https://github.com/acme/api/actions/runs/424242");
      expect(await thread.locator("a.button", { hasText: "📎 test-report.html" }).getAttribute("href")).toMatch(/^https:\/\/runway-artifacts\.s3/);
      if (process.env.RUNWAY_SCREENSHOT) await page.screenshot({ path: process.env.RUNWAY_SCREENSHOT, fullPage: true });
    } finally {
      await page.close();
    }
  });
});
