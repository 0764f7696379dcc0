/**
 * middy middleware: answers any error with `errorResponse()` so that a handler behind it never
 * returns a raw exception to API Gateway (which would be a bare 502).
 */
import type { MiddlewareObj } from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { errorResponse } from "../error-response.ts";

export function httpErrors(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    name: "httpErrors",
    onError: (request) => {
      request.response = errorResponse(request.error);
    },
  };
}
