import { describe, expect, it } from "vitest";
import { blockProblems } from "../../../lib/local/slack-fake/validate.ts";
import type { NotificationEvent } from "../../../lib/notify/events.ts";
import type { SlackMessage } from "../../../lib/notify/render/blocks.ts";
import { renderParent } from "../../../lib/notify/render/parent.ts";
import { renderReply } from "../../../lib/notify/render/replies.ts";
import { renderStandalone } from "../../../lib/notify/render/standalone.ts";
import { applyEvent, newSubject } from "../../../lib/notify/thread-state.ts";
import { build, deployment, event, failingRun, job, run } from "../../support/notify/events.ts";

const all = (msg: SlackMessage) => JSON.stringify(msg);
const buttonUrls = (msg: SlackMessage) => msg.blocks.flatMap((b) => (b.type === "actions" ? b.elements.map((e) => [e.text.text, e.url]) : []));

function parentAfter(events: NotificationEvent[]): SlackMessage {
  return renderParent(events.reduce((s, e) => applyEvent(s, e), newSubject(events[0]!)));
}

describe("the parent message", () => {
  it("names the run, links it, and says how it is going, with a line per job", () => {
    const events = failingRun();
    const queued = parentAfter(events.slice(0, 1));
    expect(queued.text).toBe("acme/api · action-dev-deploy: queued (dev)");
    expect(all(queued)).toContain("<https://github.com/acme/api/actions/runs/9100200300|acme/api · action-dev-deploy>");

    const running = parentAfter(events.slice(0, 4));
    expect(running.text).toContain(": running");
    expect(all(running)).toContain("/job/31000001|deploy> running · <https://eu-west-1.console.aws.amazon.com/codesuite/codebuild/");

    const failed = parentAfter(events);
    expect(failed.text).toBe("acme/api · action-dev-deploy: failed (dev)");
    expect(all(failed)).toContain("failed at *Run integration tests*");
    expect(all(failed)).toContain("codesuite/codebuild/projects/runway-runner-dev/build/runway-runner-dev%3A6b1c2a3e");
  });

  it("is the same message for the same state (the notifier compares renderings)", () => {
    expect(parentAfter(failingRun())).toEqual(parentAfter(failingRun()));
  });

  it("shows a deployment's hooks and outcome", () => {
    const msg = parentAfter([
      event({ type: "deploy.verdict", deployment, hook: "AfterAllowTestTraffic", verdict: "Failed", evidence: ["p99 900 ms > 500 ms"] }),
      event({ type: "deploy.finished", deployment, outcome: "rolled_back", reason: "AfterAllowTestTraffic failed" }),
    ]);
    expect(msg.text).toBe("Deployment api / api-prd d-ABCDEF123: rolled back");
    expect(all(msg)).toContain(":x: AfterAllowTestTraffic");
    expect(buttonUrls(msg)).toContainEqual(["CodeDeploy", "https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-ABCDEF123?region=eu-west-1"]);
  });
});

describe("replies", () => {
  it("say where a job failed, show the end of its log and link its artifacts, build and logs", () => {
    const completed = failingRun()[4]!;
    const msg = renderReply(completed);
    expect(msg.text).toBe("deploy failed at step Run integration tests");
    expect(all(msg)).toContain("```npm ERR! 3 tests failed\\nError: expected 200, got 503```");
    const urls = buttonUrls(msg);
    expect(urls.map(([label]) => label)).toEqual(["📎 test-report.html", "Job log", "CodeBuild build", "Build logs"]);
    expect(urls[3]![1]).toContain("/log?region=eu-west-1");
  });

  it("explain why a runner build ended as it did", () => {
    const finished = (cause: any) => renderReply(event({ type: "build.finished", run, build, status: "FAILED", cause })).text;
    expect(finished({ kind: "job-failed", step: "Deploy" })).toContain("the job failed at step Deploy, so the build was marked failed");
    expect(finished({ kind: "runner-never-got-a-job" })).toContain("the runner never got a job");
    expect(finished({ kind: "build-broke", phase: "DOWNLOAD_SOURCE", message: "access denied" })).toContain("broke in phase DOWNLOAD_SOURCE: access denied");
  });

  it("lists a verdict's evidence and mentions people when asked", () => {
    const verdict = event({ type: "deploy.verdict", deployment, hook: "BeforeAllowTraffic", verdict: "Failed", evidence: ["GET /health → 503", "error rate 12% > 1%"] });
    const msg = renderReply(verdict, { mention: "@here" });
    expect(msg.text.startsWith("<!here> BeforeAllowTraffic: Failed")).toBe(true);
    expect(all(msg)).toContain("• GET /health → 503\\n• error rate 12% &gt; 1%");
  });

  it("escape what GitHub or a job controls, so it cannot become a link or a mention", () => {
    const evil = event({ type: "job.started", run, job: { ...job, name: "<!channel> <https://evil.example|click>" }, runnerName: "r" });
    const msg = renderReply(evil);
    expect(all(msg)).not.toContain("<!channel>");
    expect(all(msg)).toContain("&lt;!channel&gt;");
  });

  it("stay inside Slack's limits with a huge log and many artifacts", () => {
    const artifacts = Array.from({ length: 40 }, (_, i) => ({ name: `file-${i}.log`, url: `https://example.com/${i}` }));
    const msg = renderReply(event({ type: "job.completed", run, job, conclusion: "failure", logExcerpt: "x".repeat(100_000), artifacts, build }));
    expect(blockProblems(msg.blocks)).toEqual([]);
    expect(all(msg)).toContain("file-39.log");
  });
});

describe("every message Runway renders", () => {
  it("passes the Block Kit checks Slack applies", () => {
    const events = [
      ...failingRun(),
      event({ type: "run.completed", run, conclusion: "failure" }),
      event({ type: "deploy.started", deployment }),
      event({ type: "deploy.verdict", deployment, hook: "AfterInstall", verdict: "Succeeded", evidence: Array.from({ length: 30 }, (_, i) => `check ${i} ok`) }),
      event({ type: "deploy.finished", deployment, outcome: "succeeded" }),
    ];
    for (const e of events) {
      for (const msg of [renderReply(e, { mention: "@channel" }), renderStandalone(e)]) expect(blockProblems(msg.blocks), e.type).toEqual([]);
    }
    expect(blockProblems(parentAfter(failingRun()).blocks)).toEqual([]);
  });

  it("says what it is about when it stands alone (webhook mode)", () => {
    const msg = renderStandalone(failingRun()[4]!);
    expect(msg.text).toBe("acme/api · action-dev-deploy: deploy failed at step Run integration tests");
    expect(msg.blocks[0]).toMatchObject({ type: "context" });
  });
});
