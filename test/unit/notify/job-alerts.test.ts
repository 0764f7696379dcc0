/**
 * `job.foreign` (a runner of this run was handed another job) and `job.refused` (a launch Runway
 * refused or parked): their schemas, ids, replies and what the parent says about them.
 */
import { describe, expect, it } from "vitest";
import { blockProblems } from "../../../lib/local/slack-fake/validate.ts";
import { defaultEventId, parseNotification, type NotificationEvent, type NotificationInputOf } from "../../../lib/notify/events.ts";
import type { SlackMessage } from "../../../lib/notify/render/blocks.ts";
import { renderParent } from "../../../lib/notify/render/parent.ts";
import { renderReply } from "../../../lib/notify/render/replies.ts";
import { renderStandalone } from "../../../lib/notify/render/standalone.ts";
import { applyEvent, newSubject, statusOf, type RunSubject } from "../../../lib/notify/thread-state.ts";
import { build, event, job, run } from "../../support/notify/events.ts";

const all = (msg: SlackMessage) => JSON.stringify(msg);
const buttons = (msg: SlackMessage) => msg.blocks.flatMap((b) => (b.type === "actions" ? b.elements.map((e) => [e.text.text, e.url]) : []));
const replay = (events: NotificationEvent[]) => events.reduce((s, e) => applyEvent(s, e), newSubject(events[0]!)) as RunSubject;

const foreign = {
  id: 77,
  name: "deploy-stg",
  url: "https://github.com/acme/web/actions/runs/9001/job/77",
  repository: "acme/web",
  runId: 9001,
  workflowName: "action-stg-deploy",
  environment: "stg",
  reason: "job 77 is run 9001's, the runner was launched for run 9100200300",
};
const alertInput: NotificationInputOf<"job.foreign"> = {
  type: "job.foreign",
  channel: "#deploys-dev",
  run,
  job,
  runnerName: "runway-dev-6b1c2a3e",
  build,
  foreign,
  actions: [`stopped build ${build.id}`, "removed runner runway-dev-6b1c2a3e", `relaunched job ${job.id}`],
};
const alert = event(alertInput);
const refusedInput: NotificationInputOf<"job.refused"> = {
  type: "job.refused",
  run,
  job,
  reason: "the environment dev does not allow the override runway-size:large",
  replay: `npx runway replay --job ${job.id}`,
};
const refused = event(refusedInput);
const queued = event({ type: "job.queued", run, job });
const launched = event({ type: "job.launched", run, job, build });

describe("job.foreign and job.refused events", () => {
  it("fill in their defaults and round-trip through JSON", () => {
    const minimal = event({ type: "job.foreign", run, runnerName: "runway-dev-1", foreign: { ...foreign, url: undefined, environment: null } });
    expect(minimal).toMatchObject({ type: "job.foreign", actions: [], foreign: { runAttempt: 1, environment: null } });
    expect(parseNotification(JSON.parse(JSON.stringify(alert)))).toEqual(alert);
    expect(parseNotification(JSON.parse(JSON.stringify(refused)))).toEqual(refused);
  });

  it("refuse bad shapes, naming the field", () => {
    const bad = (patch: Record<string, unknown>, base: NotificationEvent = alert) => () => parseNotification({ ...base, ...patch });
    expect(bad({ foreign: { ...foreign, repository: "not a repo" } })).toThrow(/foreign\.repository: expected owner\/name/);
    expect(bad({ foreign: { ...foreign, id: 0 } })).toThrow(/foreign\.id/);
    expect(bad({ foreign: { ...foreign, reason: "" } })).toThrow(/foreign\.reason: must not be empty/);
    expect(bad({ foreign: { ...foreign, url: "javascript:alert(1)" } })).toThrow(/foreign\.url/);
    expect(bad({ runnerName: "" })).toThrow(/runnerName/);
    expect(bad({ actions: [""] })).toThrow(/actions\.0/);
    expect(bad({ foreign: undefined })).toThrow(/foreign/);
    expect(bad({ job: undefined }, refused)).toThrow(/job/);
    expect(bad({ reason: "" }, refused)).toThrow(/reason: must not be empty/);
    expect(bad({ replay: "" }, refused)).toThrow(/replay/);
  });

  it("get ids stable per fact: the same runner and job once, another runner, job or reason again", () => {
    expect(defaultEventId(alertInput)).toBe(defaultEventId({ ...alertInput, actions: [] }));
    expect(defaultEventId(alertInput)).not.toBe(defaultEventId({ ...alertInput, runnerName: "runway-dev-other" }));
    expect(defaultEventId(alertInput)).not.toBe(defaultEventId({ ...alertInput, foreign: { ...foreign, id: 78 } }));
    expect(defaultEventId(refusedInput)).toBe(defaultEventId({ ...refusedInput }));
    expect(defaultEventId(refusedInput)).not.toBe(defaultEventId({ ...refusedInput, reason: "launch attempts exhausted" }));
    expect(defaultEventId(refusedInput)).not.toBe(defaultEventId({ ...refusedInput, run: { ...run, runAttempt: 2 } }));
    expect(defaultEventId(refusedInput)).not.toBe(defaultEventId({ type: "job.queued", run, job }));
  });
});

