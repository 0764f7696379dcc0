/** The `npm start` ECS-native demo: ECS's part played over several invocations of the real hook code, to SUCCEEDED and to FAILED. */
import { afterEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { startAwsEmulator, type AwsEmulator } from "../../../lib/local/aws-emulator/server.ts";
import { runEcsDeployDemo } from "../../../lib/local/deploy-demo-ecs.ts";

let aws: AwsEmulator | undefined;
afterEach(async () => {
  await aws?.close();
  for (const name of ["ECS", "ELASTIC_LOAD_BALANCING_V2", "CLOUDWATCH", "LAMBDA"]) delete process.env[`AWS_ENDPOINT_URL_${name}`];
  resetAwsClients();
});

describe("ECS-native deploy demo", () => {
  it("passes a healthy green over several invocations and rolls back a stale one", async () => {
    aws = await startAwsEmulator({ checkResponses: true });
    const lines: string[] = [];
    const pass = await runEcsDeployDemo({ emulator: aws, outcome: "pass", print: (line) => lines.push(line), callBackScale: 0.1 });
    const fail = await runEcsDeployDemo({ emulator: aws, outcome: "fail", print: (line) => lines.push(line), callBackScale: 0.1 });

    expect(pass).toMatchObject({ hookStatus: "SUCCEEDED", stages: [{ stage: "POST_SCALE_UP", hookStatus: "SUCCEEDED" }, { stage: "POST_TEST_TRAFFIC_SHIFT", hookStatus: "SUCCEEDED" }] });
    expect(pass.invocations).toBeGreaterThan(2);
    expect(fail).toMatchObject({ hookStatus: "FAILED", stages: [{ stage: "POST_SCALE_UP", hookStatus: "SUCCEEDED" }, { stage: "POST_TEST_TRAFFIC_SHIFT", hookStatus: "FAILED" }] });
    expect(fail.stages[1]!.invocations).toBeGreaterThan(1);
    expect(fail.stages[1]!.reason).toContain(`body does not contain '"version":"2.0.0"'`);
    expect(lines.some((line) => line.includes("IN_PROGRESS, call back in 1s"))).toBe(true);
    expect(lines).toContain("  ECS: deployment rolled back after " + fail.invocations + " hook invocations");
    // Every answer the emulator gave the hook matched ECS's model.
    expect(aws.calls.filter((call) => call.responseIssues)).toEqual([]);
    expect(new Set(aws.calls.map((call) => `${call.service}:${call.operation}`))).toEqual(
      new Set(["ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions", "ecs:ListTasks", "ecs:DescribeTasks", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth", "monitoring:DescribeAlarms"]),
    );
  });
});

describe("POST /demo/deploy?controller=ecs on the local stack", () => {
  it("answers the final hookStatus and how many times ECS invoked the hook, and the deployment's thread gets one reply per stage", async () => {
    const { startLocalStack } = await import("../../../lib/local/stack.ts");
    const { SAMPLE_CONFIG_FILE } = await import("../../support/config.ts");
    const stack = await startLocalStack({ port: 0, config: SAMPLE_CONFIG_FILE, print: () => {}, simulateRunners: false });
    try {
      const demo = async (outcome: string) => (await fetch(`${stack.url}/demo/deploy?controller=ecs&outcome=${outcome}`, { method: "POST" })).json() as Promise<Record<string, any>>;
      const pass = await demo("pass");
      const fail = await demo("fail");
      expect(pass).toMatchObject({ controller: "ecs", hookStatus: "SUCCEEDED", invocations: expect.any(Number) });
      expect(fail).toMatchObject({ controller: "ecs", hookStatus: "FAILED", stages: [{ stage: "POST_SCALE_UP", hookStatus: "SUCCEEDED" }, { stage: "POST_TEST_TRAFFIC_SHIFT", hookStatus: "FAILED" }] });
      expect(pass.invocations).toBeGreaterThan(1);
      expect(fail.invocations).toBeGreaterThan(1);

      const id = (arn: string) => arn.split("/").pop()!;
      const threadOf = (arn: string) => stack.slack.threads().find((t) => t.parent.text.includes(id(arn)));
      await expect.poll(() => threadOf(fail.serviceDeploymentArn)?.replies.length, { timeout: 10_000 }).toBe(2);
      await expect.poll(() => threadOf(pass.serviceDeploymentArn)?.replies.length, { timeout: 10_000 }).toBe(2);
      const replies = threadOf(fail.serviceDeploymentArn)!.replies.map((r) => r.text);
      expect(replies[0]).toContain("POST_SCALE_UP: Succeeded");
      expect(replies[1]).toContain("POST_TEST_TRAFFIC_SHIFT: Failed");
      expect(threadOf(fail.serviceDeploymentArn)!.parent.text).toContain("local / shop");
    } finally {
      await stack.stop();
    }
  }, 60_000);
});
