/**
 * The stage settings the generated template is refused or shaped by, read as osls resolves them
 * (a stand-in `resolveVariable`): the webhook's throttling and reserved concurrency, the retired
 * stage-wide `runnerPolicyArns`, and environments that would share a project's build records.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

const require = createRequire(import.meta.url);
type Variables = { resolveVariable(name: string): Promise<unknown> };
const webhook = require("../../../lib/build/serverless-webhook.cjs") as { resources(v: Variables): Promise<{ extensions: Record<string, { Properties: Record<string, unknown> }> }> };
const environments = require("../../../lib/build/serverless-environments.cjs") as { resources(v: Variables): Promise<unknown> };
const { runwayContext } = require("../../../lib/build/serverless-context.cjs") as { runwayContext(o: { stage: string; region: string; configFile?: string }): unknown };

/** osls's variables for stage dev, with these params set (`param:<name>, null` answers null when unset). */
function variables(params: Record<string, unknown> = {}): Variables {
  return {
    async resolveVariable(name: string) {
      if (name === "sls:stage") return "dev";
      if (name === "self:provider.region") return "eu-west-1";
      const param = /^param:([A-Za-z]+), null$/.exec(name)?.[1];
      if (param) return params[param] ?? null;
      throw new Error(`unexpected variable ${name}`);
    },
  };
}

afterEach(() => vi.restoreAllMocks());

describe("the webhook's limits", () => {
  it("throttle the HTTP API's default route and reserve concurrency at least the burst, by default", async () => {
    const { extensions } = await webhook.resources(variables());
    expect(extensions).toEqual({
      HttpApiStage: { Properties: { DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 } } },
      GithubDashwebhookLambdaFunction: { Properties: { ReservedConcurrentExecutions: 100 } },
    });
  });

  it("take --param strings, and reserve nothing with none (accounts whose quota leaves nothing to reserve)", async () => {
    const { extensions } = await webhook.resources(variables({ webhookThrottleRateLimit: "20.5", webhookThrottleBurstLimit: "40", webhookReservedConcurrency: "none" }));
    expect(extensions).toEqual({ HttpApiStage: { Properties: { DefaultRouteSettings: { ThrottlingRateLimit: 20.5, ThrottlingBurstLimit: 40 } } } });
  });

  it("refuse 0 reserved concurrency, which would stop the webhook, and values that are not numbers", async () => {
    await expect(webhook.resources(variables({ webhookReservedConcurrency: 0 }))).rejects.toThrow(/0 would stop the webhook/);
    await expect(webhook.resources(variables({ webhookReservedConcurrency: "lots" }))).rejects.toThrow(/webhookReservedConcurrency must be a whole number above 0/);
    await expect(webhook.resources(variables({ webhookThrottleBurstLimit: 2.5 }))).rejects.toThrow(/webhookThrottleBurstLimit must be a whole number/);
    await expect(webhook.resources(variables({ webhookThrottleRateLimit: -1 }))).rejects.toThrow(/webhookThrottleRateLimit must be a number above 0/);
  });

  it("warn when a burst the API lets through could find no free instance", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await webhook.resources(variables({ webhookReservedConcurrency: 10 }));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("webhookReservedConcurrency (10) is below params.webhookThrottleBurstLimit (100)"));
  });
});

describe("runner settings", () => {
  it("refuse the retired stage-wide runnerPolicyArns, saying where deploy policies go now", async () => {
    await expect(environments.resources(variables({ runnerPolicyArns: ["arn:aws:iam::123456789012:policy/deploy"] }))).rejects.toThrow(
      /params.runnerPolicyArns is no longer read.*environments.<name>.runnerPolicyArns/,
    );
  });

  it("refuse two served environments on one project: their runner roles are fenced by project", () => {
    const dir = mkdtempSync(join(tmpdir(), "runway-settings-"));
    try {
      const file = join(dir, "runway.yml");
      writeFileSync(
        file,
        [
          "stages: { dev: all }",
          "environments:",
          "  a: { workflows: [[{ type: WORKFLOW_NAME, pattern: a }]], labels: [runway-a], codebuild: { project: runway-runner } }",
          "  b: { workflows: [[{ type: WORKFLOW_NAME, pattern: b }]], labels: [runway-b], codebuild: { project: runway-runner, roleArn: 'arn:aws:iam::222222222222:role/r' } }",
        ].join("\n"),
      );
      expect(() => runwayContext({ stage: "dev", region: "eu-west-1", configFile: file })).toThrow(/environments a and b, both served by stage "dev", use the same codebuild.project runway-runner/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
