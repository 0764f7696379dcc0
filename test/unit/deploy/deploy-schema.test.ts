import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError } from "../../../lib/config/errors.ts";
import { parseConfig } from "../../../lib/config/load.ts";
import { deploySchema, parseDurationMs } from "../../../lib/config/deploy-schema.ts";

function issues(yaml: string) {
  const result = deploySchema.safeParse(parse(yaml));
  if (result.success) throw new Error("expected the configuration to be rejected");
  return result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}

const group = (checks: string) => `
applications:
  shop:
    deploymentGroups:
      shop-prd:
        hooks:
          AfterAllowTestTraffic:
            checks:
${checks}`;

describe("deploy configuration schema", () => {
  it("parses checks with defaults, durations in milliseconds and names filled in", () => {
    const config = deploySchema.parse(
      parse(
        group(`
              - type: http
                url: http://alb.internal:8080/health?d={deploymentId}
                expect: { status: 200, bodyContains: ok, bodyMatches: "^\\\\{", maxLatency: 500ms }
                count: 5
                interval: 2s
                failureLimit: 1
              - type: http
                url: https://alb.internal/ready
              - type: alarms
                names: [shop-5xx]
                timeout: 1.5`),
      ),
    );
    const checks = config.applications.shop!.deploymentGroups["shop-prd"]!.hooks.AfterAllowTestTraffic!.checks;
    expect(checks.map((c) => c.name)).toEqual(["http", "http-2", "alarms"]);
    expect(checks[0]).toMatchObject({ interval: 2_000, count: 5, failureLimit: 1, timeout: 10_000, initialDelay: 0, method: "GET" });
    expect(checks[0]).toMatchObject({ expect: { status: ["200"], bodyContains: ["ok"], maxLatency: 500 } });
    expect(checks[1]).toMatchObject({ expect: { status: ["2xx"] }, count: 1, failureLimit: 0 });
    expect(checks[2]).toMatchObject({ timeout: 1_500, insufficientData: "pass" });
    expect(config.reportMargin).toBe(10_000);
  });

  it("reads durations as numbers of seconds or with a unit", () => {
    expect([parseDurationMs(3), parseDurationMs("250ms"), parseDurationMs("5s"), parseDurationMs("1.5m"), parseDurationMs("1h")]).toEqual([
      3_000, 250, 5_000, 90_000, 3_600_000,
    ]);
    expect(parseDurationMs("soon")).toBeUndefined();
    expect(parseDurationMs(-1)).toBeUndefined();
  });

  it("names the offending key of each mistake", () => {
    const found = issues(
      group(`
              - type: htp
              - type: http
                url: ftp://example.com/{nope}
                interval: soon
              - type: lambda
                bogus: true`),
    );
    const at = "applications.shop.deploymentGroups.shop-prd.hooks.AfterAllowTestTraffic.checks";
    expect(found).toContainEqual({ path: `${at}.0.type`, message: "expected type: to be one of http, ecs, targetHealth, alarms, lambda, cloudwatch" });
    expect(found).toContainEqual(expect.objectContaining({ path: `${at}.1.interval`, message: expect.stringContaining('"soon" is not a duration') }));
    expect(found).toContainEqual(expect.objectContaining({ path: `${at}.1.url`, message: expect.stringContaining("unknown placeholder {nope}") }));
    expect(found).toContainEqual({ path: `${at}.1.url`, message: "expected an absolute http:// or https:// URL" });
    expect(found).toContainEqual(expect.objectContaining({ path: `${at}.2`, message: expect.stringContaining("bogus") }));
  });

  it("rejects a failure limit that could never be exceeded", () => {
    expect(issues(group(`              - { type: http, url: "http://x/", count: 3, failureLimit: 3 }`))).toEqual([
      {
        path: "applications.shop.deploymentGroups.shop-prd.hooks.AfterAllowTestTraffic.checks.0.failureLimit",
        message: "failureLimit (3) must be lower than count (3), or the check could never fail",
      },
    ]);
  });

  it("rejects a body on a GET request, and leaves JSON braces in bodies alone", () => {
    expect(issues(group(`              - { type: http, url: "http://x/", body: '{"a":1}' }`))).toEqual([
      {
        path: "applications.shop.deploymentGroups.shop-prd.hooks.AfterAllowTestTraffic.checks.0.body",
        message: "a GET request cannot carry a body: set method: POST (or PUT, PATCH)",
      },
    ]);
    expect(deploySchema.safeParse(parse(group(`              - { type: http, method: POST, url: "http://x/", body: '{"id":"{deploymentId}","n":{}}' }`))).success).toBe(true);
  });

  it("rejects checks longer than a Lambda function can run", () => {
    const [issue] = issues(group(`              - { type: alarms, names: [a], count: 100, interval: 1m }`));
    expect(issue?.message).toContain("longer than a Lambda function can run");
  });

  it("rejects unknown hooks, duplicate names and replacement checks at BeforeInstall", () => {
    const found = issues(`
applications:
  shop:
    deploymentGroups:
      "*":
        hooks:
          AfterAllowTestTraffc: { checks: [] }
          BeforeInstall:
            checks:
              - { type: ecs }
          AfterInstall:
            checks:
              - { type: alarms, name: same, names: [a] }
              - { type: alarms, name: same, names: [b] }
`);
    expect(found).toContainEqual(expect.objectContaining({ path: "applications.shop.deploymentGroups.*.hooks", message: expect.stringContaining("unknown hook AfterAllowTestTraffc") }));
    expect(found).toContainEqual(expect.objectContaining({ path: "applications.shop.deploymentGroups.*.hooks.AfterInstall.checks.1.name" }));
    expect(found).toContainEqual(
      expect.objectContaining({ path: "applications.shop.deploymentGroups.*.hooks.BeforeInstall.checks.0.type", message: expect.stringContaining("move this one to AfterInstall") }),
    );
  });

  it("keeps reportMargin within sense", () => {
    expect(issues("reportMargin: 0.5")[0]?.message).toContain("between 1s and 5m");
    expect(deploySchema.parse({ reportMargin: "30s" }).reportMargin).toBe(30_000);
  });

  it("is reported with file and line through the configuration loader", () => {
    const text = `
environments:
  dev:
    workflows:
      - - { type: WORKFLOW_NAME, pattern: "^deploy$" }
    codebuild: { project: runner-dev }
    labels: [runway-dev]
deploy:
  applications:
    shop:
      deploymentGroups:
        "*":
          hooks:
            AfterAllowTestTraffic:
              checks:
                - type: http
                  url: http://x/
                  timeout: forever
`;
    try {
      parseConfig(text, "runway.yml");
      throw new Error("expected a ConfigError");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems[0]).toMatchObject({
        line: 18,
        field: "deploy.applications.shop.deploymentGroups.*.hooks.AfterAllowTestTraffic.checks.0.timeout",
      });
    }
  });
});
