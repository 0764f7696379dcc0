/**
 * The run link in a protection decision's Slack reply points at the GitHub that asked: the
 * repository page the delivery carried, else GITHUB_SERVER_URL (an Enterprise Server's host).
 */
import { afterEach, describe, expect, it } from "vitest";
import { answerProtectionRequest, type AnswerDeps } from "../../../lib/protection/answer.ts";
import type { ProtectionRequest } from "../../../lib/protection/request.ts";
import { protectionConfig, protectionRequest } from "../../support/protection.ts";
import { alarmsOk, stubGitHub } from "./support.ts";

const NOW = new Date("2026-12-08T10:00:00Z");
const request = protectionRequest({ callbackUrl: "https://ghe.example.com/api/v3/repos/acme/api/actions/runs/9001/deployment_protection_rule", installationId: 42 }, NOW);

async function runLink(request: ProtectionRequest): Promise<unknown> {
  const github = stubGitHub({ staging: [{ id: 5, statuses: [{ state: "success", created_at: new Date(NOW.getTime() - 3_600_000).toISOString() }] }] });
  const notices: Parameters<AnswerDeps["notify"]>[0][] = [];
  await answerProtectionRequest(request, 1, {
    config: protectionConfig(),
    now: () => NOW,
    github: async () => github.client as never,
    alarms: alarmsOk,
    notify: async (event) => void notices.push(event),
    park: async () => undefined,
  });
  expect(notices).toHaveLength(1);
  return notices[0]!.run.url;
}

afterEach(() => {
  delete process.env.GITHUB_SERVER_URL;
});

describe("the protection reply's run link", () => {
  it("is on GITHUB_SERVER_URL when the delivery carried no repository page", async () => {
    process.env.GITHUB_SERVER_URL = "https://ghe.example.com";
    expect(await runLink(request)).toBe("https://ghe.example.com/acme/api/actions/runs/9001");
  });

  it("is on the repository page's own host when the delivery carried one", async () => {
    process.env.GITHUB_SERVER_URL = "https://github.com";
    expect(await runLink({ ...request, repositoryUrl: "https://ghe.example.com/acme/api" })).toBe("https://ghe.example.com/acme/api/actions/runs/9001");
  });
});
