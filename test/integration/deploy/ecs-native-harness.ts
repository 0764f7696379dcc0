/**
 * Integration harness for the ECS-native hook: the local AWS emulator with ECS (service
 * deployments and revisions), ELBv2, CloudWatch and SQS (the notify queue), the SDK clients
 * pointed at it, runway.yml written to a temporary directory, and ECS's part played: enter a
 * stage, invoke the deployed handler, call back with the hookDetails it returned.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Context } from "aws-lambda";
import { stringify } from "yaml";
import { handler } from "../../../functions/ecs-hook.ts";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { setConfig } from "../../../lib/config/runtime.ts";
import type { EcsHookResponse } from "../../../lib/deploy/ecs-native/types.ts";
import { startAwsEmulator, type AwsEmulator } from "../../../lib/local/aws-emulator/server.ts";
import { createCloudWatchEmulation, type CloudWatchEmulation } from "../../../lib/local/aws-emulator/services/cloudwatch.ts";
import { createEcsEmulation, type EcsEmulation } from "../../../lib/local/aws-emulator/services/ecs.ts";
import { createElbv2Emulation, type Elbv2Emulation } from "../../../lib/local/aws-emulator/services/elbv2.ts";
import { createSqsEmulation, type SqsEmulation } from "../../../lib/local/aws-emulator/services/sqs.ts";

const ENDPOINTS = ["ECS", "ELASTIC_LOAD_BALANCING_V2", "CLOUDWATCH", "SQS"];
export const HOOK_ARN = "arn:aws:lambda:eu-west-1:000000000000:function:runway-test-ecs-hook";
export const NOTIFY_QUEUE = "runway-test-notify";

export interface EcsHarness {
  aws: AwsEmulator;
  ecs: EcsEmulation;
  elbv2: Elbv2Emulation;
  cloudwatch: CloudWatchEmulation;
  sqs: SqsEmulation;
  /** Writes runway.yml with this `deploy.ecs` section (or raw text). */
  writeConfig(ecs: unknown): void;
  /** The notification events queued so far. */
  notifications(): Array<Record<string, any>>;
  close(): Promise<void>;
}

