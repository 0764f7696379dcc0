/**
 * The blue/green validation demo for a service deployed by ECS's own deployment controller: the
 * demo plays ECS, entering POST_SCALE_UP and POST_TEST_TRAFFIC_SHIFT and invoking the hook
 * (lib/deploy/ecs-native/run-hook.ts, behind functions/ecs-hook.ts) again after each IN_PROGRESS,
 * its callBackDelay scaled down, with the hookDetails it returned. The green service, the checks
 * and the emulated services are deploy-demo.ts's.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { resetAwsClients } from "../aws/shared.ts";
import { ecsHooksSchema } from "../config/ecs-hooks-schema.ts";
import { runEcsHook } from "../deploy/ecs-native/run-hook.ts";
import type { EcsHookStatus } from "../deploy/ecs-native/types.ts";
import type { DeploymentNotifier } from "../deploy/notifier.ts";
import { ERROR_ALARMS_CHECK, greenHealthCheck, registerServices, RELEASE, startGreen, type DeployDemoOptions, type DeployDemoServices } from "./deploy-demo.ts";
import { lambdaContext } from "./lambda-context.ts";

export interface EcsDeployDemoOptions extends DeployDemoOptions {
  /** ECS's callBackDelay seconds become this many seconds here (default 0.3). */
  callBackScale?: number;
}

export interface EcsStageResult {
  stage: string;
  hookStatus: EcsHookStatus;
  invocations: number;
  reason: string;
}

export interface EcsDeployDemoResult {
  serviceDeploymentArn: string;
  /** The last stage's answer: SUCCEEDED when the whole deployment passed. */
  hookStatus: EcsHookStatus;
  /** Invocations of the hook over every stage. */
  invocations: number;
  stages: EcsStageResult[];
}

const ECS_STAGES = ["POST_SCALE_UP", "POST_TEST_TRAFFIC_SHIFT"] as const;
const MAX_INVOCATIONS = 40;

/**
 * Runs one sample ECS-native validation, stage by stage, and prints it.
 *
 * @example
 * const { hookStatus, invocations } = await runEcsDeployDemo({ emulator: aws, outcome: "pass" }); // "SUCCEEDED", 5
 */
export async function runEcsDeployDemo(options: EcsDeployDemoOptions): Promise<EcsDeployDemoResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const services = options.services ?? registerServices(options.emulator);
  for (const name of ["ECS", "ELASTIC_LOAD_BALANCING_V2", "CLOUDWATCH", "LAMBDA"]) process.env[`AWS_ENDPOINT_URL_${name}`] = options.emulator.url;
  resetAwsClients();
  const scale = options.callBackScale ?? 0.3;
  const hookFunction = "runway-local-ecs-hook";
  const green = await startGreen(options.outcome === "pass" ? RELEASE : "1.9.0");
  try {
    const arn = seedEcs(services, lambdaContext(hookFunction).invokedFunctionArn);
    const config = ecsHooksSchema.parse({
      clusters: {
        local: {
          services: {
            shop: {
              stages: {
                POST_SCALE_UP: { checks: [{ name: "green-tasks", type: "ecs", count: 2, interval: "300ms" }, { name: "green-targets", type: "targetHealth" }] },
                POST_TEST_TRAFFIC_SHIFT: {
                  maxDuration: "2m",
                  checks: [
                    greenHealthCheck(green.url),
                    ERROR_ALARMS_CHECK,
                  ],
                },
              },
            },
          },
        },
      },
    });
    print(`ECS-native blue/green validation demo (${options.outcome === "pass" ? "a healthy green" : "a green still serving the old release"})`);
    print(`  green service: ${green.url}/health answers version ${options.outcome === "pass" ? RELEASE : "1.9.0"}; release ${RELEASE} expected`);
    const stages: EcsStageResult[] = [];
    for (const stage of ECS_STAGES) {
      const result = await playStage(services, arn, stage, { hookFunction, scale, print, ...(options.notifier ? { notifier: options.notifier } : {}), config });
      stages.push(result);
      if (result.hookStatus !== "SUCCEEDED") break;
    }
    const last = stages.at(-1)!;
    services.ecs.serviceDeployments.finish(arn, last.hookStatus === "SUCCEEDED" ? "SUCCESSFUL" : "ROLLBACK_SUCCESSFUL");
    const invocations = stages.reduce((sum, s) => sum + s.invocations, 0);
    print(`  ECS: deployment ${last.hookStatus === "SUCCEEDED" ? "SUCCESSFUL" : "rolled back"} after ${invocations} hook invocations`);
    return { serviceDeploymentArn: arn, hookStatus: last.hookStatus, invocations, stages };
  } finally {
    await new Promise<void>((resolve) => green.server.close(() => resolve()));
  }
}

