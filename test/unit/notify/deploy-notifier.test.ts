import { describe, expect, it } from "vitest";
import type { DeploymentStateChange } from "../../../lib/deploy/notifier.ts";
import { queuedDeploymentNotifier } from "../../../lib/notify/deploy-notifier.ts";
import { defaultEventId, notificationSchema, threadKeyOf, type NotificationInput } from "../../../lib/notify/events.ts";

function collect() {
  const sent: NotificationInput[] = [];
  const notifier = queuedDeploymentNotifier({ channel: "#deploys-prd", environment: "prd", send: async (e) => void sent.push(e) });
  /** What the consumer would read: each event completed and validated. */
  const parsed = () => sent.map((e) => notificationSchema.parse({ ...e, id: defaultEventId(e), at: "2025-01-01T00:00:00Z", thread: threadKeyOf(e) }));
  return { notifier, sent, parsed };
}

const subject = { deploymentId: "d-ABCDEF123", executionId: "x", hook: "AfterAllowTestTraffic", applicationName: "api", deploymentGroupName: "api-prd", computePlatform: "ECS" };
const change = (state: DeploymentStateChange["state"], reason?: string): DeploymentStateChange => ({
  source: "codedeploy",
  deploymentId: "d-ABCDEF123",
  state,
  applicationName: "api",
  deploymentGroupName: "api-prd",
  computePlatform: "ECS",
  resource: undefined,
  region: "eu-west-1",
  time: undefined,
  rollback: undefined,
  reason,
});

describe("queuedDeploymentNotifier", () => {
  it("turns a hook verdict into a deploy.verdict event with its evidence", async () => {
    const { notifier, parsed } = collect();
    await notifier.verdict({ subject, verdict: { status: "Failed", reason: "1 of 2 checks failed", checks: [] }, delivery: "reported", lines: ["Failed: …", "  ✗ health: GET /health 503"] });
    expect(parsed()).toMatchObject([
      { type: "deploy.verdict", channel: "#deploys-prd", thread: "deployment:d-ABCDEF123", hook: "AfterAllowTestTraffic", verdict: "Failed", evidence: ["1 of 2 checks failed", "✗ health: GET /health 503"], deployment: { application: "api", platform: "ECS", environment: "prd" } },
    ]);
  });

  it("says nothing about a verdict CodeDeploy had already settled, and warns about one it never received", async () => {
    const { notifier, sent } = collect();
    const verdict = { status: "Succeeded" as const, reason: "ok", checks: [] };
    await notifier.verdict({ subject, verdict, delivery: "already-completed", lines: [] });
    await notifier.verdict({ subject, verdict, delivery: "not-delivered", lines: [] });
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent[0])).toContain("CodeDeploy did not receive this verdict");
  });

  it("maps deployment states to the thread's start and end", async () => {
    const { notifier, parsed } = collect();
    for (const state of ["started", "in-progress", "ready", "rolling-back", "failed", "rolled-back"] as const) await notifier.stateChanged(change(state, state === "failed" ? "AfterAllowTestTraffic failed" : undefined));
    expect(parsed().map((e) => (e.type === "deploy.finished" ? `${e.type}:${e.outcome}` : e.type))).toEqual(["deploy.started", "deploy.finished:failed", "deploy.finished:rolled_back"]);
  });
});
