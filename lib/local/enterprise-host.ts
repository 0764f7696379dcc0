/**
 * The local stack's GitHub, wherever it plays: under the stack's own port as github.com's API
 * (`/github/api`, web links on github.com), or as a GitHub Enterprise Server on a host:port of its
 * own, API under `/api/v3` and web pages at its root. The Enterprise Server's variables come from
 * the same derivation serverless.yml uses for `params.githubUrl` (lib/build/serverless-github.cjs),
 * so the functions see what a deployed stage would.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { githubEndpoints, GITHUB_COM } from "../build/serverless-github.cjs";
import type { GitHubFake } from "./github-fake/index.ts";

export interface LocalGitHubHost {
  /** GITHUB_SERVER_URL. */
  serverUrl: string;
  /** GITHUB_API_URL. */
  apiUrl: string;
  close(): Promise<void>;
}

/** The fake mounted on the stack's own server at `stackUrl`: github.com's API, played locally. */
export function githubComHost(stackUrl: string, github: GitHubFake): LocalGitHubHost {
  return { serverUrl: GITHUB_COM, apiUrl: `${stackUrl}${github.basePath}`, close: async () => undefined };
}

/**
 * Serve the fake (created with `enterpriseServer`) as an Enterprise Server on `host:port` (0: any
 * free port). Resolves once it listens.
 */
export async function startEnterpriseHost(github: GitHubFake, host: string, port: number): Promise<LocalGitHubHost> {
  const server: Server = createServer((req, res) => {
    void github.handle(req, res).then((handled) => {
      if (handled) return;
      res.writeHead(404, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ message: "Not Found", documentation_url: "https://docs.github.com/enterprise-server/rest" }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  const { serverUrl, apiUrl } = githubEndpoints(`http://${host}:${bound}`, "the local Enterprise Server");
  if (!apiUrl.endsWith(github.basePath)) throw new Error(`the GitHub fake serves under ${github.basePath}, but an Enterprise Server's API is ${apiUrl}: create it with enterpriseServer`);
  return {
    serverUrl,
    apiUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
