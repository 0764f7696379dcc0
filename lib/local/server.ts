/**
 * The local stack's one HTTP port: `POST /github/webhook` runs the real webhook handler, `GET
 * /healthz` says ready, and other parts (the Slack fake, the deploy demo) mount their own routes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { MAX_BODY_BYTES } from "../github/read-delivery.ts";
import { errorResponse } from "../http/error-response.ts";
import { apiGatewayEvent, readBody } from "./http-adapter.ts";
import { lambdaContext } from "./lambda-context.ts";

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** A route a part of the local stack serves; returns true when it handled the request. */
export type Mount = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface LocalServerOptions {
  host?: string;
  port?: number;
  webhook: HttpHandler;
  mounts?: Mount[];
  /** Called after each webhook delivery with what was answered. */
  onDelivery?: (event: APIGatewayProxyEventV2, result: APIGatewayProxyStructuredResultV2, ms: number) => void;
}

export interface LocalServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Start the server; resolves once it listens (so `/healthz` is 200 from then on). */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const server = createServer((req, res) => {
    route(req, res, options).catch((error: unknown) => send(res, errorResponse(error)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3000, options.host ?? "127.0.0.1", resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, options: LocalServerOptions): Promise<void> {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (path === "/healthz" && req.method === "GET") {
    return send(res, { statusCode: 200, headers: { "content-type": "application/json" }, body: '{"ok":true}' });
  }
  if (path === "/github/webhook") {
    if (req.method !== "POST") return send(res, { statusCode: 405, headers: { allow: "POST" }, body: "" });
    const started = performance.now();
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch (error) {
      // Stop reading a body GitHub would never send; the connection is closed after the answer.
      res.setHeader("connection", "close");
      return send(res, errorResponse(error));
    }
    const event = apiGatewayEvent(req, body);
    const result = await options.webhook(event, lambdaContext("github-webhook", 10_000));
    send(res, result);
    options.onDelivery?.(event, result, performance.now() - started);
    return;
  }
  for (const mount of options.mounts ?? []) {
    if (await mount(req, res)) return;
  }
  send(res, { statusCode: 404, headers: { "content-type": "application/json" }, body: JSON.stringify({ ok: false, message: `nothing at ${path}` }) });
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  if (res.headersSent) return;
  res.writeHead(result.statusCode ?? 200, (result.headers ?? {}) as Record<string, string>);
  res.end(result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : (result.body ?? ""));
}
