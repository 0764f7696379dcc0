/**
 * `serverless package --stage dev`, offline, and what the CloudFormation template and the zips it
 * produces promise: a role per function and least privilege in each, no write on `*` without a
 * reason AWS gives, a private encrypted bucket with expiry, a table with TTL and point-in-time
 * recovery, dead-letter alarms, every trigger wired, and each bundle within its budget.
 */
import { createRequire } from "node:module";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_BUDGETS } from "../../../lib/build/budgets.ts";
import { bundleOnce, declaredBundles, iamStatements, isReadOnly, list, missingSources, ofType, packageStage, serviceDir, type Packaged } from "./harness.ts";

const { STAR_REASONS } = createRequire(import.meta.url)("../../../lib/build/serverless-iam.cjs") as { STAR_REASONS: Record<string, string> };

const HOOKS = ["BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"];

let root: string;
let dev: Packaged;
/** Sources not written yet stand in as copies of another function, so everything else is checked meanwhile. */
const stubbed = missingSources();

beforeAll(async () => {
  root = await bundleOnce();
  dev = await packageStage(serviceDir(root, "dev", { stubs: stubbed }), "dev");
  if (dev.status !== 0) throw new Error(`serverless package failed:\n${dev.output}`);
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const resources = () => dev.template.Resources;
const fn = (key: string) => {
  const id = `${key.replace(/-/g, "Dash").replace(/^./, (c) => c.toUpperCase())}LambdaFunction`;
  const resource = resources()[id];
  if (!resource) throw new Error(`no function ${key} (${id}) in the template`);
  return resource.Properties;
};
const roleOf = (key: string) => resources()[fn(key).Role["Fn::GetAtt"][0]]!.Properties;
const statementsOf = (key: string) => roleOf(key).Policies.flatMap((p: any) => p.PolicyDocument.Statement);
const statement = (key: string, sid: string) => statementsOf(key).find((s: any) => s.Sid === sid);
const functionKeys = () => ["github-webhook", "runner-launcher", "reconciler", "redeliverer", "protection-rule", "build-events", "runner-release", "slack-notifier", "deployment-events", ...HOOKS.map((h) => `hook-${h}`), "ecs-hook"];

describe("serverless package, offline", () => {
  it("needs no credentials and no network, and writes the template, a zip per function and the runner bundle", () => {
    expect(dev.networkAttempts).toEqual([]);
    expect(dev.files).toEqual(expect.arrayContaining(["cloudformation-template-update-stack.json", "runner-bundle.zip", ...functionKeys().map((k) => `${k}.zip`)]));
  });

  it("runs every function on nodejs24.x", () => {
    const functions = ofType(dev.template, "AWS::Lambda::Function");
    expect(functions).toHaveLength(functionKeys().length);
    for (const [, f] of functions) expect(f.Properties.Runtime).toBe("nodejs24.x");
  });

  it("ships each function its own bundle directory only, with its compiled configuration and no source maps", () => {
    for (const key of functionKeys()) {
      const bundle = fn(key).Handler.split("/")[1];
      const entries = dev.zip(`${key}.zip`).map((e) => e.name);
      expect(entries.every((name) => name.startsWith(`.build/${bundle}/`)), key).toBe(true);
      expect(entries, key).toContain(`.build/${bundle}/index.mjs`);
      expect(entries, key).toContain(`.build/${bundle}/runway.compiled.json`);
      expect(entries.filter((name) => name.endsWith(".map")), key).toEqual([]);
      expect(fn(key).Environment.Variables.RUNWAY_CONFIG).toBe(`.build/${bundle}/runway.compiled.json`);
      expect(fn(key).Environment.Variables.RUNWAY_STAGE).toBe("dev");
    }
  });

  it("keeps every bundle within its budget (lib/build/budgets.ts)", () => {
    const sizes: Record<string, number> = {};
    for (const key of functionKeys()) {
      const bundle = fn(key).Handler.split("/")[1];
      sizes[bundle] = dev
        .zip(`${key}.zip`)
        .filter((e) => e.name.endsWith(".mjs"))
        .reduce((sum, e) => sum + e.size, 0);
    }
    for (const bundle of declaredBundles()) {
      expect(BUNDLE_BUDGETS[bundle], `${bundle} has no budget in lib/build/budgets.ts`).toBeTypeOf("number");
      if (stubbed.includes(bundle)) continue; // a stand-in's size says nothing
      expect(sizes[bundle], `${bundle}: ${Math.round(sizes[bundle]! / 1024)} KiB of JavaScript, budget ${BUNDLE_BUDGETS[bundle]! / 1024} KiB`).toBeLessThanOrEqual(BUNDLE_BUDGETS[bundle]!);
    }
  });
});

describe("IAM", () => {
  it("gives every function a role of its own, trusted by Lambda only", () => {
    const roles = functionKeys().map((key) => fn(key).Role["Fn::GetAtt"][0]);
    expect(new Set(roles).size).toBe(roles.length);
    for (const key of functionKeys()) {
      expect(roleOf(key).AssumeRolePolicyDocument.Statement).toEqual([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
      expect(roleOf(key).ManagedPolicyArns, key).toBeUndefined();
    }
    expect(ofType(dev.template, "AWS::IAM::Role").map(([id]) => id)).not.toContain("IamRoleLambdaExecution");
  });

  it("lets each function write its own logs and no other function's", () => {
    for (const key of functionKeys()) {
      const logGroup = `${key.replace(/-/g, "Dash").replace(/^./, (c) => c.toUpperCase())}LogGroup`;
      expect(statement(key, "WriteOwnLogs").Resource, key).toEqual([{ "Fn::GetAtt": [logGroup, "Arn"] }]);
    }
  });

  it("grants no write on * unless AWS requires it, with the reason on record; never a wildcard action", () => {
    const offenders: string[] = [];
    for (const { role, statement: s } of iamStatements(dev.template)) {
      if (s.Effect !== "Allow") continue;
      for (const action of list<string>(s.Action)) {
        if (action === "*" || action.endsWith(":*")) offenders.push(`${role}/${s.Sid}: wildcard action ${action}`);
        if (list(s.Resource).includes("*") && !isReadOnly(action) && !(s.Sid in STAR_REASONS)) offenders.push(`${role}/${s.Sid}: ${action} on *`);
      }
    }
    expect(offenders).toEqual([]);
    expect(statement("hook-BeforeInstall", "ReportLifecycleStatus")).toMatchObject({ Action: ["codedeploy:PutLifecycleEventHookExecutionStatus"], Resource: "*" });
  });

  it("gives the webhook the job and protection queues and its one secret, nothing more", () => {
    expect(statementsOf("github-webhook")).toEqual([
      expect.objectContaining({ Sid: "WriteOwnLogs" }),
      { Sid: "EnqueueJobs", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [{ "Fn::GetAtt": ["JobQueue", "Arn"] }] },
      { Sid: "EnqueueProtectionRequests", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [{ "Fn::GetAtt": ["ProtectionQueue", "Arn"] }] },
      {
        Sid: "ReadWebhookSecret",
        Effect: "Allow",
        Action: ["ssm:GetParameter"],
        Resource: [{ "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/runway/dev/github-webhook-secret" }],
      },
    ]);
  });

  it("lets the launcher start builds on the runner projects of the environments dev serves, and JIT configs only under its path", () => {
    const project = { "Fn::Sub": "arn:${AWS::Partition}:codebuild:eu-west-1:${AWS::AccountId}:project/runway-runner-dev" };
    expect(statement("runner-launcher", "StartRunnerBuilds")).toMatchObject({
      Action: ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:ListBuildsForProject", "codebuild:StopBuild"],
      Resource: [project],
    });
    expect(statement("runner-launcher", "StoreJitConfigs")).toMatchObject({
      Action: ["ssm:PutParameter", "ssm:DeleteParameter"],
      Resource: [{ "Fn::Sub": "arn:${AWS::Partition}:ssm:eu-west-1:${AWS::AccountId}:parameter/runway/dev/jit/*" }],
    });
    expect(statement("runner-launcher", "WriteMarkers").Resource).toEqual([{ "Fn::Sub": "${ArtifactsBucket.Arn}/markers/*" }]);
    expect(statement("runner-launcher", "KeepLogExcerpts")).toMatchObject({ Action: ["s3:PutObject", "s3:GetObject"], Resource: [{ "Fn::Sub": "${ArtifactsBucket.Arn}/builds/*/log-excerpt.txt" }] });
    expect(statement("runner-launcher", "ConsumeJobQueue").Resource).toEqual([{ "Fn::GetAtt": ["JobQueue", "Arn"] }]);
    // Relaunching for a job whose runner a foreign job took: the queue, and stopping that build (above).
    expect(statement("runner-launcher", "RequeueLaunches")).toMatchObject({ Action: ["sqs:SendMessage"], Resource: [{ "Fn::GetAtt": ["JobQueue", "Arn"] }] });
    expect(fn("runner-launcher").Environment.Variables.RUNWAY_JOB_QUEUE_URL).toEqual({ Ref: "JobQueue" });
    // dev's environment is in this account: nothing to assume.
    expect(statement("runner-launcher", "AssumeRunnerAccountRoles")).toBeUndefined();
    expect(statement("reconciler", "WatchRunnerBuilds")).toMatchObject({ Action: ["codebuild:BatchGetBuilds", "codebuild:StopBuild"], Resource: [project] });
    expect(statement("build-events", "ReadRunnerBuilds").Resource).toEqual([project]);
  });

  it("lets build-events list and read only builds/, markers/ and results/", () => {
    expect(statement("build-events", "ListArtifacts").Condition).toEqual({ StringLike: { "s3:prefix": ["builds/*", "markers/*", "results/*"] } });
    expect(statement("build-events", "ReadArtifacts").Resource).toEqual(["builds/*", "markers/*", "results/*"].map((p) => ({ "Fn::Sub": `\${ArtifactsBucket.Arn}/${p}` })));
  });

  it("gives the runner project's service role what the runner buildspec needs, on its own project only", () => {
    const role = resources().RunnerDevRole!.Properties;
    expect(role.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
      Principal: { Service: "codebuild.amazonaws.com" },
      Condition: { ArnLike: { "aws:SourceArn": { "Fn::Sub": "arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:project/runway-runner-dev" } } },
    });
    const sids = role.Policies[0].PolicyDocument.Statement.map((s: any) => s.Sid);
    // dev allows image overrides (runway.yml), so its builds may log in to ECR for a job's own image.
    expect(sids).toEqual(["WriteBuildLogs", "ReadRunnerBundle", "ReadOwnConclusions", "WriteOwnBuildRecords", "ReadRunnerReleases", "ListArtifacts", "ReadOwnJitConfigs", "EcrLogin", "DenyRunwayParameterChanges", "DenyOtherParameters", "DenyMarkerWrites", "DenyRunnerReleaseWrites"]);
    expect(role.Policies[0].PolicyDocument.Statement.find((s: any) => s.Sid === "ReadOwnJitConfigs").Resource).toEqual([
      { "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/runway/dev/jit/dev/*" },
    ]);
    // runway.yml gives dev no deploy policies; params.runnerPolicyArns is gone (test/integration/package/isolation.test.ts has them per environment).
    expect(role.ManagedPolicyArns).toBeUndefined();
  });
});

describe("resources", () => {
  it("keeps the artifacts bucket private, encrypted and expiring", () => {
    const [[, bucket]] = ofType(dev.template, "AWS::S3::Bucket").filter(([id]) => id === "ArtifactsBucket") as [[string, any]];
    const p = bucket.Properties;
    expect(p.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe("AES256");
    expect(p.AccessControl).toBeUndefined();
    expect(p.OwnershipControls.Rules).toEqual([{ ObjectOwnership: "BucketOwnerEnforced" }]);
    const rules = p.LifecycleConfiguration.Rules;
    expect(rules.map((r: any) => [r.Prefix, r.ExpirationInDays])).toEqual(expect.arrayContaining([["markers/", 7], ["builds/", 30], ["results/", 30]]));
    for (const [, policy] of ofType(dev.template, "AWS::S3::BucketPolicy")) {
      for (const s of list<any>(policy.Properties.PolicyDocument.Statement)) {
        const principal = s.Principal === "*" || s.Principal?.AWS === "*";
        if (principal) expect(s, "a statement for everybody may only deny").toMatchObject({ Effect: "Deny" });
      }
    }
  });

  it("keeps the ledger table with time-to-live and point-in-time recovery", () => {
    const table = resources().RunwayTable!;
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: "expiresAt", Enabled: true });
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.KeySchema).toEqual([{ AttributeName: "pk", KeyType: "HASH" }]);
    expect(table.DeletionPolicy).toBe("Delete");
  });

  it("parks failed launches in the FIFO dead-letter queue after twelve receives, and alarms on any message there", () => {
    const queue = resources().JobQueue!.Properties;
    expect(queue).toMatchObject({ QueueName: "runway-dev-jobs.fifo", FifoQueue: true, RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": ["JobDeadLetterQueue", "Arn"] }, maxReceiveCount: 12 } });
    // AWS's advice for an SQS event source: a visibility timeout of six times the function's timeout.
    expect(queue.VisibilityTimeout).toBe(6 * fn("runner-launcher").Timeout);
    // The launcher may change a record's visibility (its per-message backoff).
    expect(statement("runner-launcher", "ConsumeJobQueue").Action).toContain("sqs:ChangeMessageVisibility");
    // The reconciler parks a job no build took, relaunched too often, and tells Slack.
    expect(statement("reconciler", "ParkAndNotify").Resource).toEqual([{ "Fn::GetAtt": ["JobDeadLetterQueue", "Arn"] }, { "Fn::GetAtt": ["NotifyQueue", "Arn"] }]);
    expect(resources().JobDeadLetterQueue!.Properties).toMatchObject({ QueueName: "runway-dev-jobs-dlq.fifo", FifoQueue: true });
    for (const [queueId, alarmId] of [["JobDeadLetterQueue", "JobDeadLetterAlarm"], ["NotifyDeadLetterQueue", "NotifyDeadLetterAlarm"]] as const) {
      expect(resources()[alarmId]!.Properties).toMatchObject({
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [queueId, "QueueName"] } }],
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        AlarmActions: [{ Ref: "AlarmTopic" }],
      });
    }
    expect(resources().NotifyQueue!.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(fn("slack-notifier").Timeout);
  });

  it("creates dev's runner project from runway.yml: the buildspec bundle, its concurrency, its logs", () => {
    const project = resources().RunnerDevProject!.Properties;
    expect(project).toMatchObject({ Name: "runway-runner-dev", ConcurrentBuildLimit: 20, Source: { Type: "S3", BuildSpec: "buildspecs/runner.yml" }, Artifacts: { Type: "NO_ARTIFACTS" } });
    expect(project.Source.Location["Fn::Sub"]).toMatch(/^\$\{ServerlessDeploymentBucket\}\/runway-runner\/dev\/[0-9a-f]{16}\.zip$/);
    expect(project.Environment.EnvironmentVariables).toEqual([
      { Name: "RUNWAY_ARTIFACTS_BUCKET", Type: "PLAINTEXT", Value: { Ref: "ArtifactsBucket" } },
      { Name: "RUNWAY_ENVIRONMENT", Type: "PLAINTEXT", Value: "dev" },
    ]);
    expect(project.Environment).toMatchObject({ Image: "aws/codebuild/standard:7.0", ImagePullCredentialsType: "CODEBUILD" });
    expect(ofType(dev.template, "AWS::CodeBuild::Project").map(([, p]) => p.Properties.Name)).toEqual(["runway-runner-dev"]);
    const bundle = dev.zip("runner-bundle.zip").map((e) => e.name);
    expect(bundle).toContain("buildspecs/runner.yml");
    expect(bundle).toContain("buildspecs/runner/conclude.sh");
  });

  it("puts no secret in the template: functions get parameter names", () => {
    const text = JSON.stringify(dev.template);
    for (const [, f] of ofType(dev.template, "AWS::Lambda::Function")) {
      for (const name of Object.keys(f.Properties.Environment.Variables)) {
        if (/SECRET|TOKEN|PRIVATE_KEY|WEBHOOK_URL/.test(name)) expect(name).toMatch(/_PARAMETER$/);
      }
    }
    expect(text).not.toMatch(/-----BEGIN|xox[bp]-|hooks\.slack\.com/);
  });
});

describe("triggers", () => {
  it("routes POST /github/webhook to the webhook, within GitHub's 10 s", () => {
    expect(resources().HttpApiRoutePostGithubWebhook!.Properties.RouteKey).toBe("POST /github/webhook");
    expect(fn("github-webhook").Timeout).toBe(10);
    expect(fn("github-webhook").Environment.Variables).toMatchObject({ GITHUB_WEBHOOK_SECRET_PARAMETER: "/runway/dev/github-webhook-secret", RUNWAY_JOB_QUEUE_URL: { Ref: "JobQueue" } });
  });

  it("feeds the launcher from the job queue and the notifier from the notify queue, ten at a time, with partial batch failures", () => {
    const mappings = Object.fromEntries(ofType(dev.template, "AWS::Lambda::EventSourceMapping").map(([, m]) => [m.Properties.EventSourceArn["Fn::GetAtt"][0], m.Properties]));
    expect(mappings.JobQueue).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ["ReportBatchItemFailures"], FunctionName: { "Fn::GetAtt": ["RunnerDashlauncherLambdaFunction", "Arn"] } });
    expect(mappings.NotifyQueue).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ["ReportBatchItemFailures"], FunctionName: { "Fn::GetAtt": ["SlackDashnotifierLambdaFunction", "Arn"] } });
    expect(fn("runner-launcher").Environment.Variables).toMatchObject({
      RUNWAY_TABLE: { Ref: "RunwayTable" },
      RUNWAY_JOB_DLQ_URL: { Ref: "JobDeadLetterQueue" },
      RUNWAY_ARTIFACTS_BUCKET: { Ref: "ArtifactsBucket" },
      RUNWAY_JIT_PREFIX: "/runway/dev/jit",
      GITHUB_APP_PRIVATE_KEY_PARAMETER: "/runway/dev/github-app-private-key",
      RUNWAY_NOTIFY_QUEUE_URL: { Ref: "NotifyQueue" },
    });
    expect(fn("slack-notifier").Environment.Variables.SLACK_BOT_TOKEN_PARAMETER).toBe("/runway/dev/slack-bot-token");
  });

  it("runs the reconciler every minute, each pass over before the next, a missed one not retried", () => {
    const [[, rule]] = ofType(dev.template, "AWS::Events::Rule").filter(([id]) => id.startsWith("Reconciler")) as [[string, any]];
    expect(rule.Properties.ScheduleExpression).toBe("rate(1 minute)");
    expect(fn("reconciler").Timeout).toBeLessThan(60);
    expect(resources().ReconcilerLambdaEvConf!.Properties).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
  });

  it("alarms when the launcher meets SSM's parameter limit (retried, so nothing else would say so)", () => {
    expect(resources().ParameterLimitMetricFilter!.Properties).toMatchObject({
      LogGroupName: { Ref: "RunnerDashlauncherLogGroup" },
      FilterPattern: '{ $.alarm = "ParameterLimitExceeded" }',
      MetricTransformations: [{ MetricNamespace: "Runway", MetricName: "ParameterLimitExceeded-dev", MetricValue: "1" }],
    });
    expect(resources().ParameterLimitAlarm!.Properties).toMatchObject({ Namespace: "Runway", MetricName: "ParameterLimitExceeded-dev", Threshold: 0, AlarmActions: [{ Ref: "AlarmTopic" }] });
    expect(resources().RunnerDashlauncherLogGroup).toBeDefined();
  });

  it("answers deployment protection rules from their own queue, parking what GitHub will not take, and alarms on it", () => {
    expect(statement("github-webhook", "EnqueueProtectionRequests").Resource).toEqual([{ "Fn::GetAtt": ["ProtectionQueue", "Arn"] }]);
    expect(fn("github-webhook").Environment.Variables.RUNWAY_PROTECTION_QUEUE_URL).toEqual({ Ref: "ProtectionQueue" });
    expect(statement("protection-rule", "ConsumeProtectionQueue").Action).toContain("sqs:ChangeMessageVisibility");
    expect(statement("protection-rule", "ParkAndNotify").Resource).toEqual([{ "Fn::GetAtt": ["ProtectionDeadLetterQueue", "Arn"] }, { "Fn::GetAtt": ["NotifyQueue", "Arn"] }]);
    expect(resources().ProtectionQueue!.Properties).toMatchObject({ FifoQueue: true, VisibilityTimeout: 6 * fn("protection-rule").Timeout, RedrivePolicy: { maxReceiveCount: 14 } });
    expect(resources().ProtectionDeadLetterAlarm!.Properties).toMatchObject({ Namespace: "AWS/SQS", AlarmActions: [{ Ref: "AlarmTopic" }] });
  });

  it("runs runner-release every hour, reading and writing only runner/ of the artifacts bucket, and the release it is pinned to", () => {
    const [[, rule]] = ofType(dev.template, "AWS::Events::Rule").filter(([id]) => id.startsWith("RunnerDashrelease")) as [[string, any]];
    expect(rule.Properties.ScheduleExpression).toBe("rate(1 hour)");
    expect(fn("runner-release").Environment.Variables).toMatchObject({ RUNWAY_ARTIFACTS_BUCKET: { Ref: "ArtifactsBucket" }, RUNWAY_RUNNER_RELEASE: "latest" });
    expect(statement("runner-release", "RunnerReleases")).toMatchObject({ Action: ["s3:GetObject", "s3:PutObject"], Resource: [{ "Fn::Sub": "${ArtifactsBucket.Arn}/runner/*" }] });
    expect(statementsOf("runner-release").map((s: any) => s.Sid)).toEqual(["WriteOwnLogs", "RunnerReleases", "ReadReleasesToken"]);
  });

  it("runs the redeliverer every minute, reading the App's key and writing only the ledger", () => {
    const [[, rule]] = ofType(dev.template, "AWS::Events::Rule").filter(([id]) => id.startsWith("Redeliverer")) as [[string, any]];
    expect(rule.Properties.ScheduleExpression).toBe("rate(1 minute)");
    expect(fn("redeliverer").Timeout).toBeLessThan(60);
    expect(statementsOf("redeliverer").map((s: any) => s.Sid).sort()).toEqual(expect.arrayContaining(["Ledger", "ReadGitHubAppKey"]));
    expect(statementsOf("redeliverer").flatMap((s: any) => [s.Action].flat())).not.toContain("sqs:SendMessage");
  });

  it("sends the runner projects' build state changes to build-events, and CodeDeploy and ECS deployments to deployment-events", () => {
    const patterns = ofType(dev.template, "AWS::Events::Rule")
      .filter(([, r]) => r.Properties.EventPattern)
      .map(([, r]) => [r.Properties.Targets[0].Arn["Fn::GetAtt"][0], r.Properties.EventPattern]);
    expect(Object.fromEntries(patterns)).toEqual({
      BuildDasheventsLambdaFunction: { source: ["aws.codebuild"], "detail-type": ["CodeBuild Build State Change"], detail: { "project-name": ["runway-runner-dev"] } },
      DeploymentDasheventsLambdaFunction: { source: ["aws.codedeploy", "aws.ecs"], "detail-type": ["CodeDeploy Deployment State-change Notification", "ECS Deployment State Change"] },
    });
  });

  it("deploys a hook validator per lifecycle hook, named for CodeDeploy's managed policies, retried twice, 15 minutes each", () => {
    for (const hook of HOOKS) {
      const f = fn(`hook-${hook}`);
      expect(f).toMatchObject({ FunctionName: `CodeDeployHook_runway-dev-${hook}`, Timeout: 900, Handler: ".build/codedeploy-hook/index.handler" });
      expect(f.Environment.Variables.RUNWAY_HOOK).toBe(hook);
      const config = ofType(dev.template, "AWS::Lambda::EventInvokeConfig").find(([id]) => id === `HookDash${hook}LambdaEvConf`);
      expect(config?.[1].Properties.MaximumRetryAttempts).toBe(2);
    }
  });
});

