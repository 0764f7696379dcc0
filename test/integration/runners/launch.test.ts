/**
 * Exactly one runner build per (job, attempt): redeliveries, concurrent duplicates, throttling,
 * crashes between steps, the concurrency cap and permanent errors, against dynalite and the AWS
 * emulator over real sockets.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { consumeJobMessages } from "../../../lib/runners/consume.ts";
import { launch, type LaunchDeps } from "../../../lib/runners/launch.ts";
import { launchKey } from "../../../lib/runners/ledger.ts";
import { DLQ, PROJECT, queuedJob, sqsEvent, startHarness, type Harness } from "./harness.ts";

let h: Harness;
let nextJob = 100;
const job = () => ++nextJob;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => {
  h.aws.faults.clear();
});

const buildsFor = (jobId: number) => h.codebuild.builds().filter((b) => b.environment?.environmentVariables?.some((v) => v.name === "RUNWAY_JOB_ID" && v.value === String(jobId)));
const startBuildCalls = () => h.aws.calls.filter((c) => c.operation === "StartBuild");

/** The ledger, except that its first call to `method` dies (as a worker killed at that step). */
function dyingOnce(ledger: LaunchDeps["ledger"], method: "acquireSlot" | "update"): LaunchDeps["ledger"] {
  let died = false;
  return new Proxy(ledger, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      if (key === method && !died) {
        return async () => {
          died = true;
          throw new Error(`the worker died before ${method}`);
        };
      }
      return value.bind(target);
    },
  });
}

