/** Helpers for the deploy tests: a local "green" HTTP service and a sample deployment. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { CheckEnv, DeploymentContext } from "../../../lib/deploy/types.ts";
import { placeholderValues } from "../../../lib/deploy/template.ts";

export interface Green {
  url: string;
  requests: number;
  close(): Promise<void>;
}

/** Starts an HTTP service on 127.0.0.1 (ephemeral port); `answer` gets the request number (1-based). */
export async function startGreen(answer: (n: number, req: IncomingMessage, res: ServerResponse) => void): Promise<Green> {
  const green: Green = { url: "", requests: 0, close: async () => undefined };
  const server = createServer((req, res) => {
    green.requests += 1;
    answer(green.requests, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  green.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  green.close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return green;
}

/** Answers JSON with a status. */
export const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

export function ecsDeployment(over: Partial<DeploymentContext> = {}): DeploymentContext {
  return {
    deploymentId: "d-TEST12345",
    applicationName: "shop",
    deploymentGroupName: "shop-prd",
    computePlatform: "ECS",
    status: "InProgress",
    targetId: "main:shop",
    lifecycleEvents: [{ name: "AfterAllowTestTraffic", status: "InProgress" }],
    ecs: {
      clusterName: "main",
      serviceName: "shop",
      original: { id: "ecs-svc/1", label: "Blue", targetGroupName: "shop-blue", trafficWeight: 100, desiredCount: 2, runningCount: 2, pendingCount: 0, status: "PRIMARY" },
      replacement: { id: "ecs-svc/2", label: "Green", targetGroupName: "shop-green", trafficWeight: 0, desiredCount: 2, runningCount: 2, pendingCount: 0, status: "ACTIVE" },
      testListenerArns: [],
      prodListenerArns: [],
      targetGroupNames: ["shop-blue", "shop-green"],
      appSpecTaskDefinition: undefined,
    },
    lambda: undefined,
    ...over,
  };
}

export function lambdaDeployment(): DeploymentContext {
  return ecsDeployment({
    computePlatform: "Lambda",
    targetId: "shop-api:live",
    ecs: undefined,
    lambda: { functionName: "shop-api", functionAlias: "live", currentVersion: "6", targetVersion: "7" },
  });
}

export function envFor(deployment: DeploymentContext, hook: CheckEnv["hook"] = "AfterAllowTestTraffic"): CheckEnv {
  return { deployment, hook, values: placeholderValues(deployment, hook) };
}