describe("the job.foreign reply", () => {
  it("says which job ran where, why, what Runway did, and links the foreign job and the stopped build", () => {
    const msg = renderReply(alert);
    expect(msg.text).toBe(
      "⚠️ Runner runway-dev-6b1c2a3e (launched for deploy of this run) was handed job deploy-stg of acme/web run 9001 (stg)",
    );
    const line = all(msg);
    expect(line).toContain(":warning: *Runner `runway-dev-6b1c2a3e`* (launched for *<https://github.com/acme/api/actions/runs/9100200300/job/31000001|deploy>* of this run)");
    expect(line).toContain("was handed job *<https://github.com/acme/web/actions/runs/9001/job/77|deploy-stg>* of acme/web <https://github.com/acme/web/actions/runs/9001|run 9001> (*stg*)");
    expect(line).toContain("*Why:* job 77 is run 9001's, the runner was launched for run 9100200300");
    expect(line).toContain(`*What Runway did:*\\n• stopped build ${build.id}\\n• removed runner runway-dev-6b1c2a3e\\n• relaunched job 31000001`);
    expect(buttons(msg).map(([label]) => label)).toEqual(["Foreign job", "CodeBuild build", "Build logs"]);
    expect(buttons(msg)[0]![1]).toBe(foreign.url);
    expect(blockProblems(msg.blocks)).toEqual([]);
  });

  it("says when Runway did not route the job at all, and copes without the job, build, URL or actions", () => {
    const bare = event({ type: "job.foreign", run, runnerName: "runway-dev-1", foreign: { ...foreign, url: undefined, environment: null, runAttempt: 2 } });
    const msg = renderReply(bare);
    expect(msg.text).toBe("⚠️ Runner runway-dev-1 (launched for this run) was handed job deploy-stg of acme/web run 9001 attempt 2 (not routed by Runway)");
    expect(buttons(msg)).toEqual([]);
    expect(all(msg)).not.toContain("What Runway did");
    expect(blockProblems(msg.blocks)).toEqual([]);
  });

  it("escapes what GitHub controls (job and runner names, the reason)", () => {
    const evil = event({ ...alertInput, runnerName: "r`<!channel>`", foreign: { ...foreign, name: "<!here>", reason: "<https://evil.example|click>" } });
    const text = all(renderReply(evil));
    expect(text).not.toMatch(/<!channel>|<!here>|<https:\/\/evil/);
    expect(text).toContain("`r'&lt;!channel&gt;'`");
  });

  it("stands alone in webhook mode, saying which run it is about", () => {
    const msg = renderStandalone(alert);
    expect(msg.text).toMatch(/^acme\/api · action-dev-deploy: ⚠️ Runner runway-dev-6b1c2a3e/);
    expect(blockProblems(msg.blocks)).toEqual([]);
  });
});

