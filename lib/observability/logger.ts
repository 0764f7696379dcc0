/**
 * The process-wide structured logger (Powertools for AWS Lambda). One JSON object per line, with
 * the service name and, inside a handler, the Lambda request id. Callers pass only the fields they
 * choose: nothing here ever logs a request body or a secret.
 */
import { Logger } from "@aws-lambda-powertools/logger";

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "runway" });