export async function startEcsHarness(): Promise<EcsHarness> {
  const services = { ecs: createEcsEmulation(), elbv2: createElbv2Emulation(), cloudwatch: createCloudWatchEmulation(), sqs: createSqsEmulation() };
  const aws = await startAwsEmulator({ services: Object.values(services), checkResponses: true });
  services.sqs.createQueue(NOTIFY_QUEUE);
  for (const name of ENDPOINTS) process.env[`AWS_ENDPOINT_URL_${name}`] = aws.url;
  process.env.RUNWAY_NOTIFY_QUEUE_URL = services.sqs.queueUrl(NOTIFY_QUEUE, aws.url);
  resetAwsClients();
  const dir = mkdtempSync(join(tmpdir(), "runway-ecs-hook-"));
  const file = join(dir, "runway.yml");
  process.env.RUNWAY_CONFIG = file;
  return {
    aws,
    ...services,
    writeConfig(ecs) {
      const environments = {
        dev: { workflows: [[{ type: "WORKFLOW_NAME", pattern: "^deploy$" }]], codebuild: { project: "runner-dev" }, labels: ["runway-dev"] },
      };
      writeFileSync(file, typeof ecs === "string" ? ecs : stringify({ environments, deploy: { ecs } }));
      setConfig();
    },
    notifications: () => services.sqs.messages(NOTIFY_QUEUE).map((m) => JSON.parse(m.body) as Record<string, any>),
    async close() {
      await aws.close();
      for (const name of ENDPOINTS) delete process.env[`AWS_ENDPOINT_URL_${name}`];
      delete process.env.RUNWAY_CONFIG;
      delete process.env.RUNWAY_NOTIFY_QUEUE_URL;
      setConfig();
      resetAwsClients();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Lambda context for the hook function, timing out `ms` from now. */
export function hookContext(ms = 60_000): Context {
  const end = Date.now() + ms;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: "runway-test-ecs-hook",
    functionVersion: "$LATEST",
    invokedFunctionArn: HOOK_ARN,
    memoryLimitInMB: "256",
    awsRequestId: crypto.randomUUID(),
    logGroupName: "/aws/lambda/runway-test-ecs-hook",
    logStreamName: "test",
    getRemainingTimeInMillis: () => end - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface Seeded {
  serviceDeploymentArn: string;
  targetRevisionArn: string;
  sourceRevisionArn: string;
  greenGroup: string;
}

/** Seeds prod/shop's service deployment: green revision running release 2.0.0 (2 healthy tasks), its target group healthy, alarms OK. */
export function seedShop(h: EcsHarness, options: { stages?: string[] } = {}): Seeded {
  const suffix = crypto.randomUUID().slice(0, 8);
  const blue = h.ecs.registerTaskDefinition("shop", [{ name: "web", image: "registry.local/shop:1.9.0" }]);
  const green = h.ecs.registerTaskDefinition("shop", [{ name: "web", image: "registry.local/shop:2.0.0" }]);
  const greenGroup = `shop-green-${suffix}`;
  const blueArn = h.elbv2.createTargetGroup(`shop-blue-${suffix}`, { port: 8080 });
  const greenArn = h.elbv2.createTargetGroup(greenGroup, { port: 8080 });
  h.elbv2.setTargets(greenGroup, [
    { id: "10.0.1.11", port: 8080, state: "healthy" },
    { id: "10.0.1.12", port: 8080, state: "healthy" },
  ]);
  const loadBalancer = { containerName: "web", containerPort: 8080, targetGroupArn: blueArn, alternateTargetGroupArn: greenArn };
  const seeded = h.ecs.createServiceDeployment({
    cluster: "prod",
    service: "shop",
    source: { taskDefinition: blue, targetGroupArn: blueArn, loadBalancer },
    target: { taskDefinition: green, targetGroupArn: greenArn, loadBalancer },
    desiredCount: 2,
    lifecycleHooks: [{ hookTargetArn: HOOK_ARN, lifecycleStages: options.stages ?? ["POST_SCALE_UP", "POST_TEST_TRAFFIC_SHIFT"], timeoutInMinutes: 60 }],
    alarms: ["shop-deploy-5xx"],
  });
  h.ecs.runRevisionTasks(seeded.targetRevisionArn, 2, { healthStatus: "HEALTHY" });
  h.cloudwatch.putAlarm("shop-5xx", "OK");
  return { ...seeded, greenGroup };
}

export interface Played {
  hookStatus: EcsHookResponse["hookStatus"];
  invocations: number;
  responses: EcsHookResponse[];
}

/**
 * ECS at one stage: invokes the handler, and after each IN_PROGRESS waits `callBackDelay` scaled
 * by `scale` and invokes again with the hookDetails returned; ends on SUCCEEDED or FAILED.
 */
export async function playStage(h: EcsHarness, arn: string, stage: string, options: { scale?: number; before?: (n: number) => void; at?: Date } = {}): Promise<Played> {
  h.ecs.serviceDeployments.enterStage(arn, stage, options.at ? { at: options.at } : {});
  const responses: EcsHookResponse[] = [];
  let carried: Record<string, unknown> | undefined;
  for (let n = 1; n <= 30; n++) {
    options.before?.(n);
    const response = await handler(h.ecs.serviceDeployments.hookEvent(arn, carried ? { hookDetails: carried } : {}), hookContext());
    responses.push(response);
    if (response.hookStatus !== "IN_PROGRESS") {
      h.ecs.serviceDeployments.completeHooks(arn, response.hookStatus);
      return { hookStatus: response.hookStatus, invocations: n, responses };
    }
    carried = response.hookDetails;
    await new Promise((resolve) => setTimeout(resolve, (response.callBackDelay ?? 30) * 1000 * (options.scale ?? 0.25)));
  }
  throw new Error(`${stage} still IN_PROGRESS after 30 invocations`);
}
