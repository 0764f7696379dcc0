import {
  CodeDeployClient,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  GetDeploymentTargetCommand,
  LifecycleEventAlreadyCompletedException,
  ListDeploymentTargetsCommand,
  PutLifecycleEventHookExecutionStatusCommand,
} from "@aws-sdk/client-codedeploy";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { deploySchema } from "../../../lib/config/deploy-schema.ts";
import { runLifecycleHook, type HookDependencies } from "../../../lib/deploy/lifecycle-hook.ts";
import type { DeploymentNotifier, VerdictNotice } from "../../../lib/deploy/notifier.ts";
import { json, startGreen, type Green } from "./support.ts";

const codedeploy = mockClient(CodeDeployClient);
const event = { DeploymentId: "d-TEST12345", LifecycleEventHookExecutionId: "exec-1" };
let green: Green | undefined;

function seedDeployment(hookStatus = "InProgress") {
  codedeploy.on(GetDeploymentCommand).resolves({
    deploymentInfo: { deploymentId: "d-TEST12345", applicationName: "shop", deploymentGroupName: "shop-prd", computePlatform: "ECS", status: "InProgress" },
  });
  codedeploy.on(GetDeploymentGroupCommand).resolves({ deploymentGroupInfo: { ecsServices: [{ clusterName: "main", serviceName: "shop" }] } });
  codedeploy.on(ListDeploymentTargetsCommand).resolves({ targetIds: ["main:shop"] });
  codedeploy.on(GetDeploymentTargetCommand).resolves({
    deploymentTarget: {
      deploymentTargetType: "ECSTarget",
      ecsTarget: {
        targetId: "main:shop",
        lifecycleEvents: [
          { lifecycleEventName: "AfterInstall", status: "Succeeded" },
          { lifecycleEventName: "AfterAllowTestTraffic", status: hookStatus as "InProgress" },
        ],
        taskSetsInfo: [{ identifer: "ecs-svc/2", taskSetLabel: "Green", targetGroup: { name: "shop-green" } }],
      },
    },
  });
  codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
}

function config(url: string, over: Record<string, unknown> = {}) {
  return deploySchema.parse({
    applications: {
      shop: {
        deploymentGroups: {
          "*": {
            hooks: {
              AfterAllowTestTraffic: {
                checks: [{ type: "http", name: "health", url: `${url}/health`, expect: { bodyContains: "2.0.0" }, count: 3, interval: "1ms", failureLimit: 1, ...over }],
              },
            },
          },
        },
      },
    },
  });
}

/** A Lambda context whose function times out `ms` from now. */
const clock = (ms = 60_000) => {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => end - Date.now() };
};

const reports = () => codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand).map((call) => call.args[0].input.status);

function deps(over: Partial<HookDependencies>): HookDependencies {
  return { loadDeployConfig: async () => undefined, hookName: "AfterAllowTestTraffic", report: { baseDelayMs: 1, maxDelayMs: 2 }, ...over };
}

beforeEach(() => resetAwsClients());
afterEach(async () => {
  codedeploy.reset();
  await green?.close();
  green = undefined;
});

