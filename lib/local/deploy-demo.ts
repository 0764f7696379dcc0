/**
 * A blue/green validation you can watch on one machine: `npm start` seeds an ECS blue/green
 * deployment in the local AWS emulator, starts a "green" HTTP service on 127.0.0.1 (healthy, or
 * answering with the previous release's version), lets CodeDeploy "invoke" the
 * AfterAllowTestTraffic hook, and shows the checks' evidence and the status CodeDeploy received.
 *
 * The hook runs lib/deploy/lifecycle-hook.ts, the code behind functions/codedeploy-hook.ts,
 * through the real SDK clients pointed at the emulator; only the configuration is the demo's own.
 *
 * deploy-demo-ecs.ts does the same for a service deployed by ECS's own deployment controller.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { resetAwsClients } from "../aws/shared.ts";
import { deploySchema } from "../config/deploy-schema.ts";
import { ecsHooksSchema } from "../config/ecs-hooks-schema.ts";
import { runEcsHook } from "../deploy/ecs-native/run-hook.ts";
import type { EcsHookStatus } from "../deploy/ecs-native/types.ts";
import { runLifecycleHook, type HookOutcome } from "../deploy/lifecycle-hook.ts";
import type { DeploymentNotifier } from "../deploy/notifier.ts";
import { lambdaContext } from "./lambda-context.ts";
import type { AwsEmulator } from "./aws-emulator/server.ts";
import { createCloudWatchEmulation, type CloudWatchEmulation } from "./aws-emulator/services/cloudwatch.ts";
import { createCodeDeployEmulation, type CodeDeployEmulation, type HookReport } from "./aws-emulator/services/codedeploy.ts";
import { createEcsEmulation, type EcsEmulation } from "./aws-emulator/services/ecs.ts";
import { createElbv2Emulation, type Elbv2Emulation } from "./aws-emulator/services/elbv2.ts";


/** The demo's own checks, the same under CodeDeploy and under ECS's controller. */
export function greenHealthCheck(greenUrl: string) {
  return {
    name: "green-health",
    type: "http",
    url: `${greenUrl}/health?deployment={deploymentId}`,
    expect: { status: 200, bodyContains: `"version":"${RELEASE}"`, maxLatency: "1s" },
    count: 3,
    interval: "300ms",
    failureLimit: 1,
    timeout: "2s",
  };
}
export const ERROR_ALARMS_CHECK = { name: "error-alarms", type: "alarms", names: ["shop-5xx", "shop-p99-latency"] };

export interface DeployDemoServices {
  codedeploy: CodeDeployEmulation;
  ecs: EcsEmulation;
  elbv2: Elbv2Emulation;
  cloudwatch: CloudWatchEmulation;
}

export interface DeployDemoOptions {
  emulator: AwsEmulator;
  /** "pass": green answers as release 2.0.0 should; "fail": it still answers as 1.9.0. */
  outcome: "pass" | "fail";
  print?: (line: string) => void;
  /** Emulations already registered on the emulator; created and registered when omitted. */
  services?: DeployDemoServices;
  notifier?: DeploymentNotifier;
}

export interface DeployDemoResult {
  deploymentId: string;
  /** What CodeDeploy received (the emulator's record), e.g. "Succeeded". */
  reportedStatus: string | undefined;
  outcome: HookOutcome;
  reports: HookReport[];
}

export const RELEASE = "2.0.0";

/**
 * Runs one sample validation and prints it.
 *
 * @example
 * const aws = await startAwsEmulator();
 * const { reportedStatus } = await runDeployDemo({ emulator: aws, outcome: "pass", print: console.log }); // "Succeeded"
 */
