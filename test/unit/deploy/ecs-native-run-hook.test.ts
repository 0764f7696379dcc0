import { DescribeServiceDeploymentsCommand, DescribeServiceRevisionsCommand, ECSClient, type ServiceDeployment } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import type { EcsHooksConfig } from "../../../lib/config/ecs-hooks-schema.ts";
import { ConfigError } from "../../../lib/config/errors.ts";
import { runEcsHook, type EcsHookDependencies } from "../../../lib/deploy/ecs-native/run-hook.ts";
import { STATE_KEY } from "../../../lib/deploy/ecs-native/state.ts";
import type { DeploymentNotifier, VerdictNotice } from "../../../lib/deploy/notifier.ts";
import { BLUE, DEPLOYMENT_ARN, GREEN, HOOK_FUNCTION, hookPayload, stageConfig } from "./ecs-native-support.ts";
import { json, startGreen, type Green } from "./support.ts";

const ecs = mockClient(ECSClient);
let green: Green;
let answers: Array<{ status: number; version: string } | "hang">;
let notices: VerdictNotice[];
const notifier: DeploymentNotifier = { verdict: async (notice) => void notices.push(notice), stateChanged: async () => undefined };

/** ECS's record of the deployment: the hook at `stage` started at `hookStartedAt` with a one-hour timeout. */
function record(stage: string, hookStartedAt: number, over: Partial<ServiceDeployment> = {}): ServiceDeployment {
  return {
    serviceDeploymentArn: DEPLOYMENT_ARN,
    status: "IN_PROGRESS",
    lifecycleStage: stage as ServiceDeployment["lifecycleStage"],
    targetServiceRevision: { arn: GREEN, requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 },
    sourceServiceRevisions: [{ arn: BLUE, requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 }],
    deploymentConfiguration: { lifecycleHooks: [{ hookTargetArn: HOOK_FUNCTION, lifecycleStages: [stage as "POST_SCALE_UP"], timeoutConfiguration: { timeoutInMinutes: 60 } }] },
    lifecycleHookDetails: [{ targetType: "AWS_LAMBDA", targetArn: HOOK_FUNCTION, status: "IN_PROGRESS", expiresAt: new Date(hookStartedAt + 60 * 60_000) }],
    ...over,
  };
}

function seed(stage = "POST_TEST_TRAFFIC_SHIFT", hookStartedAt = Date.now(), over: Partial<ServiceDeployment> = {}) {
  ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [record(stage, hookStartedAt, over)] });
  ecs.on(DescribeServiceRevisionsCommand).resolves({
    serviceRevisions: [
      { serviceRevisionArn: GREEN, taskDefinition: "arn:aws:ecs:us-west-2:123456789012:task-definition/shop:8" },
      { serviceRevisionArn: BLUE, taskDefinition: "arn:aws:ecs:us-west-2:123456789012:task-definition/shop:7" },
    ],
  });
}

const context = (ms = 60_000) => {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => end - Date.now(), invokedFunctionArn: HOOK_FUNCTION };
};

