/**
 * The Slack fake behind a real node:http server on an ephemeral port, as the local stack mounts it.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createSlackFake, type SlackFake, type SlackFakeOptions } from "../../../lib/local/slack-fake/index.ts";

export interface SlackServer {
  fake: SlackFake;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** SLACK_API_URL for this server. */
  apiUrl: string;
  webhookUrl: string;
  close(): Promise<void>;
}

export async function startSlackServer(options: SlackFakeOptions = {}): Promise<SlackServer> {
  const fake = createSlackFake(options);
  const server = createServer((req, res) => {
    if (!fake.handle(req, res)) {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    fake,
    origin,
    apiUrl: `${origin}/slack/api/`,
    webhookUrl: `${origin}/slack/webhook/T0LOCAL01/B0LOCAL01/local`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
