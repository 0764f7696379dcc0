/**
 * The JIT configuration the fake issues, in the real one's shape (a base64 JSON of base64 files:
 * `.runner`, `.credentials`, `.credentials_rsaparams`), and reading it back as a runner host does.
 * The `.runner` file carries the registration's scope and labels for the local stack's simulated
 * runner; the real file carries the same facts in the runner's own fields.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { FakeRunner, RunnerScope } from "./state.ts";

/** What a JIT configuration issued by the fake says, for the local stack's simulated runner. */
export interface DecodedJitConfig {
  runnerId: number;
  runnerName: string;
  runnerGroupId: number;
  labels: string[];
  scope: RunnerScope;
  owner: string;
  repo?: string;
  workFolder: string;
  serverUrl: string;
}

export function encodeJitConfig(runner: FakeRunner, groupName: string, serverUrl: string): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");
  const files = {
    ".runner": b64({
      AgentId: runner.id,
      AgentName: runner.name,
      PoolId: runner.runnerGroupId,
      PoolName: groupName,
      ServerUrl: serverUrl,
      GitHubUrl: `${serverUrl}/${runner.owner}${runner.repo ? `/${runner.repo}` : ""}`,
      WorkFolder: runner.workFolder,
      Ephemeral: true,
      DisableUpdate: true,
      RunwayFake: { scope: runner.scope, owner: runner.owner, repo: runner.repo, labels: runner.labels },
    }),
    ".credentials": b64({ Scheme: "OAuth", Data: { ClientId: randomUUID(), AuthorizationUrl: `${serverUrl}/_apis/oauth2/token` } }),
    // The secret part of a real configuration: the runner's private key.
    ".credentials_rsaparams": b64({ d: randomBytes(128).toString("base64"), modulus: randomBytes(128).toString("base64"), exponent: "AQAB" }),
  };
  return Buffer.from(JSON.stringify(files)).toString("base64");
}

/** Throws when the fake did not issue the configuration. */
export function decodeJitConfig(encoded: string): DecodedJitConfig {
  try {
    const files = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as Record<string, string>;
    const runner = JSON.parse(Buffer.from(files[".runner"] ?? "", "base64").toString("utf8")) as Record<string, any>;
    const fake = runner.RunwayFake as { scope: RunnerScope; owner: string; repo?: string; labels: string[] };
    return {
      runnerId: runner.AgentId,
      runnerName: runner.AgentName,
      runnerGroupId: runner.PoolId,
      labels: [...fake.labels],
      scope: fake.scope,
      owner: fake.owner,
      ...(fake.repo ? { repo: fake.repo } : {}),
      workFolder: runner.WorkFolder,
      serverUrl: runner.ServerUrl,
    };
  } catch {
    throw new Error("not a JIT runner configuration issued by the local GitHub fake");
  }
}
