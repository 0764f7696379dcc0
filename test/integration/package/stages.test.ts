/**
 * What the template becomes for each stage and shape of runway.yml: environments in other
 * accounts (no project here; an assumable role, a bucket and event-bus grant, and a template for
 * that account), another region, production's retention, the `deploy:` and `notify:` sections;
 * and the clear refusals: a stage runway.yml does not list, a function without its source or bundle.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../lib/config/load.ts";
import { iamStatements, isReadOnly, list, missingSources, ofType, packageStage, placeholderBundles, serviceDir, type Packaged } from "./harness.ts";

/** One Runway in a central account serving three environments: here, another region, another account. */
const CENTRAL_YML = `
stages:
  central: all
environments:
  dev:
    workflows: [[{ type: WORKFLOW_NAME, pattern: "^deploy-dev$" }]]
    labels: [self-hosted, runway-dev]
    codebuild: { project: runway-runner-dev, region: eu-west-1 }
    concurrency: 4
  us:
    workflows: [[{ type: WORKFLOW_NAME, pattern: "^deploy-us$" }]]
    labels: [self-hosted, runway-us]
    codebuild: { project: runway-runner-us, region: us-east-1 }
  prd:
    workflows: [[{ type: WORKFLOW_NAME, pattern: "^deploy-prd$" }]]
    labels: [self-hosted, runway-prd]
    codebuild: { project: runway-runner-prd, roleArn: "arn:aws:iam::333333333333:role/ops/runway-launcher" }
    runnerPolicyArns: ["arn:aws:iam::333333333333:policy/deploy-prd"]
notify:
  mode: webhook
deploy:
  applications:
    shop:
      deploymentGroups:
        "*":
          hooks:
            AfterAllowTestTraffic:
              checks:
                - type: alarms
                  names: [shop-5xx]
                - type: lambda
                  functionName: shop-smoke
`;

let root: string;
const stubs = missingSources();
const packaged: Record<string, Packaged> = {};