/** A fake clock, starting now, that the test moves as ECS's callBackDelay would. */
function clock() {
  let now = Date.now();
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const health = (over: Record<string, unknown> = {}) => ({
  name: "health",
  type: "http",
  url: `${green.url}/health?d={deploymentId}`,
  expect: { status: 200, bodyContains: '"version":"2.0.0"' },
  count: 3,
  interval: "30s",
  failureLimit: 1,
  timeout: "2s",
  ...over,
});

function deps(config: EcsHooksConfig | (() => Promise<EcsHooksConfig | undefined>), now?: () => number): EcsHookDependencies {
  return { loadConfig: typeof config === "function" ? config : async () => config, notifier, ...(now ? { now } : {}) };
}

beforeEach(async () => {
  resetAwsClients();
  ecs.reset();
  notices = [];
  answers = [];
  green = await startGreen((n, _req, res) => {
    const answer = answers[n - 1] ?? { status: 200, version: "2.0.0" };
    if (answer !== "hang") json(res, answer.status, { version: answer.version });
  });
});
afterEach(async () => {
  await green.close();
});

describe("runEcsHook", () => {
  it("answers IN_PROGRESS with a callBackDelay and its state, then SUCCEEDED, and tells the thread once", async () => {
    const t = clock();
    seed();
    const config = stageConfig([health()]);
    const first = await runEcsHook(hookPayload({ hookDetails: { team: "shop" } }), context(), deps(config, t.now));
    expect(first.response).toEqual({ hookStatus: "IN_PROGRESS", callBackDelay: 30, hookDetails: { [STATE_KEY]: expect.stringMatching(/^v1\./) } });
    expect(first.state).toMatchObject({ invocations: 1, restarts: 0, checks: [{ name: "health", taken: 1, failures: 0 }] });
    expect(notices).toEqual([]);

    let details = first.response.hookDetails!;
    let last = first;
    for (let i = 0; i < 2; i++) {
      t.advance(30_000);
      last = await runEcsHook(hookPayload({ hookDetails: { team: "shop", ...details } }), context(), deps(config, t.now));
      details = last.response.hookDetails ?? {};
    }
    expect(last.response).toEqual({ hookStatus: "SUCCEEDED" });
    expect(green.requests).toBe(3);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      subject: { deploymentId: "EZe5RNVLH6PPzHXINuP28", hook: "POST_TEST_TRAFFIC_SHIFT", applicationName: "my-cluster", deploymentGroupName: "my-service", computePlatform: "ECS" },
      verdict: { status: "Succeeded", reason: "all 1 check(s) passed" },
      delivery: "reported",
    });
    expect(last.lines[1]).toContain("PASS health [http] (3/3 measured, 0 failed, failureLimit 1)");
  });

  it("answers FAILED once a check is past its failureLimit, with the evidence", async () => {
    const t = clock();
    seed();
    answers = [{ status: 200, version: "1.9.0" }, { status: 503, version: "2.0.0" }];
    const config = stageConfig([health()]);
    const first = await runEcsHook(hookPayload(), context(), deps(config, t.now));
    t.advance(30_000);
    const second = await runEcsHook(hookPayload({ hookDetails: first.response.hookDetails }), context(), deps(config, t.now));
    expect(second.response).toEqual({ hookStatus: "FAILED" });
    expect(second.reason).toMatch(/^check health failed: 2 of 2 measurements failed, more than failureLimit 1; last: GET .* → 503/);
    expect(notices.map((n) => n.verdict.status)).toEqual(["Failed"]);
  });

  it("lets a rollback through at once: ECS moving traffic back to blue is answered SUCCEEDED without a look", async () => {
    const result = await runEcsHook(hookPayload({ stage: "PRODUCTION_TRAFFIC_SHIFT", production: { [GREEN]: 0, [BLUE]: 100 } }), context(), deps(async () => {
      throw new Error("not even the configuration is read");
    }));
    expect(result.response).toEqual({ hookStatus: "SUCCEEDED" });
    expect(result.reason).toMatch(/ECS is rolling back: PRODUCTION_TRAFFIC_SHIFT moves production traffic back/);
    expect(ecs.calls()).toHaveLength(0);
    seed("TEST_TRAFFIC_SHIFT", Date.now(), { status: "ROLLBACK_IN_PROGRESS" });
    const byRecord = await runEcsHook(hookPayload({ stage: "TEST_TRAFFIC_SHIFT", test: { [GREEN]: 100, [BLUE]: 0 } }), context(), deps(stageConfig([])));
    expect(byRecord).toMatchObject({ response: { hookStatus: "SUCCEEDED" }, reason: expect.stringContaining("ROLLBACK_IN_PROGRESS") });
    expect(notices).toEqual([]);
  });

  it("answers FAILED with the reason for a broken configuration, a stage without checks, or an event that is not ECS's", async () => {
    seed();
    const broken = await runEcsHook(hookPayload(), context(), deps(async () => {
      throw new ConfigError([{ file: "runway.compiled.json", line: 0, column: 0, field: "", message: "not JSON" }]);
    }));
    expect(broken).toMatchObject({ response: { hookStatus: "FAILED" }, reason: expect.stringContaining("ConfigError") });
    const missing = await runEcsHook(hookPayload({ stage: "POST_SCALE_UP" }), context(), deps(stageConfig([health()])));
    expect(missing.reason).toBe(
      "DeployConfigError: no checks for POST_SCALE_UP in my-cluster/my-service: add deploy.ecs.clusters.my-cluster.services.my-service.stages.POST_SCALE_UP.checks " +
        "(an empty list passes the stage on purpose), or remove the stage from the service's lifecycle hook",
    );
    const none = await runEcsHook(hookPayload(), context(), deps(async () => undefined));
    expect(none.reason).toMatch(/runway.yml has no deploy.ecs: section/);
    expect(notices.map((n) => n.verdict.status)).toEqual(["Failed", "Failed", "Failed"]);
    const junk = await runEcsHook({ DeploymentId: "d-1" }, context(), deps(stageConfig([])));
    expect(junk).toMatchObject({ response: { hookStatus: "FAILED" }, reason: expect.stringContaining("EcsHookEventError: not an ECS lifecycle hook event") });
    expect(notices).toHaveLength(3); // no deployment to tell about
  });

  it("answers FAILED, saying why, when hookDetails carries a state that was altered", async () => {
    const t = clock();
    seed();
    const config = stageConfig([health()]);
    const first = await runEcsHook(hookPayload(), context(), deps(config, t.now));
    const value = first.response.hookDetails![STATE_KEY] as string;
    const tampered = { [STATE_KEY]: value.replace(/\.([^.]+)$/, ".AAAAAAAAAAAAAAAAAAAAAA") };
    t.advance(30_000);
    const result = await runEcsHook(hookPayload({ hookDetails: tampered }), context(), deps(config, t.now));
    expect(result.response).toEqual({ hookStatus: "FAILED" });
    expect(result.reason).toBe("HookStateError: hookDetails.runway does not match its digest: it was cut or altered after Runway wrote it");
    expect(notices[0]?.verdict.reason).toBe(result.reason);
  });

  it("starts over when invoked without its state long after ECS started the hook, within the same deadline", async () => {
    const t = clock();
    seed("POST_TEST_TRAFFIC_SHIFT", t.now() - 10 * 60_000);
    const result = await runEcsHook(hookPayload({ hookDetails: { team: "shop" } }), context(), deps(stageConfig([health()]), t.now));
    expect(result.response.hookStatus).toBe("IN_PROGRESS");
    expect(result.state).toMatchObject({ restarts: 1, invocations: 1, startedAt: t.now() - 10 * 60_000, checks: [{ taken: 1 }] });
  });

  it("fails with the reason when its state was lost and what is left of maxDuration cannot hold the checks", async () => {
    const t = clock();
    seed("POST_TEST_TRAFFIC_SHIFT", t.now() - 29 * 60_000);
    const result = await runEcsHook(hookPayload(), context(), deps(stageConfig([health()]), t.now));
    expect(result.response).toEqual({ hookStatus: "FAILED" });
    expect(result.reason).toMatch(/^AnalysisDeadlineError: check health needs until .* for 2 more measurement\(s\) 30s apart, past the stage's maxDuration .*\(the analysis started over: the hook was invoked without its state 1740s after ECS started it \(hookDetails.runway lost\)\)$/);
    expect(notices[0]?.lines.join("\n")).toContain("STOP health [http] (1/3 measured");
  });

  it("answers FAILED, with what it had measured, when ECS's API fails mid-analysis", async () => {
    const t = clock();
    seed();
    const config = stageConfig([health()]);
    const first = await runEcsHook(hookPayload(), context(), deps(config, t.now));
    ecs.on(DescribeServiceDeploymentsCommand).rejects(Object.assign(new Error("User is not authorized to perform: ecs:DescribeServiceDeployments"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } }));
    t.advance(30_000);
    const second = await runEcsHook(hookPayload({ hookDetails: first.response.hookDetails }), context(), deps(config, t.now));
    expect(second.response).toEqual({ hookStatus: "FAILED" });
    expect(second.reason).toBe("AccessDeniedException: User is not authorized to perform: ecs:DescribeServiceDeployments");
  });

  it("answers FAILED before its own timeout when a measurement outlasts the invocation", async () => {
    seed();
    answers = ["hang"];
    const started = Date.now();
    const result = await runEcsHook(hookPayload(), context(3_600), deps(stageConfig([health({ timeout: "10s" })])));
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(result.response).toEqual({ hookStatus: "FAILED" });
    expect(result.reason).toMatch(/^InvocationDeadlineError: stopped with \ds left before the function's timeout, a measurement still running: give the ecs-hook function a timeout well above/);
  });

  it("analyses each traffic step of a linear deployment on its own, in its own thread reply", async () => {
    const t = clock();
    // The stage's hook began long ago; a step counts from its own first invocation.
    seed("PRODUCTION_TRAFFIC_SHIFT", t.now() - 25 * 60_000);
    const config = stageConfig([health({ count: 2, interval: "10s" })], { stage: "PRODUCTION_TRAFFIC_SHIFT" });
    const step = (weight: number, hookDetails?: unknown) => hookPayload({ stage: "PRODUCTION_TRAFFIC_SHIFT", production: { [GREEN]: weight, [BLUE]: 100 - weight }, hookDetails });
    const first = await runEcsHook(step(10), context(), deps(config, t.now));
    t.advance(10_000);
    const done = await runEcsHook(step(10, first.response.hookDetails), context(), deps(config, t.now));
    expect(done.response.hookStatus).toBe("SUCCEEDED");
    // ECS may pass the last state it saw on to the next step: it is a previous step's, not this one's.
    const next = await runEcsHook(step(20, first.response.hookDetails), context(), deps(config, t.now));
    expect(next.state).toMatchObject({ step: 20, invocations: 1, restarts: 0, startedAt: t.now() });
    expect(notices.map((n) => n.subject.hook)).toEqual(["PRODUCTION_TRAFFIC_SHIFT at 10%"]);
  });

  it("starts over within the same deadline when the stage's checks changed between two invocations", async () => {
    const t = clock();
    seed();
    const first = await runEcsHook(hookPayload(), context(), deps(stageConfig([health()]), t.now));
    t.advance(30_000);
    const changed = await runEcsHook(hookPayload({ hookDetails: first.response.hookDetails }), context(), deps(stageConfig([health({ count: 4 })]), t.now));
    expect(changed.state).toMatchObject({ restarts: 1, invocations: 2, startedAt: first.state!.startedAt, checks: [{ taken: 1 }] });
  });

  it("never throws, even when the notifier does", async () => {
    seed();
    const throwing: DeploymentNotifier = { verdict: async () => Promise.reject(new Error("queue down")), stateChanged: async () => undefined };
    const result = await runEcsHook(hookPayload(), context(), { loadConfig: async () => stageConfig([]), notifier: throwing });
    expect(result).toMatchObject({ response: { hookStatus: "SUCCEEDED" }, reason: "no checks configured for this hook (checks: [])" });
  });
});
