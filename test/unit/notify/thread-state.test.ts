import { describe, expect, it } from "vitest";
import type { NotificationEvent } from "../../../lib/notify/events.ts";
import { applyEvent, newSubject, statusOf, type RunSubject, type ThreadSubject } from "../../../lib/notify/thread-state.ts";
import { build, deployment, event, job, run } from "../../support/notify/events.ts";

function replay(events: NotificationEvent[]): ThreadSubject {
  return events.reduce((subject, e) => applyEvent(subject, e), newSubject(events[0]!));
}

const queued = event({ type: "job.queued", run, job });
const launched = event({ type: "job.launched", run, job, build });
const started = event({ type: "job.started", run, job, runnerName: "runway-1" });
const completed = (conclusion: "success" | "failure") =>
  event({ type: "job.completed", run, job, conclusion, failedSteps: conclusion === "failure" ? ["Test"] : [] });

describe("thread state", () => {
  it("follows a job from queued to running to its conclusion", () => {
    expect(statusOf(replay([event({ type: "run.queued", run })]))).toBe("queued");
    expect(statusOf(replay([queued]))).toBe("queued");
    expect(statusOf(replay([queued, launched]))).toBe("running");
    expect(statusOf(replay([queued, launched, started, completed("success")]))).toBe("succeeded");
    expect(statusOf(replay([queued, launched, started, completed("failure")]))).toBe("failed");
  });

  it("never goes backwards when events arrive out of order", () => {
    const subject = replay([completed("failure"), started, launched, queued]) as RunSubject;
    expect(statusOf(subject)).toBe("failed");
    expect(subject.jobs.deploy).toMatchObject({ status: "failed", failedStep: "Test", runner: "runway-1", build: { id: build.id } });
  });

  it("lets a re-run (a later attempt) replace the failed attempt", () => {
    const rerun = { ...run, runAttempt: 2 };
    const again = event({ type: "job.queued", run: rerun, job: { ...job, id: job.id + 1 } });
    const subject = replay([queued, completed("failure"), again]) as RunSubject;
    expect(statusOf(subject)).toBe("queued");
    expect(subject.jobs.deploy).toMatchObject({ attempt: 2, id: job.id + 1 });
    // A late event of the first attempt changes nothing.
    expect(statusOf(applyEvent(subject, completed("failure")))).toBe("queued");
  });

  it("shows the run running while some jobs are done and others wait", () => {
    const other = { id: 2, name: "migrate" };
    expect(statusOf(replay([queued, event({ type: "job.queued", run, job: other }), completed("success")]))).toBe("running");
  });

  it("takes the run's own conclusion over what its jobs suggest", () => {
    expect(statusOf(replay([queued, event({ type: "run.completed", run, conclusion: "cancelled" })]))).toBe("cancelled");
  });

  it("notes a broken runner build on a job that never started, and forgets it once the job runs", () => {
    const broke = event({ type: "build.finished", run, job, build, status: "FAILED", cause: { kind: "build-broke", phase: "PROVISIONING" } });
    const noted = replay([queued, launched, broke]) as RunSubject;
    expect(noted.jobs.deploy?.note).toBe("runner build broke in phase PROVISIONING");
    expect((applyEvent(noted, started) as RunSubject).jobs.deploy?.note).toBeUndefined();
  });

  it("keeps a failed hook verdict; a rollback outranks the failure and a success hides neither", () => {
    const verdict = (hook: "AfterInstall" | "AfterAllowTestTraffic", v: "Succeeded" | "Failed") =>
      event({ type: "deploy.verdict", deployment, hook, verdict: v, evidence: [] });
    let subject = replay([event({ type: "deploy.started", deployment })]);
    expect(statusOf(subject)).toBe("started");
    subject = applyEvent(subject, verdict("AfterInstall", "Succeeded"));
    expect(statusOf(subject)).toBe("validating");
    subject = applyEvent(subject, verdict("AfterAllowTestTraffic", "Failed"));
    subject = applyEvent(subject, verdict("AfterAllowTestTraffic", "Succeeded"));
    expect(statusOf(subject)).toBe("failed");
    subject = applyEvent(subject, event({ type: "deploy.finished", deployment, outcome: "failed" }));
    expect(statusOf(subject)).toBe("failed");
    subject = applyEvent(subject, event({ type: "deploy.finished", deployment, outcome: "rolled_back", reason: "AfterAllowTestTraffic failed" }));
    subject = applyEvent(subject, event({ type: "deploy.finished", deployment, outcome: "succeeded" }));
    expect(statusOf(subject)).toBe("rolled_back");
  });
});
