/**
 * The local GitHub fake on a real loopback socket, with Runway's client configured to reach it the
 * way a deployment is configured (GITHUB_API_URL, GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY). Every
 * body the server sends is kept, so secret scans know each token and JIT configuration issued, and
 * every answer is held to GitHub's OpenAPI description when the harness closes (openapi.ts).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resetGitHubClients } from "../../../lib/github/octokit.ts";
import { createGitHubFake, type GitHubFake, type GitHubFakeOptions } from "../../../lib/local/github-fake/index.ts";
import { describedIssues, type FakeAnswer } from "./openapi.ts";

export interface GitHubHarness {
  fake: GitHubFake;
  /** GITHUB_API_URL. */
  apiUrl: string;
  /** Every response body the server sent, as text. */
  sent: string[];
  /** Every answer, for the check against GitHub's description. */
  answers: FakeAnswer[];
  /** Stops the server; rejects when an answer departed from GitHub's OpenAPI description. */
  close(): Promise<void>;
}

const ENV = ["GITHUB_API_URL", "GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GITHUB_APP_PRIVATE_KEY_PARAMETER"] as const;

export async function startGitHub(options: GitHubFakeOptions = {}): Promise<GitHubHarness> {
  const fake = createGitHubFake(options);
  const sent: string[] = [];
  const answers: FakeAnswer[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let contentType: string | undefined;
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      const headers = rest.find((r) => r !== null && typeof r === "object") as Record<string, unknown> | undefined;
      const type = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === "content-type")?.[1];
      if (type !== undefined) contentType = String(type);
      return writeHead(status, ...rest);
    }) as typeof res.writeHead;
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (chunk) chunks.push(Buffer.from(chunk as string));
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (chunk && typeof chunk !== "function") chunks.push(Buffer.from(chunk as string));
      const body = Buffer.concat(chunks).toString("utf8");
      sent.push(body);
      const path = new URL(req.url ?? "/", "http://fake").pathname;
      if (path.startsWith(fake.basePath)) {
        const type = contentType ?? res.getHeader("content-type");
        answers.push({ method: req.method ?? "GET", path: path.slice(fake.basePath.length) || "/", status: res.statusCode, body, contentType: type === undefined ? undefined : String(type) });
      }
      return end(chunk, ...rest);
    }) as typeof res.end;
    void fake.handle(req, res).then((handled) => {
      if (!handled) {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const apiUrl = `http://127.0.0.1:${port}${fake.basePath}`;
  const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));
  process.env.GITHUB_API_URL = apiUrl;
  process.env.GITHUB_APP_ID = String(fake.app.id);
  if (fake.app.privateKey) process.env.GITHUB_APP_PRIVATE_KEY = fake.app.privateKey;
  delete process.env.GITHUB_APP_PRIVATE_KEY_PARAMETER;
  resetGitHubClients();
  return {
    fake,
    apiUrl,
    sent,
    answers,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const name of ENV) {
          if (saved[name] === undefined) delete process.env[name];
          else process.env[name] = saved[name];
        }
        resetGitHubClients();
        server.closeAllConnections();
        server.close(() => {
          try {
            const issues = describedIssues(answers);
            if (issues.length === 0) resolve();
            else reject(new Error(`The GitHub fake answered as GitHub's OpenAPI description does not:\n  ${issues.join("\n  ")}`));
          } catch (error) {
            reject(error as Error);
          }
        });
      }),
  };
}

/** `fn`'s rejection, so tests can inspect it. */
export async function rejection(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}