beforeAll(async () => {
  // The template does not depend on what the bundles hold: template.test.ts packages the real ones.
  root = placeholderBundles();
  const runs: [string, string, Parameters<typeof serviceDir>[2]][] = [
    ["stg", "stg", { stubs }],
    ["prd", "prd", { stubs }],
    ["central", "central", { stubs, runwayYml: CENTRAL_YML }],
    ["unknown", "nope", { stubs }],
    ["missing", "dev", { stubs, omit: ["slack-notifier"] }],
  ];
  // Two at a time: each is a CPU-bound Node process, and CI machines have two cores.
  const queue = [...runs];
  const worker = async () => {
    for (let run = queue.shift(); run; run = queue.shift()) packaged[run[0]] = await packageStage(serviceDir(root, run[0], run[2]), run[1]);
  };
  await Promise.all([worker(), worker()]);
  for (const name of ["stg", "prd", "central"]) {
    if (packaged[name]!.status !== 0) throw new Error(`serverless package (${name}) failed:\n${packaged[name]!.output}`);
  }
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const statements = (p: Packaged, role: string) => p.template.Resources[role]!.Properties.Policies.flatMap((x: any) => x.PolicyDocument.Statement);
const sid = (p: Packaged, role: string, id: string) => statements(p, role).find((s: any) => s.Sid === id);

describe("an environment in another account (stg: codebuild.roleArn into 222222222222)", () => {
  it("gets no project here; the launcher and reconciler may assume its role and nothing of CodeBuild locally", () => {
    const stg = packaged.stg!;
    expect(ofType(stg.template, "AWS::CodeBuild::Project")).toEqual([]);
    for (const role of ["RunnerLauncherRole", "ReconcilerRole"]) {
      expect(sid(stg, role, "AssumeRunnerAccountRoles").Resource).toEqual(["arn:aws:iam::222222222222:role/runway-launcher"]);
      expect(statements(stg, role).some((s: any) => list<string>(s.Action).some((a) => a.startsWith("codebuild:")))).toBe(false);
    }
    expect(stg.template.Resources.RunnerLauncherRole!.Properties.RoleName).toBe("runway-stg-eu-west-1-runner-launcher");
  });

  it("lets that account's runner roles at the artifacts they need and its events onto the default bus, naming the account", () => {
    const stg = packaged.stg!;
    const cross = stg.template.Resources.ArtifactsBucketPolicy!.Properties.PolicyDocument.Statement.filter((s: any) => s.Effect === "Allow");
    expect(cross.map((s: any) => s.Sid)).toEqual(["ReadOwnConclusionsStgFrom222222222222", "WriteOwnBuildRecordsStgFrom222222222222", "ReadRunnerReleasesStgFrom222222222222", "ListArtifactsStgFrom222222222222"]);
    for (const s of cross) {
      expect(s.Principal).toEqual({ AWS: { "Fn::Sub": "arn:${AWS::Partition}:iam::222222222222:root" } });
      expect(s.Condition).toEqual({ ArnEquals: { "aws:PrincipalArn": { "Fn::Sub": "arn:${AWS::Partition}:iam::222222222222:role/runway-stg-runner-stg" } } });
    }
    expect(cross[0].Resource).toEqual(["markers/stg/*", "results/failure_build_runway-runner-stg:*"].map((k) => ({ "Fn::Sub": `\${ArtifactsBucket.Arn}/${k}` })));
    expect(cross[1].Resource).toEqual([{ "Fn::Sub": "${ArtifactsBucket.Arn}/builds/runway-runner-stg:*" }]);
    expect(stg.template.Resources.RunnerEventsFrom222222222222!.Properties.Statement).toMatchObject({
      Action: "events:PutEvents",
      Principal: { AWS: { "Fn::Sub": "arn:${AWS::Partition}:iam::222222222222:root" } },
      Condition: { "ForAllValues:StringEquals": { "events:source": ["aws.codebuild"] }, StringEquals: { "events:detail-type": "CodeBuild Build State Change" } },
    });
  });

  it("writes the template for that account: project, runner role, the role Runway assumes, event forwarding", () => {
    const stg = packaged.stg!;
    expect(stg.files).toContain("runner-account-222222222222-eu-west-1.json");
    const template = stg.json("runner-account-222222222222-eu-west-1.json");
    expect(template.Resources.RunnerStgProject.Properties).toMatchObject({ Name: "runway-runner-stg", ConcurrentBuildLimit: 10, Source: { Type: "S3", BuildSpec: "buildspecs/runner.yml" } });
    expect(template.Resources.RunnerStgRole.Properties.RoleName).toBe("runway-stg-runner-stg");
    expect(template.Resources.RunnerStgProject.Properties.Environment.EnvironmentVariables).toContainEqual({ Name: "RUNWAY_ENVIRONMENT", Type: "PLAINTEXT", Value: "stg" });
    const assumed = template.Resources.RunwayLauncherRole.Properties;
    expect(assumed).toMatchObject({ RoleName: "runway-launcher", Path: "/" });
    expect(assumed.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { AWS: { "Fn::Sub": "arn:${AWS::Partition}:iam::${RunwayAccountId}:root" } },
        Action: "sts:AssumeRole",
        Condition: {
          ArnEquals: {
            "aws:PrincipalArn": [
              { "Fn::Sub": "arn:${AWS::Partition}:iam::${RunwayAccountId}:role/runway-stg-eu-west-1-runner-launcher" },
              { "Fn::Sub": "arn:${AWS::Partition}:iam::${RunwayAccountId}:role/runway-stg-eu-west-1-reconciler" },
            ],
          },
        },
      },
    ]);
    const policy = assumed.Policies[0].PolicyDocument.Statement;
    expect(policy[0]).toMatchObject({ Resource: [{ "Fn::Sub": "arn:${AWS::Partition}:codebuild:eu-west-1:${AWS::AccountId}:project/runway-runner-stg" }] });
    expect(policy[1]).toMatchObject({ Action: ["ssm:PutParameter", "ssm:DeleteParameter"], Resource: [{ "Fn::Sub": "arn:${AWS::Partition}:ssm:eu-west-1:${AWS::AccountId}:parameter/runway/stg/jit/*" }] });
    expect(template.Resources.ForwardBuildEvents.Properties.EventPattern.detail).toEqual({ "project-name": ["runway-runner-stg"] });
  });
});

describe("prd", () => {
  it("keeps its data when the stack goes, protects the table, and keeps logs a year", () => {
    const prd = packaged.prd!;
    expect(prd.template.Resources.RunwayTable).toMatchObject({ DeletionPolicy: "Retain", Properties: { DeletionProtectionEnabled: true } });
    expect(prd.template.Resources.ArtifactsBucket!.DeletionPolicy).toBe("Retain");
    for (const [, group] of ofType(prd.template, "AWS::Logs::LogGroup")) expect(group.Properties.RetentionInDays).toBe(365);
  });
});

