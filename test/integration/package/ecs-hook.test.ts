/**
 * The ECS lifecycle hook's role when runway.yml's `deploy.ecs` names its clusters and what its
 * checks read: only those clusters' service deployments, revisions and tasks, only the alarms and
 * smoke-test functions its checks name, metrics only for a cloudwatch check.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../../lib/build/bundle.ts";
import { packageStage, placeholderBundles, serviceDir, type Packaged } from "./harness.ts";

const ECS = `
deploy:
  ecs:
    clusters:
      prod:
        services:
          shop:
            stages:
              POST_SCALE_UP:
                checks: [{ type: ecs }]
              POST_TEST_TRAFFIC_SHIFT:
                checks:
                  - { type: alarms, names: [shop-5xx] }
                  - { type: lambda, functionName: shop-smoke-test }
                  - type: cloudwatch
                    metric: { namespace: AWS/ApplicationELB, name: HTTPCode_Target_5XX_Count, stat: Sum }
                    failureCondition: result > 10
      batch:
        services:
          "*":
            stages:
              POST_SCALE_UP: { checks: [] }
`;

let root: string;
let dev: Packaged;

beforeAll(async () => {
  root = placeholderBundles();
  dev = await packageStage(serviceDir(root, "dev", { runwayYml: `${readFileSync(join(ROOT, "runway.yml"), "utf8")}${ECS}` }), "dev");
  if (dev.status !== 0) throw new Error(`serverless package failed:\n${dev.output}`);
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const statement = (sid: string) =>
  dev.template.Resources.EcsHookRole!.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement).find((s: any) => s.Sid === sid);
const ecsArn = (resource: string) => ({ "Fn::Sub": `arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:${resource}` });

describe("the ECS lifecycle hook's role, from deploy.ecs", () => {
  it("reads the service deployments, revisions and tasks of the clusters deploy.ecs names only", () => {
    expect(statement("ReadServiceDeployments").Resource).toEqual([
      ecsArn("service/prod/*"),
      ecsArn("service/batch/*"),
      ecsArn("service-deployment/prod/*/*"),
      ecsArn("service-deployment/batch/*/*"),
      ecsArn("service-revision/prod/*/*"),
      ecsArn("service-revision/batch/*/*"),
    ]);
    expect(statement("ReadTasks").Resource).toEqual([ecsArn("task/prod/*"), ecsArn("task/batch/*")]);
    expect(statement("ListTasks").Condition).toEqual({ ArnLike: { "ecs:cluster": [ecsArn("cluster/prod"), ecsArn("cluster/batch")] } });
  });

  it("reads the alarms and invokes the functions its checks name, and metrics because a check is a cloudwatch one", () => {
    expect(statement("ReadAlarms")).toMatchObject({
      Action: ["cloudwatch:DescribeAlarms"],
      Resource: [{ "Fn::Sub": "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:shop-5xx" }],
    });
    expect(statement("InvokeSmokeTests").Resource).toEqual([
      { "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:shop-smoke-test" },
      { "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:shop-smoke-test:*" },
    ]);
    expect(statement("ReadMetrics")).toMatchObject({ Action: ["cloudwatch:GetMetricData"], Resource: "*" });
  });
});