export async function runDeployDemo(options: DeployDemoOptions): Promise<DeployDemoResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const services = options.services ?? registerServices(options.emulator);
  for (const name of ["CODEDEPLOY", "ECS", "ELASTIC_LOAD_BALANCING_V2", "CLOUDWATCH", "LAMBDA"]) {
    process.env[`AWS_ENDPOINT_URL_${name}`] = options.emulator.url;
  }
  resetAwsClients();

  const green = await startGreen(options.outcome === "pass" ? RELEASE : "1.9.0");
  try {
    const deploymentId = seed(services);
    const config = deploySchema.parse({
      applications: {
        shop: {
          deploymentGroups: {
            "*": {
              hooks: {
                AfterAllowTestTraffic: {
                  checks: [
                    greenHealthCheck(green.url),
                    { name: "replacement-tasks", type: "ecs" },
                    { name: "green-targets", type: "targetHealth" },
                    ERROR_ALARMS_CHECK,
                  ],
                },
              },
            },
          },
        },
      },
    });

    print(`Blue/green validation demo (${options.outcome === "pass" ? "a healthy green" : "a green still serving the old release"})`);
    print(`  green service: ${green.url}/health answers version ${options.outcome === "pass" ? RELEASE : "1.9.0"}; release ${RELEASE} expected`);
    const executionId = services.codedeploy.startHook(deploymentId, "AfterAllowTestTraffic");
    print(`  CodeDeploy invokes the AfterAllowTestTraffic hook of ${deploymentId} (execution ${executionId.slice(0, 8)}…)`);

    const deadline = Date.now() + 60_000;
    const outcome = await runLifecycleHook(
      { DeploymentId: deploymentId, LifecycleEventHookExecutionId: executionId },
      { getRemainingTimeInMillis: () => deadline - Date.now() },
      { loadDeployConfig: async () => config, hookName: "AfterAllowTestTraffic", ...(options.notifier ? { notifier: options.notifier } : {}) },
    );
    if (outcome.kind === "reported") for (const line of outcome.lines) print(`  ${line}`);
    const reports = services.codedeploy.reports(deploymentId);
    const reportedStatus = reports.find((report) => report.accepted)?.status;
    print(`  CodeDeploy received: ${reportedStatus ?? "nothing"} (${reports.length} report${reports.length === 1 ? "" : "s"})`);
    return { deploymentId, reportedStatus, outcome, reports };
  } finally {
    await new Promise<void>((resolve) => green.server.close(() => resolve()));
  }
}

export function registerServices(emulator: AwsEmulator): DeployDemoServices {
  const services = {
    codedeploy: createCodeDeployEmulation(),
    ecs: createEcsEmulation(),
    elbv2: createElbv2Emulation(),
    cloudwatch: createCloudWatchEmulation(),
  };
  for (const service of Object.values(services)) emulator.register(service);
  return services;
}

/** The deployment CodeDeploy would be running: shop's replacement task set, its target group, its alarms. */
function seed({ codedeploy, ecs, elbv2, cloudwatch }: DeployDemoServices): string {
  const suffix = Math.random().toString(36).slice(2, 8);
  const [blueId, greenId] = [`ecs-svc/blue-${suffix}`, `ecs-svc/green-${suffix}`];
  const taskDefinition = ecs.registerTaskDefinition("shop", [{ name: "web", image: `registry.local/shop:${RELEASE}` }]);
  const deploymentId = codedeploy.seedEcsDeployment({
    applicationName: "shop",
    deploymentGroupName: "shop-local",
    clusterName: "local",
    serviceName: "shop",
    original: { taskSetId: blueId, targetGroupName: "shop-blue", desiredCount: 2 },
    replacement: { taskSetId: greenId, targetGroupName: "shop-green", desiredCount: 2 },
    taskDefinition,
  });
  ecs.createTaskSet({ cluster: "local", service: "shop", id: greenId, taskDefinition, externalId: deploymentId, desiredCount: 2 });
  ecs.runTasks(greenId, 2, { healthStatus: "HEALTHY" });
  elbv2.createTargetGroup("shop-green", { port: 8080 });
  elbv2.setTargets("shop-green", [
    { id: "10.0.1.11", port: 8080, state: "healthy" },
    { id: "10.0.1.12", port: 8080, state: "healthy" },
  ]);
  cloudwatch.putAlarm("shop-5xx", "OK");
  cloudwatch.putAlarm("shop-p99-latency", "OK");
  return deploymentId;
}

export async function startGreen(version: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/health")) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok", version }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