describe("the runner launcher", () => {
  it("launches one build that hosts a JIT runner, with the config passed by reference only", async () => {
    const id = job();
    const result = await consumeJobMessages(sqsEvent(queuedJob(id)), h.deps);
    expect(result.batchItemFailures).toEqual([]);

    const [build] = buildsFor(id);
    expect(buildsFor(id)).toHaveLength(1);
    expect(build!.projectName).toBe(PROJECT);
    const variables = Object.fromEntries(build!.environment!.environmentVariables!.map((v) => [v.name, v]));
    const record = (await h.ledger.get(id, 1))!;
    expect(record).toMatchObject({ state: "launched", buildId: build!.id, runnerName: expect.stringMatching(new RegExp(`^runway-dev-${id}-1-[0-9a-f]{8}$`)) });
    expect(variables.RUNWAY_JIT_CONFIG).toEqual({ name: "RUNWAY_JIT_CONFIG", type: "PARAMETER_STORE", value: record.jitParameter });
    expect(variables.RUNWAY_RUNNER_NAME).toMatchObject({ type: "PLAINTEXT", value: record.runnerName });
    // The JIT config itself is in SSM as a SecureString, and nowhere in the build's variables.
    const stored = h.ssm.parameters().get(record.jitParameter!);
    expect(stored).toMatchObject({ type: "SecureString", value: `jit-secret-${record.runnerName}-${record.runnerId}` });
    expect(JSON.stringify(build!.environment)).not.toContain(stored!.value);
  });

  it("starts one build when the same job is delivered 5 times in a row", async () => {
    const id = job();
    for (let i = 0; i < 5; i++) expect((await consumeJobMessages(sqsEvent(queuedJob(id)), h.deps)).batchItemFailures).toEqual([]);
    expect(buildsFor(id)).toHaveLength(1);
    expect(h.registry.registered.size).toBeGreaterThan(0);
  });

  it("starts one build when 20 identical deliveries arrive at the same moment", async () => {
    const id = job();
    const before = startBuildCalls().length;
    const results = await Promise.all(Array.from({ length: 20 }, () => consumeJobMessages(sqsEvent(queuedJob(id)), h.deps)));
    expect(buildsFor(id)).toHaveLength(1);
    expect(startBuildCalls().length - before).toBe(1);
    // The losers either saw a duplicate or were told to retry (the winner still held its lease);
    // a retried one then finds the launch done.
    const retried = results.filter((r) => r.batchItemFailures.length > 0).length;
    for (let i = 0; i < retried; i++) await consumeJobMessages(sqsEvent(queuedJob(id)), h.deps);
    expect(buildsFor(id)).toHaveLength(1);
  });

  it("launches every job, once each, while StartBuild is throttled on every 3rd call", async () => {
    h.aws.faults.add({ service: "codebuild", operation: "StartBuild", every: 3, error: { code: "ThrottlingException", statusCode: 400 } });
    const ids = Array.from({ length: 9 }, job);
    for (const id of ids) expect((await consumeJobMessages(sqsEvent(queuedJob(id)), h.deps)).batchItemFailures).toEqual([]);
    for (const id of ids) expect(buildsFor(id)).toHaveLength(1);
    expect(h.aws.calls.some((c) => c.operation === "StartBuild" && c.error === "ThrottlingException")).toBe(true);
  });

  it("resumes, not repeats, after a crash between the JIT config and StartBuild", async () => {
    const id = job();
    const crashing = { ...h.deps, builds: { ...h.deps.builds, start: async () => Promise.reject(new Error("the process died here")) } };
    await expect(launch(queuedJob(id), { ...crashing, settings: { ...h.deps.settings, leaseMs: 1 } })).rejects.toThrow();
    const half = (await h.ledger.get(id, 1))!;
    expect(half).toMatchObject({ state: "launching", runnerId: expect.any(Number), jitParameter: expect.any(String) });

    await new Promise((r) => setTimeout(r, 5)); // the crashed worker's lease runs out
    const result = await launch(queuedJob(id), h.deps);
    expect(result).toMatchObject({ outcome: "launched", resumed: true });
    expect(buildsFor(id)).toHaveLength(1);
    const done = (await h.ledger.get(id, 1))!;
    expect(done.runnerId).toBe(half.runnerId); // the registration was reused, not repeated
    expect(done.token).toBe(half.token);
  });

  // A worker that dies at any step leaves a launch the next one finishes: one build, one live
  // runner registration, one JIT secret, whatever step it died after.
  it.each([
    ["after its claim", (d: LaunchDeps): LaunchDeps => ({ ...d, ledger: dyingOnce(d.ledger, "acquireSlot") })],
    ["after registering the JIT runner", (d: LaunchDeps): LaunchDeps => ({ ...d, secrets: { ...d.secrets, put: async () => Promise.reject(new Error("died after registering")) } })],
    ["after writing the JIT secret", (d: LaunchDeps): LaunchDeps => ({ ...d, ledger: dyingOnce(d.ledger, "update") })],
  ])("ends with exactly one build when a worker dies %s", async (_when, dying) => {
    const id = job();
    await expect(launch(queuedJob(id), dying({ ...h.deps, settings: { ...h.deps.settings, leaseMs: 1 } }))).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 5)); // its lease runs out
    expect(await launch(queuedJob(id), h.deps)).toMatchObject({ outcome: "launched" });
    expect(buildsFor(id)).toHaveLength(1);
    const record = (await h.ledger.get(id, 1))!;
    expect([...h.registry.registered.keys()].filter((name) => name.startsWith(`runway-dev-${id}-`))).toEqual([record.runnerName]);
    expect([...h.ssm.parameters().keys()].filter((name) => name === record.jitParameter)).toHaveLength(1);
  });

  it("finds the build a worker started before it crashed, instead of starting a second", async () => {
    const id = job();
    // The worker's StartBuild reached CodeBuild, then the worker died before writing the ledger.
    const dying = {
      ...h.deps,
      builds: { ...h.deps.builds, start: async (request: Parameters<typeof h.deps.builds.start>[0]) => h.deps.builds.start(request).then(() => Promise.reject(new Error("died after StartBuild"))) },
      settings: { ...h.deps.settings, leaseMs: 1 },
    };
    await expect(launch(queuedJob(id), dying)).rejects.toThrow();
    expect(buildsFor(id)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 5));
    const result = await launch(queuedJob(id), h.deps);
    expect(result).toMatchObject({ outcome: "launched", resumed: true, buildId: buildsFor(id)[0]!.id });
    expect(buildsFor(id)).toHaveLength(1);
  });

  it("holds the environment's concurrency cap: launches beyond it wait, and are not dropped", async () => {
    const env = "capped";
    const capped = (id: number) => queuedJob(id, { environment: env, concurrency: 2 });
    const ids = [job(), job(), job()];
    const outcomes = [];
    for (const id of ids) outcomes.push(await launch(capped(id), h.deps));
    expect(outcomes.map((o) => o.outcome)).toEqual(["launched", "launched", "waiting"]);
    expect(await h.ledger.slotHolders(env)).toHaveLength(2);
    const waiting = (await h.ledger.get(ids[2]!, 1))!;
    expect(waiting).toMatchObject({ state: "waiting", reason: expect.stringContaining("concurrency cap (2") });

    // A slot frees up; the waiting launch's next try takes it.
    await h.ledger.releaseSlot(env, launchKey(ids[0]!, 1));
    expect(await launch(capped(ids[2]!), h.deps)).toMatchObject({ outcome: "launched" });
    expect(await h.ledger.slotHolders(env)).toHaveLength(2);
  });

  it("parks a permanent error (no such project) in the dead-letter queue with its reason, and cleans up", async () => {
    const id = job();
    const message = queuedJob(id, { codebuild: { project: "no-such-project", region: "eu-west-1", allowOverrides: [] } });
    const result = await consumeJobMessages(sqsEvent(message), h.deps);
    expect(result.batchItemFailures).toEqual([]); // not retried: retrying cannot help
    const record = (await h.ledger.get(id, 1))!;
    expect(record).toMatchObject({ state: "failed", reason: expect.stringContaining("ResourceNotFoundException") });
    const parked = h.sqs.messages(DLQ).filter((m) => JSON.parse(m.body).job.id === id);
    expect(parked).toHaveLength(1);
    expect(parked[0]!.messageAttributes?.reason?.StringValue).toContain("no-such-project");
    expect(h.registry.removed).toContain(record.runnerName); // the GitHub registration is undone
    expect(h.ssm.parameters().has(record.jitParameter!)).toBe(false); // and the secret deleted
    expect(await h.ledger.slotHolders("dev")).not.toContain(record.pk);
  });

  it("refuses a runner-label override the environment does not allow, before registering a runner", async () => {
    const id = job();
    const result = await launch(queuedJob(id, { labels: ["self-hosted", "runway", "image:arm-3.0"] }), h.deps);
    expect(result).toMatchObject({ outcome: "failed", reason: expect.stringContaining("does not allow image overrides") });
    expect([...h.registry.registered.keys()].some((n) => n.includes(`-${id}-`))).toBe(false);
  });

  it("applies an allowed override: instance-size:large → BUILD_GENERAL1_LARGE", async () => {
    const id = job();
    await launch(queuedJob(id, { labels: ["self-hosted", "runway", "instance-size:large"] }), h.deps);
    const call = startBuildCalls().find((c) => JSON.stringify(c.input).includes(`"value":"${id}"`));
    expect(call!.input).toMatchObject({ computeTypeOverride: "BUILD_GENERAL1_LARGE" });
  });

  it("retries a passing cause: the record is returned to the queue, and the next try launches", async () => {
    const id = job();
    h.aws.faults.add({ service: "codebuild", operation: "StartBuild", times: 4, error: { code: "ServiceUnavailableException", statusCode: 503 } });
    const first = await consumeJobMessages(sqsEvent(queuedJob(id)), { ...h.deps, settings: { ...h.deps.settings, leaseMs: 1 } });
    expect(first.batchItemFailures).toHaveLength(1);
    expect(buildsFor(id)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 5));
    expect((await consumeJobMessages(sqsEvent(queuedJob(id)), h.deps)).batchItemFailures).toEqual([]);
    expect(buildsFor(id)).toHaveLength(1);
  });

  it("assumes the environment's role for another account, and starts the build there", async () => {
    const id = job();
    const roleArn = "arn:aws:iam::222222222222:role/runway-launcher";
    await launch(queuedJob(id, { codebuild: { project: PROJECT, region: "eu-west-1", roleArn, allowOverrides: [] } }), h.deps);
    expect(buildsFor(id)).toHaveLength(1);
    expect(h.sts.assumedRoles().some((r) => r.roleArn === roleArn)).toBe(true);
  });

  it("never writes a JIT config into a log line or a build's plain-text variables", async () => {
    const secrets = [...h.ssm.parameters().values()].map((p) => p.value);
    expect(secrets.length).toBeGreaterThan(0);
    const everything = JSON.stringify(h.logs) + JSON.stringify(h.codebuild.builds().map((b) => b.environment));
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});
