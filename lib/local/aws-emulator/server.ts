/**
 * One node:http server for every emulated AWS service. Point the real SDK clients at it with
 * `AWS_ENDPOINT_URL_<SERVICE>=<url>`; each request is routed (router.ts), held to its operation's
 * AWS model (validate.ts), checked against the injected faults, handed to the service's operation
 * handler, and answered in the request's own wire protocol so the SDK's serialization, error
 * mapping and retries run as against AWS.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { logger } from "../../observability/logger.ts";
import { FaultInjector } from "./faults.ts";
import { encodeCborError, encodeCborOutput } from "./protocols/cbor.ts";
import { encodeJsonError, encodeJsonOutput, type WireResponse } from "./protocols/json.ts";
import { encodeQueryError, encodeQueryOutput } from "./protocols/query.ts";
import { encodeRestError, encodeRestOutput } from "./protocols/rest-json.ts";
import { flattenHeaders, routeRequest, type RoutedRequest } from "./router.ts";
import { AwsServiceError, type AwsRequest, type ServiceEmulation } from "./types.ts";
import { checkResponse, validateRequest, type ShapeIssue } from "./validate.ts";

export interface AwsEmulatorOptions {
  /** Default 127.0.0.1: loopback only. */
  host?: string;
  /** Default 0: an ephemeral port (read it back from `url`). */
  port?: number;
  services?: ServiceEmulation[];
  /** How many recent calls `calls` keeps (default 10,000; 0 turns recording off). */
  recordCalls?: number;
  /**
   * Refuse requests that break their operation's AWS model, as the service would (default true).
   * See validate.ts.
   */
  validateRequests?: boolean;
  /**
   * Check every answer against its operation's output shape and record what departs from it in
   * the call's `responseIssues` (default false: the emulator's own tests turn it on).
   */
  checkResponses?: boolean;
}

/** One request the emulator answered, for tests that assert the AWS calls sent. */
export interface RecordedCall {
  service: string;
  operation: string;
  input: Record<string, unknown>;
  /** The error code answered, if any (injected faults included). */
  error?: string;
  /** With `checkResponses`: how the answer departed from the operation's output shape. */
  responseIssues?: ShapeIssue[];
  at: Date;
}

export interface AwsEmulator {
  /** e.g. "http://127.0.0.1:43817": the value for every `AWS_ENDPOINT_URL_<SERVICE>`. */
  url: string;
  port: number;
  faults: FaultInjector;
  /** Add (or replace, by signing name) a service while running. */
  register(service: ServiceEmulation): void;
  /** Recent calls, oldest first. */
  readonly calls: readonly RecordedCall[];
  /** Stop listening, drop open connections and let services stop their timers. */
  close(): Promise<void>;
}

/**
 * Start the emulator.
 *
 * @example
 * const sqs = createSqsEmulation();
 * const aws = await startAwsEmulator({ services: [sqs, createCodeBuildEmulation(), createStsEmulation()] });
 * process.env.AWS_ENDPOINT_URL_SQS = aws.url;
 * resetAwsClients();
 * // … later
 * await aws.close();
 */
