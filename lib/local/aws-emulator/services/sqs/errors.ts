/**
 * SQS errors as the JSON protocol sends them: the modern code in `__type` and the legacy query
 * code in `x-amzn-query-error`, which is what the SDK (awsQueryCompatible) maps to its classes.
 */
import { AwsServiceError } from "../../types.ts";

const QUERY_CODES: Record<string, [queryCode: string, status: number]> = {
  QueueDoesNotExist: ["AWS.SimpleQueueService.NonExistentQueue", 400],
  QueueNameExists: ["QueueAlreadyExists", 400],
  ReceiptHandleIsInvalid: ["ReceiptHandleIsInvalid", 404],
  MessageNotInflight: ["AWS.SimpleQueueService.MessageNotInflight", 400],
  BatchEntryIdsNotDistinct: ["AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400],
  EmptyBatchRequest: ["AWS.SimpleQueueService.EmptyBatchRequest", 400],
  TooManyEntriesInBatchRequest: ["AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400],
  InvalidBatchEntryId: ["AWS.SimpleQueueService.InvalidBatchEntryId", 400],
};

/** An SQS error; codes SQS does not model (MissingParameter, InvalidParameterValue) pass through. */
export function sqsError(code: string, message: string): AwsServiceError {
  const [queryCode, status] = QUERY_CODES[code] ?? [code, 400];
  return new AwsServiceError(code, message, status, { queryCode });
}

export function invalidParameter(name: string, value: unknown, reason: string): AwsServiceError {
  return sqsError("InvalidParameterValue", `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);
}

export function missingParameter(name: string): AwsServiceError {
  return sqsError("MissingParameter", `The request must contain the parameter ${name}.`);
}
