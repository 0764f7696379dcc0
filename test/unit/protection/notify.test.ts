/** The decision in the run's Slack thread: the `deploy.protection` reply. */
import { describe, expect, it } from "vitest";
import { blockProblems } from "../../../lib/local/slack-fake/validate.ts";
import { renderParent } from "../../../lib/notify/render/parent.ts";
import { renderReply } from "../../../lib/notify/render/replies.ts";
import { renderStandalone } from "../../../lib/notify/render/standalone.ts";
import { applyEvent, newSubject, statusOf } from "../../../lib/notify/thread-state.ts";
import { notifyDefaults } from "../../../lib/config/notify-defaults.ts";
import { event, run } from "../../support/notify/events.ts";

const approved = event({
  type: "deploy.protection",
  run,
  environment: "production",
  state: "approved",
  evidence: ["✓ 4f672e6 succeeded in staging 2 h ago (deployment 5)", "✓ alarms OK: shop-5xx OK"],
  deploymentId: 77,
});
const rejected = event({ type: "deploy.protection", run, environment: "production", state: "rejected", evidence: ["✗ shop-5xx ALARM: shop-5xx is in <ALARM>"], deploymentId: 77 });
const undelivered = event({ type: "deploy.protection", run, environment: "production", state: "rejected", delivered: false, note: "GitHub answered 403; parked", deploymentId: 77 });

describe("the protection rule's reply", () => {
  it("says which environment was approved or rejected, with a line per condition, escaped", () => {
    const ok = renderReply(approved);
    expect(ok.text).toBe("Deployment to production approved by Runway's protection rule");
    expect(JSON.stringify(ok)).toContain("• ✓ alarms OK: shop-5xx OK");
    const no = renderReply(rejected);
    expect(no.text).toBe("Deployment to production rejected by Runway's protection rule");
    expect(JSON.stringify(no)).toContain("*rejected*");
    expect(JSON.stringify(no)).toContain("is in &lt;ALARM&gt;");
    for (const msg of [ok, no, renderReply(undelivered), renderStandalone(rejected)]) expect(blockProblems(msg.blocks)).toEqual([]);
  });

  it("warns when GitHub did not take the answer: the job still waits, and why", () => {
    const msg = renderReply(undelivered);
    expect(msg.text).toBe("Runway's answer for production (rejected) did not reach GitHub: GitHub answered 403; parked");
    expect(JSON.stringify(msg)).toContain("*Why:* GitHub answered 403; parked");
  });

  it("is a reply of its own in the run's thread, by default, and a message in webhook mode", () => {
    expect(approved).toMatchObject({ type: "deploy.protection", delivered: true });
    expect(notifyDefaults().replyEvents).toContain("deploy.protection");
    expect(notifyDefaults().webhookEvents).toContain("deploy.protection");
    expect(renderStandalone(approved).text).toContain("acme/api");
  });

  it("leaves the run's own status alone: the run's jobs tell how it goes", () => {
    const subject = applyEvent(newSubject(rejected), rejected);
    expect(statusOf(subject)).toBe("queued");
    expect(renderParent(subject).text).toContain("queued");
  });
});