export async function startAwsEmulator(options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const { host = "127.0.0.1", port = 0, recordCalls = 10_000, validateRequests = true, checkResponses = false } = options;
  const services: ServiceEmulation[] = [...(options.services ?? [])];
  const faults = new FaultInjector();
  const calls: RecordedCall[] = [];

  const record = (call: RecordedCall) => {
    if (recordCalls <= 0) return;
    calls.push(call);
    if (calls.length > recordCalls) calls.splice(0, calls.length - recordCalls);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error("aws emulator failed to answer", { error: (error as Error).message });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const headers = flattenHeaders(req.headers);
    const origin = `http://${headers.host ?? `${host}:${port}`}`;
    const url = new URL(req.url ?? "/", origin);
    const method = (req.method ?? "GET").toUpperCase();
    const requestId = randomUUID();
    const routed = await routeRequest(services, method, url, headers, body);
    const service = routed.service;
    if (service && !routed.error && validateRequests) {
      routed.error = await validateRequest(service.signingName, routed.operation, routed.protocol, routed.input);
    }
    let answer: WireResponse;
    if (routed.error || !service) {
      answer = await encodeError(routed, routed.error ?? new AwsServiceError("UnknownOperationException", "No service"), requestId);
      if (service) record({ service: service.signingName, operation: routed.operation, input: routed.input, error: answer.headers["x-amzn-errortype"], at: new Date() });
    } else {
      const decision = faults.decide(service.signingName, routed.operation);
      if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs));
      const request: AwsRequest = {
        service: service.signingName,
        operation: routed.operation,
        protocol: routed.protocol,
        input: routed.input,
        region: routed.region,
        method,
        path: url.pathname,
        headers,
        rawBody: body,
        query: routed.query,
        origin,
      };
      let responseIssues: ShapeIssue[] | undefined;
      answer = decision.error
        ? await encodeError(routed, decision.error, requestId)
        : await invoke(service, routed, request, requestId, (issues) => (responseIssues = issues));
      record({
        service: service.signingName,
        operation: routed.operation,
        input: routed.input,
        ...(answer.statusCode >= 300 ? { error: answer.headers["x-amzn-errortype"] ?? String(answer.statusCode) } : {}),
        ...(responseIssues?.length ? { responseIssues } : {}),
        at: new Date(),
      });
    }
    res.writeHead(answer.statusCode, { ...answer.headers, "x-amzn-requestid": requestId });
    res.end(answer.body);
  }

  async function invoke(
    service: ServiceEmulation,
    routed: RoutedRequest,
    request: AwsRequest,
    requestId: string,
    onIssues: (issues: ShapeIssue[]) => void,
  ): Promise<WireResponse> {
    const handler = service.operations[routed.operation];
    try {
      const output = await handler!(routed.input, request);
      if (checkResponses) {
        const issues = await checkResponse(service.signingName, routed.operation, routed.protocol, output);
        if (issues.length > 0) {
          logger.warn("aws emulator answer departs from the AWS model", { service: service.signingName, operation: routed.operation, issues: issues.map((i) => `${i.path}: ${i.message}`) });
          onIssues(issues);
        }
      }
      switch (routed.protocol) {
        case "query":
          return encodeQueryOutput(routed.operation, output, service.xmlNamespace, requestId);
        case "rest-json":
          return encodeRestOutput(output, routed.route);
        case "cbor":
          return await encodeCborOutput(output);
        default:
          return encodeJsonOutput(output ?? {}, routed.contentType);
      }
    } catch (error) {
      if (isServiceError(error)) return encodeError(routed, error, requestId);
      logger.error("aws emulator operation threw", { service: service.signingName, operation: routed.operation, error: (error as Error).message });
      return encodeError(routed, new AwsServiceError("InternalFailure", "The emulated service failed; see the emulator's log.", 500), requestId);
    }
  }

  async function encodeError(routed: RoutedRequest, error: AwsServiceError, requestId: string): Promise<WireResponse> {
    const answer = await (async () => {
      switch (routed.protocol) {
        case "query":
          return encodeQueryError(error, routed.service?.xmlNamespace, requestId);
        case "rest-json":
          return encodeRestError(error);
        case "cbor":
          return encodeCborError(error, routed.queryCompatible);
        default:
          return encodeJsonError(error, routed.contentType, routed.queryCompatible);
      }
    })();
    answer.headers["x-amzn-errortype"] ??= error.code;
    return answer;
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url,
    port: address.port,
    faults,
    calls,
    register(service) {
      const existing = services.findIndex((s) => s.signingName === service.signingName);
      if (existing >= 0) services.splice(existing, 1, service);
      else services.push(service);
    },
    async close() {
      for (const service of services) service.close?.();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function isServiceError(error: unknown): error is AwsServiceError {
  return error instanceof AwsServiceError || (error instanceof Error && error.name === "AwsServiceError" && "code" in error);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
