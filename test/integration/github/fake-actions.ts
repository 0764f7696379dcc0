/**
 * Helpers for tests of the fake's GitHub Actions side: runners registered over real HTTP (as the
 * launcher does), queued-job payloads shaped like GitHub's, and a webhook receiver that checks
 * each delivery's signature the way Runway does.
 */
import { createSign } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { verify } from "@octokit/webhooks-methods";
import { workflowJob, type JobOptions } from "../../support/payloads.ts";
import type { GitHubHarness } from "./harness.ts";

const now = () => Math.floor(Date.now() / 1000);

/** An installation token for installation 42 (the fake's default), through the App's JWT. */
export async function installationToken(github: GitHubHarness, installationId = 42): Promise<string> {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ iat: now() - 30, exp: now() + 540, iss: github.fake.app.id })}`;
  const jwt = `${input}.${createSign("RSA-SHA256").update(input).sign(github.fake.app.privateKey!, "base64url")}`;
  const response = await fetch(`${github.apiUrl}/app/installations/${installationId}/access_tokens`, { method: "POST", headers: { authorization: `Bearer ${jwt}` } });
  return ((await response.json()) as { token: string }).token;
}

export interface Registration {
  name: string;
  labels: string[];
  /** `acme/payments` for a repository runner, `acme` for an organisation runner. */
  at?: string;
  group?: number;
}

/** Register a JIT runner through `generate-jitconfig`; its id and encoded configuration. */
export async function register(github: GitHubHarness, token: string, r: Registration): Promise<{ runnerId: number; encoded: string; status: number }> {
  const at = r.at ?? "acme/payments";
  const path = at.includes("/") ? `/repos/${at}` : `/orgs/${at}`;
  const response = await fetch(`${github.apiUrl}${path}/actions/runners/generate-jitconfig`, {
    method: "POST",
    headers: { authorization: `token ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: r.name, labels: r.labels, runner_group_id: r.group ?? 1 }),
  });
  const body = (await response.json()) as { runner?: { id: number }; encoded_jit_config?: string };
  return { runnerId: body.runner?.id ?? -1, encoded: body.encoded_jit_config ?? "", status: response.status };
}

/** Register and connect a runner host: it is online and idle (and maybe handed a job at once). */
export async function connected(github: GitHubHarness, token: string, r: Registration): Promise<number> {
  const { runnerId, encoded, status } = await register(github, token, r);
  if (status !== 201) throw new Error(`generate-jitconfig answered ${status}`);
  github.fake.actions.connectRunner(encoded);
  return runnerId;
}

/** A `queued` delivery body; `workflowPath` adds the `workflow.path` the fake reads for selected workflows. */
export function queued(o: JobOptions & { workflowPath?: string; public?: boolean }): Record<string, any> {
  const payload = workflowJob({ action: "queued", ...o }) as Record<string, any>;
  if (o.workflowPath) payload.workflow = { path: o.workflowPath };
  if (o.public) payload.repository.private = false;
  return payload;
}

export interface Received {
  event: string;
  guid: string;
  signed: boolean;
  body: Record<string, any>;
}

/** A webhook endpoint that records each delivery and answers `status()` (202 by default). */
export async function startReceiver(secret: string): Promise<{ url: string; received: Received[]; status: { next: number }; close(): Promise<void> }> {
  const received: Received[] = [];
  const status = { next: 202 };
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      void verify(secret, raw, String(req.headers["x-hub-signature-256"] ?? "")).then((signed) => {
        received.push({ event: String(req.headers["x-github-event"]), guid: String(req.headers["x-github-delivery"]), signed, body: JSON.parse(raw) });
        res.writeHead(status.next).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/github/webhook`,
    received,
    status,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
