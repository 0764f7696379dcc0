import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkConfigCommand } from "../../../lib/cli/commands/check-config.ts";
import { deploySchema } from "../../../lib/config/deploy-schema.ts";
import { runCommand, tempDir } from "../cli/run.ts";

const ENVIRONMENTS = `environments:
  dev:
    workflows:
      - - { type: WORKFLOW_NAME, pattern: "^deploy$" }
    codebuild: { project: runner-dev }
    labels: [runway-dev]
`;

/** A `deploy:` section with these checks at `hook` of shop's "*" group (indented for the list). */
const deployWith = (hook: string, checks: string) => `
applications:
  shop:
    deploymentGroups:
      "*":
        hooks:
          ${hook}:
            checks:
${checks}`;

function issues(yaml: string) {
  const result = deploySchema.safeParse(parse(yaml));
  if (result.success) throw new Error("expected the configuration to be rejected");
  return result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}

const AT = (hook: string) => `applications.shop.deploymentGroups.*.hooks.${hook}.checks`;

describe("cloudwatch check configuration", () => {
  it("parses a metric statistic and a metric-math expression, with defaults", () => {
    const config = deploySchema.parse(
      parse(
        deployWith(
          "AfterAllowTraffic",
          `              - type: cloudwatch
                metric: { namespace: AWS/Lambda, name: Errors, stat: Sum, dimensions: { FunctionName: "{functionName}" } }
                failureCondition: sum(result) > 0
              - type: cloudwatch
                name: error-rate
                expression: 100 * FILL(errors, 0) / requests
                metrics:
                  errors: { namespace: Shop, name: Errors, stat: Sum, period: 1m }
                  requests: { namespace: Shop, name: Requests, stat: Sum, period: 60 }
                successCondition: max(result) < 1
                failureCondition: result >= 5
                count: 5
                interval: 1m
                inconclusiveLimit: 2
                inconclusive: pass
                dryRun: true`,
        ),
      ),
    );
    const [metric, math] = config.applications.shop!.deploymentGroups["*"]!.hooks.AfterAllowTraffic!.checks;
    expect(metric).toMatchObject({ name: "cloudwatch", window: 300_000, inconclusiveLimit: 0, inconclusive: "fail", dryRun: false, metric: { period: 60_000 } });
    expect(math).toMatchObject({ name: "error-rate", inconclusiveLimit: 2, inconclusive: "pass", dryRun: true, metrics: { errors: { period: 60_000 }, requests: { period: 60_000 } } });
  });

  it("accepts dryRun on every check kind", () => {
    const config = deploySchema.parse(
      parse(deployWith("AfterAllowTestTraffic", `              - { type: http, url: "http://x/", dryRun: true }\n              - { type: alarms, names: [a], dryRun: true }\n              - { type: ecs, dryRun: true }`)),
    );
    expect(config.applications.shop!.deploymentGroups["*"]!.hooks.AfterAllowTestTraffic!.checks.map((c) => c.dryRun)).toEqual([true, true, true]);
  });

  it("refuses conditions that do not parse, a query that is neither or both, and ids the expression lacks", () => {
    const found = issues(
      deployWith(
        "AfterAllowTraffic",
        `              - { type: cloudwatch, metric: { namespace: N, name: M, stat: Sum }, successCondition: "result =< 1" }
              - { type: cloudwatch, successCondition: "result < 1" }
              - type: cloudwatch
                expression: erors / requests
                metrics: { errors: { namespace: N, name: E, stat: Sum }, requests: { namespace: N, name: R, stat: Sum } }
                failureCondition: result > 1
              - { type: cloudwatch, metric: { namespace: N, name: M, stat: Avg, period: 45s }, window: 30s }
              - type: cloudwatch
                metric: { namespace: N, name: M, stat: p99 }
                successCondition: result < 1
                count: 3
                failureLimit: 1
                inconclusiveLimit: 2
              - type: cloudwatch
                expression: m1 * 2
                metrics: { result: { namespace: N, name: M, stat: Sum } }
                successCondition: result < 1`,
      ),
    );
    const at = AT("AfterAllowTraffic");
    expect(found).toContainEqual({ path: `${at}.0.successCondition`, message: expect.stringContaining('not a condition: column 8: "=" is not a comparison') });
    expect(found).toContainEqual({ path: `${at}.1.metric`, message: "give a metric (namespace, name, stat …) or an expression with its metrics" });
    expect(found).toContainEqual({ path: `${at}.2.expression`, message: "the expression uses erors, which is not one of its metrics (errors, requests)" });
    expect(found).toContainEqual(expect.objectContaining({ path: `${at}.3.metric.stat`, message: expect.stringContaining("expected a statistic") }));
    expect(found).toContainEqual({ path: `${at}.3.metric.period`, message: "a CloudWatch period is 1s, 5s, 10s, 30s or a multiple of 1m" });
    expect(found).toContainEqual(expect.objectContaining({ path: `${at}.3.successCondition`, message: expect.stringContaining("give successCondition, failureCondition or both") }));
    expect(found).toContainEqual(expect.objectContaining({ path: `${at}.4.inconclusiveLimit`, message: expect.stringContaining("could pass without a single passing measurement") }));
    expect(found).toContainEqual(expect.objectContaining({ path: `${at}.5.metrics.result`, message: expect.stringContaining('"result" names the expression') }));
  });

  it("refuses a window shorter than the period", () => {
    expect(issues(deployWith("AfterAllowTraffic", `              - { type: cloudwatch, metric: { namespace: N, name: M, stat: Sum, period: 5m }, window: 1m, successCondition: "result < 1" }`))).toEqual([
      { path: `${AT("AfterAllowTraffic")}.0.window`, message: "window (60s) is shorter than the period (300s): no datapoint could fall in it" },
    ]);
  });
});