describe("lifecycle hook", () => {
  it("reports Succeeded for a healthy green, with the evidence", async () => {
    seedDeployment();
    green = await startGreen((_, __, res) => json(res, 200, { version: "2.0.0" }));
    const notices: VerdictNotice[] = [];
    const notifier: DeploymentNotifier = { verdict: async (n) => void notices.push(n), stateChanged: async () => undefined };
    const outcome = await runLifecycleHook(event, clock(), deps({ loadDeployConfig: async () => config(green!.url), notifier }));
    expect(outcome).toMatchObject({ kind: "reported", status: "Succeeded", delivery: "reported", reason: "all 1 check(s) passed" });
    expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0]?.args[0].input).toEqual({
      deploymentId: "d-TEST12345",
      lifecycleEventHookExecutionId: "exec-1",
      status: "Succeeded",
    });
    expect(green.requests).toBe(3);
    expect(notices[0]?.subject).toMatchObject({ applicationName: "shop", deploymentGroupName: "shop-prd", hook: "AfterAllowTestTraffic" });
    expect(notices[0]?.verdict.checks[0]?.measurements.map((m) => m.data.status)).toEqual([200, 200, 200]);
  });

  it("reports Failed for a wrong body", async () => {
    seedDeployment();
    green = await startGreen((_, __, res) => json(res, 200, { version: "1.9.0" }));
    const outcome = await runLifecycleHook(event, clock(), deps({ loadDeployConfig: async () => config(green!.url) }));
    expect(reports()).toEqual(["Failed"]);
    expect(outcome).toMatchObject({ kind: "reported", status: "Failed" });
    expect(outcome.kind === "reported" && outcome.reason).toMatch(/^check health failed: 2 of 2 measurements failed, more than failureLimit 1; last: GET .* body does not contain '2.0.0'$/);
  });

  it("passes a flaky green inside its failure limit and fails one outside it", async () => {
    seedDeployment();
    green = await startGreen((n, __, res) => (n === 2 ? json(res, 503, {}) : json(res, 200, { version: "2.0.0" })));
    await runLifecycleHook(event, clock(), deps({ loadDeployConfig: async () => config(green!.url) }));
    await green.close();
    green = await startGreen((n, __, res) => (n >= 2 ? json(res, 503, {}) : json(res, 200, { version: "2.0.0" })));
    await runLifecycleHook(event, clock(), deps({ loadDeployConfig: async () => config(green!.url) }));
    expect(reports()).toEqual(["Succeeded", "Failed"]);
  });

  it("reports Failed with the reason when the configuration cannot load", async () => {
    seedDeployment();
    const outcome = await runLifecycleHook(
      event,
      clock(),
      deps({
        loadDeployConfig: async () => {
          throw new Error("invalid Runway configuration: runway.yml:12:5 deploy.applications: expected record");
        },
      }),
    );
    expect(reports()).toEqual(["Failed"]);
    expect(outcome).toMatchObject({ kind: "reported", status: "Failed", reason: "invalid Runway configuration: runway.yml:12:5 deploy.applications: expected record" });
  });

  it("reports Failed when CodeDeploy cannot describe the deployment, or nothing is configured for it", async () => {
    seedDeployment();
    codedeploy
      .on(GetDeploymentCommand)
      .rejectsOnce(Object.assign(new Error("denied"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 403 } }))
      .resolves({ deploymentInfo: { applicationName: "shop", deploymentGroupName: "shop-prd", computePlatform: "ECS" } });
    const denied = await runLifecycleHook(event, clock(), deps({}));
    expect(denied.kind === "reported" && denied.reason).toBe("AccessDeniedException: denied");
    const outcome = await runLifecycleHook(event, clock(), deps({ loadDeployConfig: async () => deploySchema.parse({}) }));
    expect(reports()).toEqual(["Failed", "Failed"]);
    expect(outcome.kind === "reported" && outcome.reason).toContain('no checks for CodeDeploy application "shop"');
  });

  it("stops checking and reports Failed when the function's deadline margin is reached", async () => {
    seedDeployment();
    green = await startGreen(() => undefined); // never answers
    const context = clock(10_400); // reportMargin 10 s: 400 ms to check
    let leftAtReport = 0;
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).callsFake(() => {
      leftAtReport = context.getRemainingTimeInMillis();
      return {};
    });
    const outcome = await runLifecycleHook(event, context, deps({ loadDeployConfig: async () => config(green!.url, { timeout: "60s", count: 1, failureLimit: 0 }) }));
    expect(outcome).toMatchObject({ kind: "reported", status: "Failed" });
    expect(outcome.kind === "reported" && outcome.reason).toMatch(/^DeadlineError: stopped with \d+s left before the function's timeout \(reportMargin 10s\)/);
    expect(leftAtReport).toBeGreaterThan(5_000);
  });

  it("reports Failed at once when the function has less time than the margin", async () => {
    seedDeployment();
    const outcome = await runLifecycleHook(event, clock(3_000), deps({ loadDeployConfig: async () => config("http://127.0.0.1:9") }));
    expect(reports()).toEqual(["Failed"]);
    expect(outcome.kind === "reported" && outcome.reason).toContain("raise the function's timeout");
  });

  it("reports nothing for a hook an earlier invocation already settled", async () => {
    seedDeployment("Succeeded");
    const outcome = await runLifecycleHook(event, clock(), deps({ loadDeployConfig: async () => config("http://127.0.0.1:9") }));
    expect(outcome).toEqual({ kind: "skipped", reason: "lifecycle event AfterAllowTestTraffic is already Succeeded" });
    expect(reports()).toEqual([]);
  });

  it("treats 'already completed' from a concurrent invocation as done", async () => {
    seedDeployment();
    green = await startGreen((_, __, res) => json(res, 200, { version: "2.0.0" }));
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).rejects(new LifecycleEventAlreadyCompletedException({ message: "done", $metadata: {} }));
    const outcome = await runLifecycleHook(event, clock(), deps({ loadDeployConfig: async () => config(green!.url) }));
    expect(outcome).toMatchObject({ kind: "reported", delivery: "already-completed" });
  });

  it("reports Failed when the appspec sends this function another hook", async () => {
    seedDeployment("Pending");
    codedeploy.on(GetDeploymentTargetCommand).resolves({
      deploymentTarget: { ecsTarget: { targetId: "main:shop", lifecycleEvents: [{ lifecycleEventName: "AfterInstall", status: "InProgress" }] } },
    });
    const outcome = await runLifecycleHook(event, clock(), deps({ loadDeployConfig: async () => config("http://127.0.0.1:9") }));
    expect(outcome.kind === "reported" && outcome.reason).toContain("this function validates AfterAllowTestTraffic but CodeDeploy is running AfterInstall");
  });

  it("still reports when the notifier fails", async () => {
    seedDeployment();
    const notifier: DeploymentNotifier = {
      verdict: async () => {
        throw new Error("slack down");
      },
      stateChanged: async () => undefined,
    };
    const outcome = await runLifecycleHook(event, clock(), deps({ loadDeployConfig: async () => deploySchema.parse({ applications: { shop: { deploymentGroups: { "*": { hooks: { AfterAllowTestTraffic: { checks: [] } } } } } } }), notifier }));
    expect(outcome).toMatchObject({ kind: "reported", status: "Succeeded", reason: "no checks configured for this hook (checks: [])" });
  });

  it("cannot report without the event's ids", async () => {
    expect(await runLifecycleHook({ hello: "world" }, clock(), deps({}))).toMatchObject({ kind: "unreportable" });
    expect(reports()).toEqual([]);
  });
});
