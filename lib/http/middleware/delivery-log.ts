/**
 * middy middleware: one structured log line per delivery, whatever happened — delivery id, event,
 * action, repository, job id, decision, status and latency. Never the body, never a header value
 * other than the delivery id and event name, never a secret.
 */
import type { MiddlewareObj, Request } from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { DeliveryOutcome } from "../../github/dispatch.ts";
import { describeError } from "../error-response.ts";
import type { DeliveryContext } from "./github-delivery.ts";

export interface DeliveryLogContext extends DeliveryContext {
  outcome?: DeliveryOutcome;
}

export interface DeliveryLogOptions {
  log: (message: string, fields: Record<string, unknown>) => void;
  now?: () => number;
}

type DeliveryRequest = Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, DeliveryLogContext>;

export function deliveryLog(
  options: DeliveryLogOptions,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, DeliveryLogContext> {
  const now = options.now ?? (() => performance.now());
  const started = new WeakMap<object, number>();

  const write = (request: DeliveryRequest) => {
    const headers = request.event.headers ?? {};
    const { delivery, outcome } = request.context;
    const failure = request.error ? describeError(request.error) : undefined;
    options.log("delivery", {
      deliveryId: delivery?.id ?? headers["x-github-delivery"] ?? headers["X-GitHub-Delivery"] ?? null,
      event: delivery?.event ?? null,
      action: delivery?.action ?? null,
      repository: outcome?.summary.repository ?? null,
      jobId: outcome?.summary.jobId ?? null,
      runAttempt: outcome?.summary.runAttempt ?? null,
      environment: outcome?.summary.environment ?? null,
      decision: outcome?.summary.decision ?? "rejected",
      reason: outcome?.summary.reason ?? failure?.message ?? null,
      error: failure?.error ?? null,
      // The cause of a 5xx is ours to fix: its class and message (never a secret) go to the log.
      cause: failure && failure.statusCode >= 500 ? String((request.error as Error).message ?? request.error) : undefined,
      status: request.response?.statusCode ?? failure?.statusCode ?? null,
      bytes: delivery?.bytes ?? null,
      latencyMs: Math.round((now() - (started.get(request) ?? now())) * 100) / 100,
    });
  };

  return {
    name: "deliveryLog",
    before: (request) => {
      request.context.outcome = undefined;
      started.set(request, now());
    },
    after: write,
    onError: write,
  };
}
