/**
 * The contract between the local AWS emulator's HTTP server (which speaks each service's wire
 * protocol) and the per-service emulations in `services/` (which only see decoded inputs and
 * return plain objects). A service throws `AwsServiceError` to answer with an AWS error code, which
 * the real SDK clients turn into their named exceptions and retry decisions.
 */

/** How a service's requests and responses are encoded on the wire. */
export type AwsProtocol = "json" | "query" | "rest-json" | "cbor";

export interface AwsRequest {
  /** SigV4 signing name, e.g. "codebuild", "sqs", "elasticloadbalancing". */
  service: string;
  /** The API operation, e.g. "StartBuild". */
  operation: string;
  protocol: AwsProtocol;
  /** Decoded input, shaped as the API reference documents it. */
  input: Record<string, unknown>;
  region: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  rawBody: Buffer;
}

/** Returns the output object (shaped as the API reference documents it). */
export type OperationHandler = (input: any, request: AwsRequest) => unknown | Promise<unknown>;

export interface ServiceEmulation {
  /** SigV4 signing name the SDK client uses for this service. */
  signingName: string;
  protocol: AwsProtocol;
  /** For JSON protocols: the X-Amz-Target prefix, e.g. "CodeBuild_20161006". */
  targetPrefix?: string;
  /** For query protocols: the XML namespace of responses. */
  xmlNamespace?: string;
  operations: Record<string, OperationHandler>;
}

/** An AWS error as the service would send it: code, message and HTTP status. */
export class AwsServiceError extends Error {
  override name = "AwsServiceError";
  readonly code: string;
  readonly statusCode: number;
  constructor(code: string, message: string, statusCode = 400) {
    super(message);
    this.code = code;
    this.statusCode = statusCode;
  }
}
