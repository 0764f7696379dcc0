/**
 * The deployed ECS lifecycle hook (functions/ecs-hook.ts) against the local AWS emulator, through
 * the real SDK clients, with ECS's part played: what ECS gets, stage by stage and invocation by
 * invocation, and what the deployment's Slack thread is told through the notify queue.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readState } from "../../../lib/deploy/ecs-native/state.ts";
import { json, startGreen, type Green } from "../../unit/deploy/support.ts";
import { handler } from "../../../functions/ecs-hook.ts";
import { hookContext, playStage, seedShop, startEcsHarness, type EcsHarness } from "./ecs-native-harness.ts";

let h: EcsHarness;
let green: Green | undefined;

beforeEach(async () => {
  h = await startEcsHarness();
});
afterEach(async () => {
  await green?.close();
  green = undefined;
  await h.close();
});

const stages = (url: string, over: Record<string, unknown> = {}) => ({
  clusters: {
    prod: {
      services: {
        shop: {
          stages: {
            POST_SCALE_UP: { checks: [{ name: "green-tasks", type: "ecs", count: 2, interval: "250ms" }, { name: "green-targets", type: "targetHealth" }] },
            POST_TEST_TRAFFIC_SHIFT: {
              checks: [
                { name: "green-health", type: "http", url: `${url}/health?deployment={deploymentId}&revision={replacementTaskSetId}`, expect: { status: 200, bodyContains: '"version":"2.0.0"' }, count: 3, interval: "250ms", failureLimit: 1, timeout: "2s" },
                { name: "error-alarms", type: "alarms", names: ["shop-5xx"] },
              ],
            },
            ...over,
          },
        },
      },
    },
  },
});

describe("ECS-native hook through the emulator", () => {
  it("passes a healthy green stage by stage over several invocations, and tells the thread one verdict per stage", async () => {
    const paths: string[] = [];
    green = await startGreen((_, req, res) => {
      paths.push(req.url ?? "");
      json(res, 200, { status: "ok", version: "2.0.0" });
    });
    h.writeConfig(stages(green.url));
    const { serviceDeploymentArn, targetRevisionArn } = seedShop(h);

    const scaled = await playStage(h, serviceDeploymentArn, "POST_SCALE_UP");
    const tested = await playStage(h, serviceDeploymentArn, "POST_TEST_TRAFFIC_SHIFT");
    expect([scaled.hookStatus, tested.hookStatus]).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    expect(scaled.invocations).toBeGreaterThan(1);
    expect(tested.invocations).toBeGreaterThanOrEqual(3);
    for (const response of [...scaled.responses, ...tested.responses].slice(0, -1)) {
      if (response.hookStatus === "IN_PROGRESS") expect(response).toEqual({ hookStatus: "IN_PROGRESS", callBackDelay: 1, hookDetails: { runway: expect.any(String) } });
    }
    const id = serviceDeploymentArn.split("/").pop()!;
    expect(paths[0]).toBe(`/health?deployment=${id}&revision=${targetRevisionArn.split("/").pop()}`);

    const verdicts = h.notifications().filter((e) => e.type === "deploy.verdict");
    expect(verdicts.map((e) => [e.thread, e.hook, e.verdict])).toEqual([
      [`deployment:${id}`, "POST_SCALE_UP", "Succeeded"],
      [`deployment:${id}`, "POST_TEST_TRAFFIC_SHIFT", "Succeeded"],
    ]);
    expect(verdicts[0]).toMatchObject({ deployment: { id, application: "prod", deploymentGroup: "shop", platform: "ECS" } });
    const operations = new Set(h.aws.calls.map((call) => `${call.service}:${call.operation}`));
    for (const op of ["ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions", "ecs:ListTasks", "ecs:DescribeTasks", "elasticloadbalancing:DescribeTargetHealth", "monitoring:DescribeAlarms", "sqs:SendMessageBatch"]) {
      expect(operations).toContain(op);
    }
    expect(h.aws.calls.filter((call) => call.responseIssues)).toEqual([]);
  });

  it("fails POST_SCALE_UP when a green task runs another image than the digest ECS resolved, or a deployment alarm fires", async () => {
    h.writeConfig(stages("http://127.0.0.1:9"));
    const moved = seedShop(h);
    h.ecs.updateRevisionTasks(moved.targetRevisionArn, { images: { web: `registry.local/shop:2.0.0@sha256:${"b".repeat(64)}` } });
    const result = await playStage(h, moved.serviceDeploymentArn, "POST_SCALE_UP");
    expect(result.hookStatus).toBe("FAILED");
    const reason = h.notifications().find((e) => e.type === "deploy.verdict")!.evidence[0] as string;
    expect(reason).toMatch(/^check green-tasks failed: 1 of 1 measurements failed.*images differ: task \w+ container web runs sha256:b{40}/);

    const alarmed = seedShop(h);
    h.ecs.serviceDeployments.triggerAlarm(alarmed.serviceDeploymentArn, "shop-deploy-5xx");
    expect((await playStage(h, alarmed.serviceDeploymentArn, "POST_SCALE_UP")).hookStatus).toBe("FAILED");
    expect(h.notifications().filter((e) => e.type === "deploy.verdict")[1]!.evidence[0]).toContain("deployment alarms triggered: shop-deploy-5xx");
  });

  it("answers FAILED with the reason when ECS's API fails mid-analysis (a crash), keeping what it measured", async () => {
    h.writeConfig(stages("http://127.0.0.1:9"));
    const { serviceDeploymentArn } = seedShop(h);
    const result = await playStage(h, serviceDeploymentArn, "POST_SCALE_UP", {
      before: (n) => {
        if (n === 2) h.aws.faults.add({ service: "ecs", operation: "DescribeServiceDeployments", error: { code: "AccessDeniedException", message: "not authorized to perform ecs:DescribeServiceDeployments" } });
      },
    });
    expect(result).toMatchObject({ hookStatus: "FAILED", invocations: 2 });
    const verdict = h.notifications().find((e) => e.type === "deploy.verdict")!;
    expect(verdict.verdict).toBe("Failed");
    expect(verdict.evidence[0]).toBe("AccessDeniedException: not authorized to perform ecs:DescribeServiceDeployments");
    expect(verdict.evidence.join("\n")).toContain("STOP green-tasks [ecs] (1/2 measured");
  });

  it("starts over when invoked without its state, the deadline still counted from when ECS started the hook", async () => {
    green = await startGreen((_, __, res) => json(res, 200, { version: "2.0.0" }));
    h.writeConfig(stages(green.url));
    const { serviceDeploymentArn, targetRevisionArn } = seedShop(h);
    h.ecs.serviceDeployments.enterStage(serviceDeploymentArn, "POST_TEST_TRAFFIC_SHIFT", { at: new Date(Date.now() - 10 * 60_000) });
    // ECS calls back, but hookDetails came back without Runway's state.
    const response = await handler(h.ecs.serviceDeployments.hookEvent(serviceDeploymentArn), hookContext());
    expect(response.hookStatus).toBe("IN_PROGRESS");
    const reading = readState(response.hookDetails, { deployment: serviceDeploymentArn, stage: "POST_TEST_TRAFFIC_SHIFT", revision: targetRevisionArn, step: null }, Date.now());
    expect(reading.kind === "found" && reading.state).toMatchObject({ restarts: 1, invocations: 1, checks: [{ name: "green-health", taken: 1 }, { name: "error-alarms", status: "passed" }] });
    expect(reading.kind === "found" && Date.now() - reading.state.startedAt).toBeGreaterThanOrEqual(10 * 60_000);

    // So close to maxDuration that starting over cannot finish: FAILED at once, with the reason.
    h.ecs.serviceDeployments.enterStage(serviceDeploymentArn, "POST_TEST_TRAFFIC_SHIFT", { at: new Date(Date.now() - 29 * 60_000 - 59_000) });
    const late = await handler(h.ecs.serviceDeployments.hookEvent(serviceDeploymentArn), hookContext());
    expect(late).toEqual({ hookStatus: "FAILED" });
    expect(h.notifications().find((e) => e.type === "deploy.verdict")!.evidence[0]).toMatch(/check green-health needs until .* past the stage's maxDuration .*the hook was invoked without its state/);
  });

  it("answers FAILED, never an error, for a broken runway.yml", async () => {
    h.writeConfig("environments: [not, a, map\n");
    const { serviceDeploymentArn } = seedShop(h);
    h.ecs.serviceDeployments.enterStage(serviceDeploymentArn, "POST_SCALE_UP");
    await expect(handler(h.ecs.serviceDeployments.hookEvent(serviceDeploymentArn), hookContext())).resolves.toEqual({ hookStatus: "FAILED" });
    expect(h.notifications().find((e) => e.type === "deploy.verdict")!.evidence[0]).toMatch(/ConfigError/);
  });
});