describe("the ECS lifecycle hook", () => {
  const ecsArn = (resource: string) => ({ "Fn::Sub": `arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:${resource}` });

  it("deploys one function, invoked by ECS through a role ECS assumes, with its ARN, that role and a policy as outputs", () => {
    expect(fn("ecs-hook")).toMatchObject({ Handler: ".build/ecs-hook/index.handler", Timeout: 60 });
    expect(fn("ecs-hook").Environment.Variables.RUNWAY_NOTIFY_QUEUE_URL).toEqual({ Ref: "NotifyQueue" });
    const invoke = { Sid: "InvokeEcsLifecycleHook", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [{ "Fn::GetAtt": ["EcsDashhookLambdaFunction", "Arn"] }] };
    expect(resources().EcsHookInvokePolicy).toMatchObject({ Type: "AWS::IAM::ManagedPolicy", Properties: { PolicyDocument: { Statement: [invoke] } } });
    expect(resources().EcsHookInvokeRole).toMatchObject({
      Type: "AWS::IAM::Role",
      Properties: {
        AssumeRolePolicyDocument: { Statement: [{ Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" }] },
        ManagedPolicyArns: [{ Ref: "EcsHookInvokePolicy" }],
      },
    });
    expect(resources().EcsHookInvokeRole!.Properties.Policies).toBeUndefined();
    expect(dev.template.Outputs).toMatchObject({
      EcsHookFunctionArn: { Value: { "Fn::GetAtt": ["EcsDashhookLambdaFunction", "Arn"] } },
      EcsHookInvokeRoleArn: { Value: { "Fn::GetAtt": ["EcsHookInvokeRole", "Arn"] } },
      EcsHookInvokePolicyArn: { Value: { Ref: "EcsHookInvokePolicy" } },
    });
  });

  it("lets the hook read ECS's deployment records and the green revision's tasks, and tell the notify queue, nothing more", () => {
    // runway.yml names no deploy.ecs clusters: params.hookEcsClusters ("*").
    expect(statement("ecs-hook", "ReadServiceDeployments")).toMatchObject({
      Action: ["ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions"],
      Resource: [ecsArn("service/*/*"), ecsArn("service-deployment/*/*/*"), ecsArn("service-revision/*/*/*")],
    });
    expect(statement("ecs-hook", "ReadTasks")).toMatchObject({ Action: ["ecs:DescribeTasks"], Resource: [ecsArn("task/*/*")] });
    expect(statement("ecs-hook", "ListTasks")).toMatchObject({ Action: ["ecs:ListTasks"], Resource: "*", Condition: { ArnLike: { "ecs:cluster": [ecsArn("cluster/*")] } } });
    expect(statement("ecs-hook", "Notify")).toMatchObject({ Action: ["sqs:SendMessage"], Resource: [{ "Fn::GetAtt": ["NotifyQueue", "Arn"] }] });
    const actions = statementsOf("ecs-hook").flatMap((s: any) => list<string>(s.Action));
    expect(actions.filter((a: string) => !isReadOnly(a) && !a.startsWith("logs:"))).toEqual(["sqs:SendMessage"]);
    expect(actions).not.toContain("codedeploy:PutLifecycleEventHookExecutionStatus");
  });
});

describe("the working tree", () => {
  // Fails, naming the file, until every function serverless.yml deploys has its source.
  it("has a source for every function serverless.yml deploys", () => {
    expect(stubbed.map((bundle) => `functions/${bundle}.ts`)).toEqual([]);
  });
});
