import { describe, expect, it } from "vitest";
import { notifyDefaults } from "../../../lib/config/notify-schema.ts";
import { deliverStandalone, deliverToThread, digest } from "../../../lib/notify/deliver.ts";
import type { SlackMessage } from "../../../lib/notify/render/blocks.ts";
import { renderParent } from "../../../lib/notify/render/parent.ts";
import { applyEvent } from "../../../lib/notify/thread-state.ts";
import type { ThreadRecord, ThreadStore } from "../../../lib/notify/thread-store.ts";
import type { SlackThreads } from "../../../lib/notify/transport/types.ts";
import { failingRun } from "../../support/notify/events.ts";

/** A thread store in memory, with a hook to let "another invocation" write just before a save. */
class MemoryStore implements ThreadStore {
  items = new Map<string, ThreadRecord>();
  beforeSave?: () => void;
  async get(key: string) {
    const item = this.items.get(key);
    return item && structuredClone(item);
  }
  async create(record: ThreadRecord) {
    if (this.items.has(record.key)) return false;
    this.items.set(record.key, structuredClone(record));
    return true;
  }
  async save(record: ThreadRecord, expected: number) {
    const hook = this.beforeSave;
    this.beforeSave = undefined;
    hook?.();
    if (this.items.get(record.key)?.version !== expected) return false;
    this.items.set(record.key, structuredClone(record));
    return true;
  }
}

/** A Slack that records calls. */
function recordingSlack() {
  const calls: Array<{ op: string; channel: string; ts?: string; threadTs?: string; msg?: SlackMessage }> = [];
  let n = 0;
  const slack: SlackThreads = {
    async post(channel, msg, options = {}) {
      const ts = `1700000000.${String(++n).padStart(6, "0")}`;
      calls.push({ op: "post", channel, ts, msg, ...(options.threadTs ? { threadTs: options.threadTs } : {}) });
      return { channel: "C00000001", ts };
    },
    async update(channel, ts, msg) {
      calls.push({ op: "update", channel, ts, msg });
      return "updated";
    },
    async remove(channel, ts) {
      calls.push({ op: "delete", channel, ts });
    },
  };
  return { slack, calls };
}

const settings = { ...notifyDefaults(), mentionOnFailure: "@here" };

describe("deliverToThread", () => {
  it("opens one thread, replies in it, updates the parent only when it changes, and skips redeliveries", async () => {
    const store = new MemoryStore();
    const { slack, calls } = recordingSlack();
    const events = failingRun();
    await deliverToThread(events[0]!, { store, slack, settings });
    // run.queued opened the thread with its own rendering: no reply (it is the parent), no update.
    expect(calls.map((c) => c.op)).toEqual(["post"]);
    for (const e of events.slice(1)) await deliverToThread(e, { store, slack, settings });
    expect(await deliverToThread(events[4]!, { store, slack, settings })).toBe("duplicate");

    const parents = calls.filter((c) => c.op === "post" && !c.threadTs);
    expect(parents).toHaveLength(1);
    expect(calls.filter((c) => c.op === "post" && c.threadTs === parents[0]!.ts)).toHaveLength(events.length - 1);
    const mentions = calls.filter((c) => c.msg?.text.startsWith("<!here>"));
    expect(mentions.map((c) => c.msg!.text)).toEqual(["<!here> deploy failed at step Run integration tests"]);
    const thread = store.items.get(events[0]!.thread)!;
    expect(thread).toMatchObject({ status: "failed", failureAnnounced: true, channel: "C00000001" });
    expect(calls.filter((c) => c.op === "update").at(-1)!.msg!.text).toContain(": failed");
  });

  it("redraws the parent from the winner's state after losing a race, since its own update may have landed last", async () => {
    const store = new MemoryStore();
    const { slack, calls } = recordingSlack();
    const [queued, jobQueued, launched, started] = failingRun();
    await deliverToThread(queued!, { store, slack, settings });
    await deliverToThread(jobQueued!, { store, slack, settings });
    // While this invocation handles job.launched, another one saves job.started.
    store.beforeSave = () => {
      const current = store.items.get(queued!.thread)!;
      const subject = applyEvent(current.subject, started!);
      store.items.set(current.key, { ...current, subject, version: current.version + 1, seen: [...current.seen, started!.id], shown: digest(renderParent(subject)) });
    };
    await deliverToThread(launched!, { store, slack, settings });
    const final = store.items.get(queued!.thread)!;
    expect(final.seen).toEqual(expect.arrayContaining([launched!.id, started!.id]));
    const lastUpdate = calls.filter((c) => c.op === "update").at(-1)!;
    expect(lastUpdate.msg).toEqual(renderParent(final.subject));
    // The reply was posted once, not once per attempt.
    expect(calls.filter((c) => c.op === "post" && c.msg?.text.includes("runner build"))).toHaveLength(1);
  });

  it("deletes its own parent when another invocation opened the thread first", async () => {
    const store = new MemoryStore();
    const { slack, calls } = recordingSlack();
    const [queued, jobQueued] = failingRun();
    const realCreate = store.create.bind(store);
    store.create = async (record) => {
      // The other invocation wins the conditional create just before us.
      await realCreate({ ...record, ts: "1699999999.000001" });
      return realCreate(record);
    };
    await deliverToThread(jobQueued!, { store, slack, settings });
    store.create = realCreate;
    await deliverToThread(queued!, { store, slack, settings });
    expect(calls.find((c) => c.op === "delete")).toMatchObject({ ts: "1700000000.000001" });
    expect(calls.filter((c) => c.op === "post" && c.threadTs).every((c) => c.threadTs === "1699999999.000001")).toBe(true);
  });
});

describe("deliverStandalone", () => {
  it("posts only the configured event types, each as a message of its own", async () => {
    const sent: SlackMessage[] = [];
    const slack = { send: async (msg: SlackMessage) => void sent.push(msg) };
    const outcomes = [];
    for (const e of failingRun()) outcomes.push(await deliverStandalone(e, { slack, settings }));
    expect(outcomes).toEqual(["skipped", "skipped", "skipped", "skipped", "posted", "posted"]);
    expect(sent[0]!.text).toBe("<!here> acme/api · action-dev-deploy: deploy failed at step Run integration tests");
  });
});