describe("one Runway serving environments here, in another region and in another account", () => {
  const central = () => packaged.central!;

  it("is a valid runway.yml", () => {
    expect(() => parseConfig(CENTRAL_YML, "central.yml")).not.toThrow();
  });

  it("creates only the project of its own region, and starts builds directly in both regions of its account", () => {
    expect(ofType(central().template, "AWS::CodeBuild::Project").map(([, p]) => [p.Properties.Name, p.Properties.ConcurrentBuildLimit])).toEqual([["runway-runner-dev", 4]]);
    expect(sid(central(), "RunnerLauncherRole", "StartRunnerBuilds").Resource).toEqual([
      { "Fn::Sub": "arn:${AWS::Partition}:codebuild:eu-west-1:${AWS::AccountId}:project/runway-runner-dev" },
      { "Fn::Sub": "arn:${AWS::Partition}:codebuild:us-east-1:${AWS::AccountId}:project/runway-runner-us" },
    ]);
    expect(sid(central(), "RunnerLauncherRole", "StoreJitConfigs").Resource).toEqual([
      { "Fn::Sub": "arn:${AWS::Partition}:ssm:eu-west-1:${AWS::AccountId}:parameter/runway/central/jit/*" },
      { "Fn::Sub": "arn:${AWS::Partition}:ssm:us-east-1:${AWS::AccountId}:parameter/runway/central/jit/*" },
    ]);
    expect(sid(central(), "RunnerLauncherRole", "AssumeRunnerAccountRoles").Resource).toEqual(["arn:aws:iam::333333333333:role/ops/runway-launcher"]);
  });

  it("writes a template per account and region it cannot create itself", () => {
    expect(central().files.filter((f) => f.startsWith("runner-account-"))).toEqual(["runner-account-333333333333-eu-west-1.json", "runner-account-runway-account-us-east-1.json"]);
    const us = central().json("runner-account-runway-account-us-east-1.json");
    expect(Object.keys(us.Resources).sort()).toEqual(["ForwardBuildEvents", "ForwardBuildEventsRole", "RunnerUsLogGroup", "RunnerUsProject", "RunnerUsRole"]);
    const prd = central().json("runner-account-333333333333-eu-west-1.json");
    expect(prd.Resources.RunwayLauncherRole.Properties).toMatchObject({ RoleName: "runway-launcher", Path: "/ops/" });
    // prd's deploy policies go to prd's runner role in prd's account, and nowhere else.
    expect(prd.Resources.RunnerPrdRole.Properties.ManagedPolicyArns).toEqual(["arn:aws:iam::333333333333:policy/deploy-prd"]);
    expect(us.Resources.RunnerUsRole.Properties.ManagedPolicyArns).toBeUndefined();
    expect(central().template.Resources.RunnerDevRole!.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it("ships the runner bundle built from the repository's buildspecs", () => {
    const names = central().zip("runner-bundle.zip").map((e) => e.name);
    expect(names[0]).toBe("buildspecs/runner.yml");
    expect(names).toEqual(expect.arrayContaining(["buildspecs/runner/conclude.sh", "buildspecs/runner/start-runner.sh"]));
  });

  it("listens to the build events of every environment it serves", () => {
    const [[, rule]] = ofType(central().template, "AWS::Events::Rule").filter(([id]) => id.includes("buildevents")) as [[string, any]];
    expect(rule.Properties.EventPattern.detail["project-name"]).toEqual(["runway-runner-dev", "runway-runner-us", "runway-runner-prd"]);
  });

  it("reads only the Slack credential of notify.mode", () => {
    const notifier = central().template.Resources.SlackDashnotifierLambdaFunction!.Properties.Environment.Variables;
    expect(notifier).toMatchObject({ SLACK_WEBHOOK_URL_PARAMETER: "/runway/central/slack-webhook-url", SLACK_BOT_TOKEN_PARAMETER: "" });
    expect(sid(central(), "SlackNotifierRole", "ReadSlackCredential").Resource).toEqual([
      { "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/runway/central/slack-webhook-url" },
    ]);
  });

  it("lets the hooks read the configured deployment groups and alarms and invoke the named smoke test only", () => {
    const hook = (id: string) => sid(central(), "HookAfterAllowTestTrafficRole", id);
    expect(hook("ReadDeployments").Resource).toEqual([{ "Fn::Sub": "arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:deploymentgroup:shop/*" }]);
    expect(hook("ReadAlarms").Resource).toEqual([{ "Fn::Sub": "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:shop-5xx" }]);
    expect(hook("InvokeSmokeTests").Resource).toEqual([
      { "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:shop-smoke" },
      { "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:shop-smoke:*" },
    ]);
  });

  it("holds the other accounts' templates to the same rule: no write on *, no wildcard action granted", () => {
    for (const file of central().files.filter((f) => f.startsWith("runner-account-"))) {
      for (const { role, statement } of iamStatements(central().json(file))) {
        if (statement.Effect !== "Allow") continue; // the runner roles' fences deny widely, on purpose
        for (const action of list<string>(statement.Action)) {
          expect(action === "*" || action.endsWith(":*"), `${file} ${role}: ${action}`).toBe(false);
          if (list(statement.Resource).includes("*")) expect(isReadOnly(action), `${file} ${role}: ${action} on *`).toBe(true);
        }
      }
    }
  });
});

describe("refusals", () => {
  it("refuses a stage runway.yml does not list, saying how to add it", () => {
    const { status, output } = packaged.unknown!;
    expect(status).not.toBe(0);
    expect(output).toContain('stage "nope" is not listed under stages:');
    expect(output).toContain('add it, e.g. "nope: [dev]"');
  });

  it("refuses a function whose source is missing, naming the file", () => {
    const { status, output } = packaged.missing!;
    expect(status).not.toBe(0);
    expect(output).toContain("function slack-notifier: functions/slack-notifier.ts does not exist (yet)");
  });
});
