import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../lib/config/load.ts";
import { ConfigError } from "../../../lib/config/errors.ts";
import { ecsHooksSchema } from "../../../lib/config/ecs-hooks-schema.ts";

const environments = `
environments:
  dev:
    workflows: [[{ type: WORKFLOW_NAME, pattern: "^deploy$" }]]
    codebuild: { project: runner-dev }
    labels: [runway-dev]
`;

const problems = (value: unknown) => {
  const result = ecsHooksSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
};
const service = (stages: unknown) => ({ clusters: { prod: { services: { shop: { stages } } } } });

describe("deploy.ecs in runway.yml", () => {
  it("reads checks per cluster, service and stage, with durations in ms, names filled in and maxDuration's default", () => {
    const config = parseConfig(
      `${environments}
deploy:
  ecs:
    clusters:
      prod:
        services:
          shop:
            stages:
              POST_SCALE_UP:
                checks: [{ type: ecs }, { type: targetHealth }]
              POST_TEST_TRAFFIC_SHIFT:
                maxDuration: 15m
                checks:
                  - type: http
                    url: http://internal-shop-alb:9000/health?d={deploymentId}
                    count: 10
                    interval: 30s
                    failureLimit: 1
                  - { type: alarms, names: [shop-5xx] }
                  - { type: http, url: "http://internal-shop-alb:9000/ready", dryRun: true }
`,
      "runway.yml",
    );
    const stages = config.deploy?.ecs?.clusters.prod?.services.shop?.stages;
    expect(stages?.POST_SCALE_UP).toMatchObject({ maxDuration: 1_800_000, checks: [{ type: "ecs", name: "ecs", minRunning: 1 }, { type: "targetHealth", name: "targetHealth" }] });
    expect(stages?.POST_TEST_TRAFFIC_SHIFT).toMatchObject({
      maxDuration: 900_000,
      checks: [
        { type: "http", name: "http", interval: 30_000, count: 10, failureLimit: 1 },
        { type: "alarms", name: "alarms" },
        { type: "http", name: "http-2", dryRun: true },
      ],
    });
    expect(config.deploy?.applications).toEqual({});
  });

  it("reports mistakes with their line and field", () => {
    let error: unknown;
    try {
      parseConfig(`${environments}\ndeploy:\n  ecs:\n    clusters:\n      prod:\n        services:\n          shop:\n            stages:\n              AfterAllowTestTraffic: { checks: [] }\n`, "runway.yml");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.objectContaining({ line: 15, field: "deploy.ecs.clusters.prod.services.shop.stages", message: "unknown field AfterAllowTestTraffic (check the spelling)" }),
    ]);
    expect(problems(service({ AfterAllowTestTraffic: { checks: [] } }))[0]).toMatch(/unknown lifecycle stage AfterAllowTestTraffic: ECS invokes hooks at RECONCILE_SERVICE, PRE_SCALE_UP/);
  });

  it("refuses checks of the green revision before it has tasks, and lambda checks without a function", () => {
    expect(problems(service({ PRE_SCALE_UP: { checks: [{ type: "ecs" }, { type: "targetHealth" }, { type: "targetHealth", targetGroup: "shop-blue" }] } }))).toEqual([
      "clusters.prod.services.shop.stages.PRE_SCALE_UP.checks.0.type: ecs checks look at the green service revision, which has no tasks yet at PRE_SCALE_UP: move this one to POST_SCALE_UP or later",
      "clusters.prod.services.shop.stages.PRE_SCALE_UP.checks.1.type: targetHealth checks look at the green service revision, which has no tasks yet at PRE_SCALE_UP: move this one to POST_SCALE_UP or later",
    ]);
    expect(problems(service({ POST_SCALE_UP: { checks: [{ type: "lambda" }] } }))).toEqual([
      "clusters.prod.services.shop.stages.POST_SCALE_UP.checks.0.functionName: name the function to invoke: an ECS deployment has no new function version to default to",
    ]);
  });

  it("holds each check to its stage's maxDuration, names to be unique, and at most ten checks a stage", () => {
    expect(problems(service({ POST_TEST_TRAFFIC_SHIFT: { maxDuration: "1m", checks: [{ type: "http", url: "http://x/", count: 10, interval: "10s" }] } }))).toEqual([
      "clusters.prod.services.shop.stages.POST_TEST_TRAFFIC_SHIFT.checks.0.count: this check needs up to 110s, longer than the stage's maxDuration (60s): lower count or interval, or raise maxDuration",
    ]);
    expect(problems(service({ POST_SCALE_UP: { checks: [{ type: "ecs", name: "a" }, { type: "targetHealth", name: "a" }] } }))).toEqual([
      'clusters.prod.services.shop.stages.POST_SCALE_UP.checks.1.name: two checks are named "a": names identify checks in the evidence, make them unique',
    ]);
    expect(problems(service({ POST_SCALE_UP: { checks: Array.from({ length: 11 }, () => ({ type: "ecs" })) } }))[0]).toMatch(/at most 10 checks per stage/);
    expect(problems(service({ POST_SCALE_UP: { maxDuration: "25h", checks: [] } }))[0]).toMatch(/maxDuration must be between 10s and 24h/);
    expect(problems({ clusters: {} })).toEqual(['clusters: name at least one cluster (or "*" for all of them)']);
  });
});