describe("the job.refused reply", () => {
  it("says the job was not launched and why, with the replay command in a code span", () => {
    const msg = renderReply(refused);
    expect(msg.text).toBe(`deploy was not launched: ${refusedInput.reason} (replay: npx runway replay --job 31000001)`);
    expect(all(msg)).toContain(`:no_entry_sign: *<${job.url}|deploy>* was not launched: ${refusedInput.reason}`);
    expect(all(msg)).toContain("Replay it with `npx runway replay --job 31000001`");
    expect(blockProblems(msg.blocks)).toEqual([]);
  });

  it("has no replay line without a command, and keeps a backtick from breaking the span", () => {
    expect(all(renderReply(event({ ...refusedInput, replay: undefined })))).not.toContain("Replay it");
    expect(all(renderReply(event({ ...refusedInput, replay: "npx runway replay --job `1`" })))).toContain("`npx runway replay --job '1'`");
  });
});

describe("the parent", () => {
  it("says the run needs attention when one of its runners took another job", () => {
    const subject = replay([queued, launched, alert]);
    const msg = renderParent(subject);
    expect(msg.text).toBe("acme/api · action-dev-deploy: running (dev), needs attention");
    expect(all(msg)).toContain(":warning: *a runner of this run took another job* (see the thread)");
    expect(all(msg)).toContain("• `runway-dev-6b1c2a3e` (launched for *deploy*) ran <https://github.com/acme/web/actions/runs/9001/job/77|deploy-stg> of acme/web run 9001 (env *stg*)");
    expect(all(msg)).toContain("_its runner was handed another job and stopped_");
    expect(blockProblems(msg.blocks)).toEqual([]);
  });

  it("drops the stopped build from the job, whichever came first, and shows the relaunch's build", () => {
    const relaunch = event({ type: "job.launched", run, job, build: { ...build, id: "runway-runner-dev:relaunched" } });
    for (const order of [[queued, launched, alert], [alert, launched, queued]]) {
      expect(replay(order).jobs.deploy?.build).toBeUndefined();
      expect(replay([...order, relaunch]).jobs.deploy?.build?.id).toBe("runway-runner-dev:relaunched");
    }
    const ran = replay([queued, launched, alert, relaunch, event({ type: "job.started", run, job, runnerName: "runway-dev-2" })]);
    expect(ran.jobs.deploy).toMatchObject({ status: "running", build: { id: "runway-runner-dev:relaunched" } });
    expect(ran.jobs.deploy?.note).toBeUndefined();
    expect(renderParent(ran).text).toContain(", needs attention");
  });

  it("keeps one line per runner and foreign job, in the same order whatever order they came in", () => {
    const other = event({ ...alertInput, runnerName: "runway-dev-2", foreign: { ...foreign, id: 76, environment: null } });
    const a = replay([queued, alert, other, alert]);
    const b = replay([queued, other, alert]);
    expect(a.foreign).toHaveLength(2);
    expect(renderParent(a)).toEqual(renderParent(b));
    expect(all(renderParent(a))).toContain("*2 runners of this run took other jobs*");
    expect(all(renderParent(a))).toContain("(not routed by Runway)");
  });

  it("shows a refused job as not launched, with why, instead of queued", () => {
    const subject = replay([queued, refused]);
    expect(subject.jobs.deploy?.status).toBe("refused");
    expect(statusOf(subject)).toBe("queued");
    const msg = renderParent(subject);
    expect(msg.text).toBe("acme/api · action-dev-deploy: queued (dev), needs attention");
    expect(all(msg)).toContain(`:no_entry_sign: <${job.url}|deploy> not launched · _${refusedInput.reason}_`);
    expect(all(msg)).not.toContain("deploy> queued");
  });

  it("forgets the refusal once the job is launched after all (a replay), whatever the order", () => {
    for (const order of [[queued, refused, launched], [launched, refused, queued]]) {
      const subject = replay(order);
      expect(subject.jobs.deploy).toMatchObject({ status: "launched" });
      expect(subject.jobs.deploy?.refusal).toBeUndefined();
      expect(renderParent(subject).text).toBe("acme/api · action-dev-deploy: running (dev)");
    }
  });
});