/** ECS's side of one stage: invoke, wait out callBackDelay (scaled), invoke again with hookDetails. */
async function playStage(
  { ecs }: DeployDemoServices,
  arn: string,
  stage: string,
  play: { hookFunction: string; scale: number; print: (line: string) => void; notifier?: DeploymentNotifier; config: ReturnType<typeof ecsHooksSchema.parse> },
): Promise<EcsStageResult> {
  ecs.serviceDeployments.enterStage(arn, stage);
  play.print(`  ECS enters ${stage} and invokes the hook`);
  let carried: Record<string, unknown> | undefined;
  for (let n = 1; n <= MAX_INVOCATIONS; n++) {
    const event = ecs.serviceDeployments.hookEvent(arn, carried ? { hookDetails: carried } : {});
    const result = await runEcsHook(event, lambdaContext(play.hookFunction, 60_000), {
      loadConfig: async () => play.config,
      ...(play.notifier ? { notifier: play.notifier } : {}),
    });
    const { hookStatus, callBackDelay, hookDetails } = result.response;
    if (hookStatus === "IN_PROGRESS") {
      play.print(`    invocation ${n}: IN_PROGRESS, call back in ${callBackDelay}s — ${result.reason}`);
      carried = hookDetails;
      await sleep((callBackDelay ?? 30) * 1000 * play.scale);
      continue;
    }
    play.print(`    invocation ${n}: ${hookStatus}`);
    for (const line of result.lines) play.print(`    ${line}`);
    ecs.serviceDeployments.completeHooks(arn, hookStatus);
    return { stage, hookStatus, invocations: n, reason: result.reason };
  }
  ecs.serviceDeployments.completeHooks(arn, "FAILED");
  return { stage, hookStatus: "FAILED", invocations: MAX_INVOCATIONS, reason: `the demo stopped after ${MAX_INVOCATIONS} invocations` };
}

/** The service deployment ECS would be running: shop's green revision, its tasks, target groups and alarms. */
function seedEcs({ ecs, elbv2, cloudwatch }: DeployDemoServices, hookArn: string): string {
  const suffix = Math.random().toString(36).slice(2, 8);
  const blue = ecs.registerTaskDefinition("shop", [{ name: "web", image: "registry.local/shop:1.9.0" }]);
  const greenDefinition = ecs.registerTaskDefinition("shop", [{ name: "web", image: `registry.local/shop:${RELEASE}` }]);
  const [blueGroup, greenGroup] = [`shop-blue-${suffix}`, `shop-green-${suffix}`].map((name) => elbv2.createTargetGroup(name, { port: 8080 }));
  elbv2.setTargets(`shop-green-${suffix}`, [
    { id: "10.0.2.21", port: 8080, state: "healthy" },
    { id: "10.0.2.22", port: 8080, state: "healthy" },
  ]);
  const loadBalancer = { containerName: "web", containerPort: 8080, targetGroupArn: blueGroup!, alternateTargetGroupArn: greenGroup! };
  const { serviceDeploymentArn, targetRevisionArn } = ecs.createServiceDeployment({
    cluster: "local",
    service: "shop",
    source: { taskDefinition: blue, targetGroupArn: blueGroup!, loadBalancer },
    target: { taskDefinition: greenDefinition, targetGroupArn: greenGroup!, loadBalancer },
    desiredCount: 2,
    lifecycleHooks: [{ hookTargetArn: hookArn, lifecycleStages: [...ECS_STAGES], hookDetails: { team: "shop" }, timeoutInMinutes: 30 }],
  });
  ecs.runRevisionTasks(targetRevisionArn, 2, { healthStatus: "HEALTHY" });
  cloudwatch.putAlarm("shop-5xx", "OK");
  cloudwatch.putAlarm("shop-p99-latency", "OK");
  return serviceDeploymentArn;
}
