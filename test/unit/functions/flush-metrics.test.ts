/**
 * Each function's middy stack flushes Runway's metrics once per invocation (`logMetrics`), whether
 * the handler returns or throws, and whether the stack is `middy().handler(fn)` or `middy(fn)`.
 * Each handler is invoked with an event it answers without reaching AWS; what was recorded before
 * it comes out as one EMF document when the invocation ends. Every AWS endpoint points at a closed
 * port, so a call that should not happen fails at once instead of leaving the machine.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { lambdaContext } from "../../../lib/local/lambda-context.ts";
import { captureEmf, type EmfDocument } from "../../../lib/observability/emf-capture.ts";
import { metrics, recordMetric } from "../../../lib/observability/metrics.ts";
import { SAMPLE_CONFIG_FILE } from "../../support/config.ts";

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

const documents: EmfDocument[] = [];
let release: () => void;

beforeAll(() => {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    RUNWAY_CONFIG: SAMPLE_CONFIG_FILE,
    RUNWAY_TABLE: "runway-test",
    SLACK_BOT_TOKEN: "xoxb-test",
    SLACK_API_URL: "http://127.0.0.1:9/api/",
  });
  resetAwsClients();
});
beforeEach(() => {
  metrics.clearMetrics();
  documents.length = 0;
  release = captureEmf((document) => documents.push(document));
});
afterEach(() => release());

/** Invoke, letting it throw; what the invocation flushed. */
async function invoke(load: () => Promise<{ handler: unknown }>, event: unknown, name: string): Promise<EmfDocument[]> {
  const { handler } = await load();
  recordMetric("RunnerLaunched", 1); // as if the handler's own code had recorded it
  await (handler as Handler)(event, lambdaContext(name, 30_000)).catch(() => undefined);
  return [...documents];
}

const sqsBatch = { Records: [] };

describe("each function's middy stack", () => {
  it.each([
    ["codedeploy-hook", () => import("../../../functions/codedeploy-hook.ts"), {}],
    ["deployment-events", () => import("../../../functions/deployment-events.ts"), {}],
    ["build-events", () => import("../../../functions/build-events.ts"), {}],
    ["runner-launcher", () => import("../../../functions/runner-launcher.ts"), sqsBatch],
    ["protection-rule", () => import("../../../functions/protection-rule.ts"), sqsBatch],
    ["slack-notifier", () => import("../../../functions/slack-notifier.ts"), sqsBatch],
  ] as const)("%s flushes once when the invocation ends", async (name, load, event) => {
    const flushed = await invoke(load, event, name);
    expect(flushed).toHaveLength(1);
    expect(flushed[0]).toMatchObject({ RunnerLaunched: 1, service: "runway" });
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it("ecs-hook flushes the FAILED it answers to an event that is not ECS's, with what was recorded before", async () => {
    const flushed = await invoke(() => import("../../../functions/ecs-hook.ts"), { DeploymentId: "d-1" }, "ecs-hook");
    expect(flushed).toHaveLength(1);
    expect(flushed[0]).toMatchObject({ RunnerLaunched: 1, HookFailed: 1 });
  });

  it("reconciler flushes ReconcilerFailed when its pass throws (DynamoDB unreachable)", async () => {
    const flushed = await invoke(() => import("../../../functions/reconciler.ts"), {}, "reconciler");
    expect(flushed).toHaveLength(1);
    expect(flushed[0]).toMatchObject({ RunnerLaunched: 1, ReconcilerFailed: 1 });
  });
});
