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
  /** URL query-string parameters (rest-json; query protocol GET requests). */
  query?: Record<string, string>;
  /** Scheme and authority the client used ("http://127.0.0.1:4566"), for URLs the service hands out. */
  origin?: string;
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
  /** For rest-json services: how method and path select an operation (first match wins). */
  routes?: RestRoute[];
  /** Called when the emulator closes: stop timers, pollers and waiting long polls. */
  close?(): void;
}

/**
 * A rest-json route. Named groups of `path` become input members (URL-decoded), every query-string
 * parameter is copied into the input under its own name, and `headers` copies chosen headers.
 *
 * @example
 * // Lambda Invoke: the body is the raw payload, the answer raw bytes (see AwsRawResponse).
 * { method: "POST", path: /^\/2015-03-31\/functions\/(?<FunctionName>[^/]+)\/invocations$/,
 *   operation: "Invoke", body: "raw", headers: { "x-amz-invocation-type": "InvocationType" } }
 */
export interface RestRoute {
  method: string;
  /** Tested against the URL path as sent (still percent-encoded), without the query string. */
  path: RegExp;
  operation: string;
  /** "json" (default): a JSON body's members join the input. "raw": the bytes become `input.Payload`. */
  body?: "json" | "raw";
  /** Header name (lower case) → input member, e.g. { "x-amz-invocation-type": "InvocationType" }. */
  headers?: Record<string, string>;
  /** HTTP status of a successful JSON answer (default 200; CreateFunction is 201). */
  successStatus?: number;
}

/**
 * Returned by a handler to answer with exact bytes, status and headers instead of an encoded output
 * object: Lambda Invoke answers the function's payload with `X-Amz-Function-Error` and
 * `X-Amz-Executed-Version` headers.
 */
export class AwsRawResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array | string;
  constructor(init: { statusCode?: number; headers?: Record<string, string>; body?: Uint8Array | string } = {}) {
    this.statusCode = init.statusCode ?? 200;
    this.headers = init.headers ?? {};
    this.body = init.body ?? "";
  }
}

/** An AWS error as the service would send it: code, message and HTTP status. */
export class AwsServiceError extends Error {
  override name = "AwsServiceError";
  readonly code: string;
  readonly statusCode: number;
  /**
   * For awsQueryCompatible JSON services (SQS, CloudWatch): the legacy query error code sent in
   * `x-amzn-query-error`, e.g. "AWS.SimpleQueueService.NonExistentQueue". Defaults to `code`.
   */
  readonly queryCode: string | undefined;
  /** Extra members of the error shape, sent beside `message` (e.g. Lambda's `Type`). */
  readonly fields: Record<string, unknown>;
  constructor(
    code: string,
    message: string,
    statusCode = 400,
    options: { queryCode?: string; fields?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.code = code;
    this.statusCode = statusCode;
    this.queryCode = options.queryCode;
    this.fields = options.fields ?? {};
  }
}
