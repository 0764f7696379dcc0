/**
 * Lambda over rest-json: Invoke (`POST /2015-03-31/functions/{FunctionName}/invocations`) runs an
 * in-process handler registered for the function and version, answering its payload as raw
 * bytes, with `X-Amz-Function-Error: Unhandled` and Lambda's `{ errorType, errorMessage }` when
 * the handler throws — what a `lambda` hook check reads.
 */
import { AwsRawResponse, AwsServiceError, type ServiceEmulation } from "../types.ts";

export type EmulatedFunction = (event: unknown, info: { functionName: string; version: string }) => unknown | Promise<unknown>;

export interface LambdaInvocation {
  functionName: string;
  qualifier: string | undefined;
  version: string;
  invocationType: string;
  event: unknown;
  functionError: string | undefined;
  at: Date;
}

export interface LambdaEmulation extends ServiceEmulation {
  /**
   * Registers a function's handler; `versions` maps version numbers to handlers (a version
   * without its own runs `handler`), `aliases` alias names to versions.
   */
  addFunction(name: string, handler: EmulatedFunction, options?: { versions?: Record<string, EmulatedFunction>; aliases?: Record<string, string> }): void;
  invocations(functionName?: string): LambdaInvocation[];
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/(?<FunctionName>[^/]+)\/invocations$/;

/**
 * @example
 * const lambda = createLambdaEmulation();
 * lambda.addFunction("shop-smoke", async () => ({ passed: true }));
 */
export function createLambdaEmulation(options: { region?: string } = {}): LambdaEmulation {
  const region = options.region ?? process.env.AWS_REGION ?? "us-east-1";
  const functions = new Map<string, { handler: EmulatedFunction; versions: Record<string, EmulatedFunction>; aliases: Record<string, string> }>();
  const invocations: LambdaInvocation[] = [];

  /** `name`, `name:qualifier`, or an ARN with or without qualifier. */
  function parseName(raw: string, qualifier: string | undefined): { name: string; qualifier: string | undefined } {
    const arn = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:([^:]+)(?::(.+))?$/.exec(raw);
    const [name, fromName] = arn ? [arn[1]!, arn[2]] : (raw.split(":", 2) as [string, string | undefined]);
    return { name, qualifier: qualifier ?? fromName };
  }

  return {
    signingName: "lambda",
    protocol: "rest-json",
    routes: [
      {
        method: "POST",
        path: INVOKE_PATH,
        operation: "Invoke",
        body: "raw",
        headers: { "x-amz-invocation-type": "InvocationType" },
      },
    ],

    addFunction(name, handler, { versions = {}, aliases = {} } = {}) {
      functions.set(name, { handler, versions, aliases });
    },

    invocations: (functionName) => invocations.filter((i) => functionName === undefined || i.functionName === functionName),

    operations: {
      async Invoke(input: { FunctionName?: string; Qualifier?: string; InvocationType?: string; Payload?: Uint8Array }) {
        const { name, qualifier } = parseName(input.FunctionName ?? "", input.Qualifier);
        const fn = functions.get(name);
        const arn = `arn:aws:lambda:${region}:000000000000:function:${name}${qualifier ? `:${qualifier}` : ""}`;
        if (!fn) throw new AwsServiceError("ResourceNotFoundException", `Function not found: ${arn}`, 404, { fields: { Type: "User" } });
        const version = qualifier === undefined || qualifier === "$LATEST" ? "$LATEST" : (fn.aliases[qualifier] ?? qualifier);
        if (version !== "$LATEST" && !/^\d+$/.test(version)) {
          throw new AwsServiceError("ResourceNotFoundException", `Function not found: ${arn}`, 404, { fields: { Type: "User" } });
        }
        const text = input.Payload && input.Payload.byteLength > 0 ? new TextDecoder().decode(input.Payload) : "{}";
        let event: unknown;
        try {
          event = JSON.parse(text);
        } catch {
          throw new AwsServiceError("InvalidRequestContentException", "Could not parse request body into json", 400, { fields: { Type: "User" } });
        }
        const invocationType = input.InvocationType ?? "RequestResponse";
        const run = fn.versions[version] ?? fn.handler;
        let body: string;
        let functionError: string | undefined;
        try {
          body = JSON.stringify((await run(event, { functionName: name, version })) ?? null);
        } catch (error) {
          functionError = "Unhandled";
          body = JSON.stringify({ errorType: (error as Error).name ?? "Error", errorMessage: (error as Error).message ?? String(error) });
        }
        invocations.push({ functionName: name, qualifier, version, invocationType, event, functionError, at: new Date() });
        if (invocationType === "Event") return new AwsRawResponse({ statusCode: 202 });
        return new AwsRawResponse({
          statusCode: 200,
          headers: { "x-amz-executed-version": version, ...(functionError ? { "x-amz-function-error": functionError } : {}) },
          body,
        });
      },
    },
  };
}
