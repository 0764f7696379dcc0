/**
 * The local AWS emulator: one HTTP server speaking each emulated service's real wire protocol, so
 * Runway's SDK clients run unchanged against it through `AWS_ENDPOINT_URL_<SERVICE>`.
 */
export { startAwsEmulator, type AwsEmulator, type AwsEmulatorOptions, type RecordedCall } from "./server.ts";
export { FaultInjector, type ActiveFault, type FaultSpec } from "./faults.ts";
export {
  AwsRawResponse,
  AwsServiceError,
  type AwsProtocol,
  type AwsRequest,
  type OperationHandler,
  type RestRoute,
  type ServiceEmulation,
} from "./types.ts";
export { createSqsEmulation, type SqsEmulation, type SqsEmulationOptions, type SqsEventHandler, type SqsMessage, type SubscribeOptions } from "./services/sqs.ts";
export {
  buildStateChangeEvent,
  createCodeBuildEmulation,
  IDEMPOTENCY_WINDOW_MS,
  type BuildListener,
  type CodeBuildEmulation,
  type CodeBuildEmulationOptions,
  type FinalStatus,
} from "./services/codebuild.ts";
export { createStsEmulation, type AssumedRole, type StsEmulation, type StsEmulationOptions } from "./services/sts.ts";
