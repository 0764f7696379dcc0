/**
 * middy middleware: verifies and parses a GitHub delivery before the handler runs, and puts it on
 * the Lambda context as `delivery`. Verification uses the raw body bytes, before any parsing, so a
 * forged delivery never reaches JSON.parse.
 */
import type { MiddlewareObj } from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { readDelivery, type Delivery } from "../../github/read-delivery.ts";
import { rawRequest } from "../raw-request.ts";

export interface DeliveryContext extends Context {
  delivery?: Delivery;
}

export interface GithubDeliveryOptions {
  /** The webhook secrets, newest first (see lib/github/webhook-secret.ts). */
  secrets: () => Promise<string[]>;
}

/**
 * @example
 * middy(handler).use(githubDelivery({ secrets: webhookSecrets }))
 */
export function githubDelivery(
  options: GithubDeliveryOptions,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, DeliveryContext> {
  return {
    name: "githubDelivery",
    before: async (request) => {
      // A context object may be reused by a caller (tests, the local server): never let a previous
      // delivery stand in for one that fails verification.
      request.context.delivery = undefined;
      request.context.delivery = await readDelivery(rawRequest(request.event), await options.secrets());
    },
  };
}
