import { describe, expect, it } from "vitest";
import { defaultEventId, parseNotification, threadKeyOf } from "../../../lib/notify/events.ts";
import { build, deployment, event, job, run } from "../../support/notify/events.ts";

describe("notification events", () => {
  it("derive their thread from the run or deployment they carry", () => {
    expect(threadKeyOf({ type: "run.queued", run })).toBe("run:acme/api/9100200300");
    expect(threadKeyOf({ type: "deploy.started", deployment })).toBe("deployment:d-ABCDEF123");
  });

  it("get stable ids: the same fact twice is one id, another attempt or build is another", () => {
    const completed = { type: "job.completed" as const, run, job, conclusion: "success" as const };
    expect(defaultEventId(completed)).toBe(defaultEventId({ ...completed }));
    expect(defaultEventId(completed)).not.toBe(defaultEventId({ ...completed, run: { ...run, runAttempt: 2 } }));
    const launched = { type: "job.launched" as const, run, job, build };
    expect(defaultEventId(launched)).not.toBe(defaultEventId({ ...launched, build: { ...build, id: "runway-runner-dev:other" } }));
  });

  it("round-trip through JSON, as they do through the queue", () => {
    const original = event({ type: "job.launched", run, job, build, channel: "#deploys-dev" });
    expect(parseNotification(JSON.parse(JSON.stringify(original)))).toEqual(original);
  });

  it("refuse an event whose thread is not the run it describes", () => {
    const wrong = { ...event({ type: "run.queued", run }), thread: "run:acme/other/1" };
    expect(() => parseNotification(wrong)).toThrow(/thread: is run:acme\/other\/1 but the event is about run:acme\/api\/9100200300/);
  });

  it("refuse unknown types and malformed fields, naming the field", () => {
    expect(() => parseNotification({ ...event({ type: "run.queued", run }), type: "run.exploded" })).toThrow();
    expect(() => parseNotification({ ...event({ type: "job.launched", run, job, build }), build: { ...build, id: "no-colon" } })).toThrow(/build id/);
  });
});