describe("EC2/on-premises hooks", () => {
  it("declares checks for script hooks, which may run up to the appspec's hour", () => {
    const config = deploySchema.parse(parse(deployWith("ValidateService", `              - { type: http, url: "http://localhost:8080/health", count: 30, interval: 1m }`)));
    expect(config.applications.shop!.deploymentGroups["*"]!.hooks.ValidateService!.checks[0]).toMatchObject({ name: "http", count: 30 });
    expect(issues(deployWith("AfterAllowTestTraffic", `              - { type: http, url: "http://x/", count: 30, interval: 1m }`))[0]?.message).toContain("longer than a Lambda function can run");
    expect(issues(deployWith("ValidateService", `              - { type: http, url: "http://x/", count: 70, interval: 1m }`))[0]?.message).toContain("longer than an appspec hook script");
  });

  it("refuses checks an instance cannot run: ecs, and targetHealth or lambda without a name", () => {
    const found = issues(deployWith("ValidateService", `              - { type: ecs }\n              - { type: targetHealth }\n              - { type: lambda }`));
    const at = AT("ValidateService");
    expect(found).toEqual([
      { path: `${at}.0.type`, message: "ecs checks look at an ECS task set; an EC2/on-premises deployment has none" },
      { path: `${at}.1.targetGroup`, message: "name the target group: an EC2/on-premises deployment has no replacement task set to take it from" },
      { path: `${at}.2.functionName`, message: "name the function to invoke: an EC2/on-premises deployment has no new function version to default to" },
    ]);
  });

  it("refuses an application that mixes EC2/on-premises and ECS hooks, and lists both kinds for an unknown hook", () => {
    const mixed = issues(`
applications:
  shop:
    deploymentGroups:
      shop-prd: { hooks: { ValidateService: { checks: [] } } }
      "*": { hooks: { AfterAllowTestTraffic: { checks: [] } } }
`);
    expect(mixed).toEqual([{ path: "applications.shop.deploymentGroups.shop-prd.hooks.ValidateService", message: expect.stringContaining("deploys to one compute platform") }]);
    const [unknown] = issues(deployWith("ValidateServce", "              []"));
    expect(unknown?.message).toContain("EC2/on-premises hooks are ApplicationStop, BeforeInstall, AfterInstall, ApplicationStart, ValidateService");
  });
});

describe("runway check-config on metric checks", () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.remove());

  it("refuses a bad condition with its file, line and field", async () => {
    const text = `${ENVIRONMENTS}deploy:${deployWith(
      "ValidateService",
      `              - type: cloudwatch
                metric: { namespace: Shop, name: Errors, stat: Sum }
                successCondition: result < 1 && count(result) > 3
`,
    ).replace(/^/gm, "  ")}`;
    writeFileSync(join(temp.dir, "runway.yml"), text);
    const result = await runCommand(checkConfigCommand.run, ["runway.yml"], { cwd: temp.dir });
    expect(result.code).toBe(1);
    const line = text.split("\n").findIndex((l) => l.includes("successCondition")) + 1;
    expect(result.stderr).toMatch(
      new RegExp(`^runway\\.yml:${line}:\\d+ deploy\\.applications\\.shop\\.deploymentGroups\\.\\*\\.hooks\\.ValidateService\\.checks\\.0\\.successCondition: not a condition: column 12: write "and" instead of "&&"`, "m"),
    );
  });
});
