/**
 * Integration harness for the hook validator: the local AWS emulator with the CodeDeploy, ECS,
 * ELBv2, CloudWatch and Lambda emulations, the SDK clients pointed at it, a runway.yml written to
 * a temporary directory (RUNWAY_CONFIG), a fake Lambda context, and local "green" services.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Context } from "aws-lambda";
import { stringify } from "yaml";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { setConfig } from "../../../lib/config/runtime.ts";
import { startAwsEmulator, type AwsEmulator } from "../../../lib/local/aws-emulator/server.ts";
import { createCloudWatchEmulation, type CloudWatchEmulation } from "../../../lib/local/aws-emulator/services/cloudwatch.ts";
import { createCodeDeployEmulation, type CodeDeployEmulation } from "../../../lib/local/aws-emulator/services/codedeploy.ts";
import { createEcsEmulation, type EcsEmulation } from "../../../lib/local/aws-emulator/services/ecs.ts";
import { createElbv2Emulation, type Elbv2Emulation } from "../../../lib/local/aws-emulator/services/elbv2.ts";
import { createLambdaEmulation, type LambdaEmulation } from "../../../lib/local/aws-emulator/services/lambda.ts";

const ENDPOINTS = ["CODEDEPLOY", "ECS", "ELASTIC_LOAD_BALANCING_V2", "CLOUDWATCH", "LAMBDA"];

export interface Harness {
  aws: AwsEmulator;
  codedeploy: CodeDeployEmulation;
  ecs: EcsEmulation;
  elbv2: Elbv2Emulation;
  cloudwatch: CloudWatchEmulation;
  lambda: LambdaEmulation;
  /** Writes runway.yml with this `deploy:` section (or raw text) and makes the handler read it. */
  writeConfig(deploy: unknown): void;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const services = {
    codedeploy: createCodeDeployEmulation(),
    ecs: createEcsEmulation(),
    elbv2: createElbv2Emulation(),
    cloudwatch: createCloudWatchEmulation(),
    lambda: createLambdaEmulation(),
  };
  const aws = await startAwsEmulator({ services: Object.values(services) });
  for (const name of ENDPOINTS) process.env[`AWS_ENDPOINT_URL_${name}`] = aws.url;
  resetAwsClients();
  const dir = mkdtempSync(join(tmpdir(), "runway-deploy-"));
  const file = join(dir, "runway.yml");
  process.env.RUNWAY_CONFIG = file;
  return {
    aws,
    ...services,
    writeConfig(deploy) {
      const environments = {
        dev: { workflows: [[{ type: "WORKFLOW_NAME", pattern: "^deploy$" }]], codebuild: { project: "runner-dev" }, labels: ["runway-dev"] },
      };
      writeFileSync(file, typeof deploy === "string" ? deploy : stringify({ environments, deploy }));
      setConfig();
    },
    async close() {
      await aws.close();
      for (const name of ENDPOINTS) delete process.env[`AWS_ENDPOINT_URL_${name}`];
      delete process.env.RUNWAY_CONFIG;
      delete process.env.RUNWAY_HOOK;
      setConfig();
      resetAwsClients();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Lambda context whose function times out `ms` from now. */
export function lambdaContext(ms = 60_000): Context {
  const end = Date.now() + ms;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: "runway-test-AfterAllowTestTraffic",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:eu-west-1:000000000000:function:runway-test-AfterAllowTestTraffic",
    memoryLimitInMB: "256",
    awsRequestId: crypto.randomUUID(),
    logGroupName: "/aws/lambda/runway-test",
    logStreamName: "test",
    getRemainingTimeInMillis: () => end - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Seeds shop's ECS blue/green deployment: the green task set running release 2.0.0 (2 healthy
 * tasks), its target group with healthy targets, and two alarms in OK. Returns the deployment id.
 */
export function seedShop(h: Harness, options: { image?: string; targetState?: string; alarm?: "OK" | "ALARM" } = {}): string {
  const suffix = crypto.randomUUID().slice(0, 8);
  const taskDefinition = h.ecs.registerTaskDefinition("shop", [{ name: "web", image: "registry.local/shop:2.0.0" }]);
  const replacement = `ecs-svc/green-${suffix}`;
  const deploymentId = h.codedeploy.seedEcsDeployment({
    applicationName: "shop",
    deploymentGroupName: "shop-prd",
    clusterName: "main",
    serviceName: "shop",
    original: { taskSetId: `ecs-svc/blue-${suffix}`, targetGroupName: "shop-blue", desiredCount: 2 },
    replacement: { taskSetId: replacement, targetGroupName: `shop-green-${suffix}`, desiredCount: 2 },
    taskDefinition,
  });
  h.ecs.createTaskSet({ cluster: "main", service: "shop", id: replacement, taskDefinition, externalId: deploymentId, desiredCount: 2 });
  h.ecs.runTasks(replacement, 2, { healthStatus: "HEALTHY", ...(options.image ? { images: { web: options.image } } : {}) });
  h.elbv2.createTargetGroup(`shop-green-${suffix}`, { port: 8080 });
  h.elbv2.setTargets(`shop-green-${suffix}`, [
    { id: "10.0.1.11", port: 8080, state: "healthy" },
    { id: "10.0.1.12", port: 8080, state: options.targetState ?? "healthy", ...(options.targetState === "unhealthy" ? { reason: "Target.FailedHealthChecks" } : {}) },
  ]);
  h.cloudwatch.putAlarm("shop-5xx", options.alarm ?? "OK");
  h.cloudwatch.putAlarm("shop-p99", "OK", { type: "CompositeAlarm" });
  return deploymentId;
}

/** The `deploy:` section with the given AfterAllowTestTraffic checks for shop. */
export function shopChecks(checks: unknown[], extra: Record<string, unknown> = {}): unknown {
  return { ...extra, applications: { shop: { deploymentGroups: { "*": { hooks: { AfterAllowTestTraffic: { checks } } } } } } };
}
