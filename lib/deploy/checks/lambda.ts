/**
 * `lambda` check: invoke a smoke-test function (or, by default, the new version of the function a
 * Lambda deployment is shifting traffic to) and check its answer: no function error, and the
 * answer contains / matches / has the JSON fields the configuration expects. The answer itself is
 * never logged; only the expectations that failed are.
 */
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { lambdaClient } from "../../aws/lambda.ts";
import type { LambdaCheckConfig } from "../../config/deploy-schema.ts";
import { CheckSetupError } from "../errors.ts";
import { fillJson, fillTemplate , quote } from "../template.ts";
import type { CheckEnv, Measure } from "../types.ts";

/**
 * Builds the measurement of a lambda check.
 *
 * @example
 * const { summary } = await lambdaMeasure(check, env)(signal); // "invoked shop-api:7 in 85 ms"
 */
export function lambdaMeasure(check: LambdaCheckConfig, env: CheckEnv): Measure {
  return async (signal) => {
    const functionName = target(check, env);
    const payload = check.payload === undefined ? defaultPayload(env) : fillJson(check.payload, env.values);
    const started = performance.now();
    const answer = await lambdaClient().send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: "RequestResponse", Payload: new TextEncoder().encode(JSON.stringify(payload)) }),
      { abortSignal: signal },
    );
    const latencyMs = Math.round(performance.now() - started);
    const text = answer.Payload ? new TextDecoder().decode(answer.Payload) : "";

    const problems: string[] = [];
    if (answer.FunctionError) problems.push(`function error (${answer.FunctionError})${errorMessage(text)}`);
    else {
      for (const needle of check.expect.contains ?? []) if (!text.includes(needle)) problems.push(`answer does not contain ${quote(needle)}`);
      if (check.expect.matches && !check.expect.matches.test(text)) problems.push(`answer does not match /${check.expect.matches.source}/`);
      if (check.expect.json) problems.push(...jsonMismatches(text, check.expect.json));
    }
    const head = `invoked ${functionName} (version ${answer.ExecutedVersion ?? "?"}) in ${latencyMs} ms`;
    return {
      ok: problems.length === 0,
      summary: problems.length === 0 ? head : `${head}: ${problems.join("; ")}`,
      data: { functionName, executedVersion: answer.ExecutedVersion, statusCode: answer.StatusCode, functionError: answer.FunctionError, latencyMs },
    };
  };
}

function target(check: LambdaCheckConfig, env: CheckEnv): string {
  if (check.functionName !== undefined) return fillTemplate(check.functionName, env.values);
  const lambda = env.deployment.lambda;
  if (!lambda?.targetVersion) {
    throw new CheckSetupError(
      `a lambda check without functionName invokes the deployment's new version, but ${env.deployment.deploymentId} ` +
        `is a ${env.deployment.computePlatform} deployment with none: set functionName to a smoke-test function`,
    );
  }
  return `${lambda.functionName}:${lambda.targetVersion}`;
}

/** Tells a smoke-test function what it is testing. */
function defaultPayload(env: CheckEnv): Record<string, unknown> {
  const { deployment } = env;
  return {
    source: "runway",
    deploymentId: deployment.deploymentId,
    applicationName: deployment.applicationName,
    deploymentGroupName: deployment.deploymentGroupName,
    hook: env.hook,
    ...(deployment.lambda ? { lambda: deployment.lambda } : {}),
    ...(deployment.ecs
      ? { ecs: { cluster: deployment.ecs.clusterName, service: deployment.ecs.serviceName, replacementTaskSetId: deployment.ecs.replacement?.id } }
      : {}),
  };
}

/** Lambda's error answer is `{ errorType, errorMessage }`; its message is what a person needs. */
function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === "string" ? `: ${parsed.errorMessage.slice(0, 200)}` : "";
  } catch {
    return "";
  }
}

/** Every expected key must hold an equal value (objects compared as subsets, arrays exactly). */
export function jsonMismatches(text: string, expected: Record<string, unknown>): string[] {
  let actual: unknown;
  try {
    actual = JSON.parse(text);
  } catch {
    return ["answer is not JSON"];
  }
  const problems: string[] = [];
  const walk = (want: unknown, got: unknown, path: string): void => {
    if (want !== null && typeof want === "object" && !Array.isArray(want)) {
      if (got === null || typeof got !== "object" || Array.isArray(got)) {
        problems.push(`${path || "answer"} is not an object`);
        return;
      }
      for (const [key, value] of Object.entries(want)) walk(value, (got as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      return;
    }
    if (JSON.stringify(want) !== JSON.stringify(got)) {
      problems.push(`${path} is ${got === undefined ? "missing" : JSON.stringify(got).slice(0, 100)}, expected ${JSON.stringify(want)}`);
    }
  };
  walk(expected, actual, "");
  return problems;
}
