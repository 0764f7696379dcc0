/**
 * One IAM role per Lambda function, each allowed only what its code calls, on only what it calls
 * it on (serverless.yml: `role: <Name>Role` on each function; `${file(./lib/build/serverless-iam.cjs):resources}`).
 *
 * osls has no per-function roles of its own; declaring them here, as data, keeps every statement
 * in one reviewable place, lets the five hook roles share one generated policy document, and lets
 * the launcher's and reconciler's roles name exactly the runner projects and cross-account roles
 * of the environments this stage serves (runway.yml).
 *
 * `Resource: "*"` appears only where AWS offers no resource-level permission for the action; each
 * such statement's Sid is a key of STAR_REASONS, which the package test holds every role to.
 * Secrets are SecureStrings with the aws/ssm key: its key policy lets any principal of the account
 * decrypt through SSM, so no statement grants kms:Decrypt.
 */
"use strict";

const { readFileSync } = require("node:fs");
const { parse } = require("yaml");
const { arn, contextFromVariables, param } = require("./serverless-context.cjs");
const { hookVpcStatements } = require("./serverless-environments.cjs");

/** The CodeDeploy lifecycle hooks, one validator function each (`hook-<Hook>` in serverless.yml). */
const HOOKS = ["BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"];
/** Roles that other accounts' runner roles trust, so their names are fixed (serverless-runner-account.cjs). */
const CROSS_ACCOUNT = new Set(["runner-launcher", "reconciler"]);

/**
 * Why a statement grants a write on `*`: the only acceptable reason is that AWS requires it. Keyed
 * by Sid; the package test fails on any other write granted on `*`.
 */
const STAR_REASONS = {
  ReportLifecycleStatus:
    "codedeploy:PutLifecycleEventHookExecutionStatus has no resource types in the Service Authorization Reference: it can only be granted on *",
  LambdaVpcNetworkInterfaces:
    "a hook function in deploy.vpc: Lambda creates and deletes its network interfaces with the function's role, on *, as AWS's managed policy AWSLambdaVPCAccessExecutionRole grants",
  RunnerVpcNetworkInterfaces:
    "a runner project in codebuild.vpc: CodeBuild creates and deletes the build's network interface with the service role, on *, as CodeBuild's VPC documentation grants (attaching it is narrowed to the subnets)",
};

const table = { "Fn::GetAtt": ["RunwayTable", "Arn"] };
const queue = (id) => ({ "Fn::GetAtt": [id, "Arn"] });
const inBucket = (prefix) => ({ "Fn::Sub": `\${ArtifactsBucket.Arn}/${prefix}` });
const parameter = (name) => arn("ssm", `parameter${name}`);
const allow = (Sid, Action, Resource, Condition) => ({ Sid, Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) });

/** The Lambda log group osls creates for a function (`<NormalizedName>LogGroup`): its own, nothing else. */
function ownLogs(functionKey) {
  const logicalId = `${functionKey.replace(/-/g, "Dash").replace(/_/g, "Underscore").replace(/^./, (c) => c.toUpperCase())}LogGroup`;
  return allow("WriteOwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [{ "Fn::GetAtt": [logicalId, "Arn"] }]);
}

/** Runner projects in this account (any region): the ones Runway reaches without assuming a role. */
const ownProjects = (ctx) => ctx.environments.filter((e) => !e.roleArn).map((e) => arn("codebuild", `project/${e.project}`, { region: e.region }));
// The whole prefix, not one path per environment: these roles write and delete every served
// environment's JIT configs anyway, and JIT configs stored before the per-environment layout stay deletable.
const ownJitPaths = (ctx) =>
  [...new Set(ctx.environments.filter((e) => !e.roleArn).map((e) => e.region))].map((region) => arn("ssm", `parameter${ctx.secrets.jitPrefix}/*`, { region }));
/** Roles in other accounts that start and watch those accounts' runner builds. */
const runnerAccountRoles = (ctx) => [...new Set(ctx.environments.filter((e) => e.roleArn).map((e) => e.roleArn))];

/**
 * The webhook App's key and, for the roles that register and remove runners, the stage's extra
 * GitHub Apps: their list and each one's key under it (lib/github/apps.ts). A wildcard under the
 * list's own path, so that an App added in SSM needs no deploy.
 */
const githubAppKeys = (ctx) => [parameter(ctx.secrets.githubAppKey), parameter(ctx.secrets.githubApps), parameter(ctx.secrets.githubAppsKeys)];

/** Statements present only when their resource list is not empty (IAM rejects an empty Resource). */
const when = (resources, statement) => (resources.length > 0 ? [statement(resources)] : []);

function webhook(ctx) {
  return [
    allow("EnqueueJobs", ["sqs:SendMessage"], [queue("JobQueue")]),
    allow("EnqueueProtectionRequests", ["sqs:SendMessage"], [queue("ProtectionQueue")]),
    allow("ReadWebhookSecret", ["ssm:GetParameter"], [parameter(ctx.secrets.webhookSecret)]),
  ];
}

function launcher(ctx) {
  return [
    // What Lambda's SQS event source mapping does with the function's role; ChangeMessageVisibility
    // brings a record to retry back in seconds (lib/runners/visibility.ts), not after the queue's timeout.
    allow("ConsumeJobQueue", ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"], [queue("JobQueue")]),
    allow("ParkAndNotify", ["sqs:SendMessage"], [queue("JobDeadLetterQueue"), queue("NotifyQueue")]),
    // A job whose runner a foreign job took is launched again (lib/runners/foreign-job.ts).
    allow("RequeueLaunches", ["sqs:SendMessage"], [queue("JobQueue")]),
    allow("Ledger", ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], [table]),
    // StopBuild: a runner that took a foreign job has its build stopped at once (lib/runners/foreign-job.ts).
    ...when(ownProjects(ctx), (r) => allow("StartRunnerBuilds", ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:ListBuildsForProject", "codebuild:StopBuild"], r)),
    ...when(ownJitPaths(ctx), (r) => allow("StoreJitConfigs", ["ssm:PutParameter", "ssm:DeleteParameter"], r)),
    allow("ReadGitHubAppKey", ["ssm:GetParameter"], githubAppKeys(ctx)),
    // markers/<environment>/<runner>.json (lib/artifacts/marker.ts), for every environment served.
    allow("WriteMarkers", ["s3:PutObject"], [inBucket("markers/*")]),
    // A failed job's log excerpt (lib/runners/job-lifecycle.ts), and the link to it: a presigned
    // URL opens with its signer's rights, so the launcher must be able to read what it links.
    allow("KeepLogExcerpts", ["s3:PutObject", "s3:GetObject"], [inBucket("builds/*/log-excerpt.txt")]),
    ...when(runnerAccountRoles(ctx), (r) => allow("AssumeRunnerAccountRoles", ["sts:AssumeRole"], r)),
  ];
}

function reconciler(ctx) {
  return [
    // Scan only for the attention index's sweep (lib/runners/attention-index.ts); a pass reads the index, then each item it lists.
    allow("Ledger", ["dynamodb:Scan", "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:UpdateItem"], [table]),
    allow("ReadAttentionIndex", ["dynamodb:Query"], [{ "Fn::Sub": "${RunwayTable.Arn}/index/attention" }]),
    ...when(ownProjects(ctx), (r) => allow("WatchRunnerBuilds", ["codebuild:BatchGetBuilds", "codebuild:StopBuild"], r)),
    ...when(ownJitPaths(ctx), (r) => allow("DeleteJitConfigs", ["ssm:DeleteParameter"], r)),
    allow("ReadGitHubAppKey", ["ssm:GetParameter"], githubAppKeys(ctx)),
    allow("RequeueLaunches", ["sqs:SendMessage"], [queue("JobQueue")]),
    // A job no build took, relaunched too often, is parked with its reason and Slack is told.
    allow("ParkAndNotify", ["sqs:SendMessage"], [queue("JobDeadLetterQueue"), queue("NotifyQueue")]),
    ...when(runnerAccountRoles(ctx), (r) => allow("AssumeRunnerAccountRoles", ["sts:AssumeRole"], r)),
  ];
}

/** GitHub is reached with the App's key; the ledger keeps the watermark and what was redelivered. */
function redeliverer(ctx) {
  return [
    allow("Ledger", ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], [table]),
    allow("ReadGitHubAppKey", ["ssm:GetParameter"], [parameter(ctx.secrets.githubAppKey)]),
  ];
}

/** Deployment protection rules: the queue, GitHub through the App, the alarms its rules name. */
function protectionRule(ctx) {
  return [
    allow("ConsumeProtectionQueue", ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"], [queue("ProtectionQueue")]),
    allow("ParkAndNotify", ["sqs:SendMessage"], [queue("ProtectionDeadLetterQueue"), queue("NotifyQueue")]),
    allow("ReadGitHubAppKey", ["ssm:GetParameter"], [parameter(ctx.secrets.githubAppKey)]),
    ...when(ctx.protection.alarms.map((name) => arn("cloudwatch", `alarm:${name}`)), (r) => allow("ReadAlarms", ["cloudwatch:DescribeAlarms"], r)),
  ];
}

/**
 * The runner-release function (lib/runners/release): actions/runner's archives and the record of
 * them under runner/, and the optional token it asks GitHub's API with.
 */
function runnerRelease(ctx) {
  return [
    allow("RunnerReleases", ["s3:GetObject", "s3:PutObject"], [inBucket("runner/*")]),
    allow("ReadReleasesToken", ["ssm:GetParameter"], [parameter(ctx.secrets.runnerReleasesToken)]),
  ];
}

function buildEvents(ctx) {
  const prefixes = ["builds/*", "markers/*", "results/*"];
  return [
    allow("ListArtifacts", ["s3:ListBucket"], [{ "Fn::GetAtt": ["ArtifactsBucket", "Arn"] }], { StringLike: { "s3:prefix": prefixes } }),
    allow("ReadArtifacts", ["s3:GetObject"], prefixes.map(inBucket)),
    ...when(ownProjects(ctx), (r) => allow("ReadRunnerBuilds", ["codebuild:BatchGetBuilds"], r)),
    allow("Ledger", ["dynamodb:GetItem", "dynamodb:UpdateItem"], [table]),
    allow("Notify", ["sqs:SendMessage"], [queue("NotifyQueue")]),
  ];
}

function slackNotifier(ctx) {
  const credential = ctx.notifyMode === "webhook" ? ctx.secrets.slackWebhookUrl : ctx.secrets.slackBotToken;
  return [
    // The event source mapping's calls, and ChangeMessageVisibility to honour Slack's Retry-After.
    allow("ConsumeNotifyQueue", ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"], [queue("NotifyQueue")]),
    allow("Threads", ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], [table]),
    allow("ReadSlackCredential", ["ssm:GetParameter"], [parameter(credential)]),
  ];
}

/** Deployment groups the validators read: those runway.yml's `deploy:` configures, else every one. */
function deploymentGroups(ctx) {
  const groups = ctx.deploy.deploymentGroups;
  return (groups.length > 0 ? groups : ["*"]).map((g) => arn("codedeploy", `deploymentgroup:${g}`));
}

function deploymentEvents(ctx) {
  return [allow("ReadDeployments", ["codedeploy:GetDeployment"], deploymentGroups(ctx)), allow("Notify", ["sqs:SendMessage"], [queue("NotifyQueue")])];
}

/** Smoke-test functions the hooks' lambda checks invoke (a name, `name:qualifier` or an ARN). */
function invokable(names) {
  return names.flatMap((name) =>
    name.startsWith("arn:") ? [name, `${name}:*`] : name.includes(":") ? [arn("lambda", `function:${name}`)] : [arn("lambda", `function:${name}`), arn("lambda", `function:${name}:*`)],
  );
}

/** One policy document for the five hook validators (each still gets a role of its own). */
function hook(ctx, settings) {
  const clusters = settings.ecsClusters;
  return [
    allow("ReadDeployments", ["codedeploy:GetDeployment", "codedeploy:GetDeploymentGroup"], deploymentGroups(ctx)),
    // Read-only, and without resource types in the Service Authorization Reference: * is required.
    allow("ReadDeploymentTargets", ["codedeploy:GetDeploymentTarget", "codedeploy:ListDeploymentTargets"], "*"),
    allow("ReportLifecycleStatus", ["codedeploy:PutLifecycleEventHookExecutionStatus"], "*"),
    allow("ReadTaskSets", ["ecs:DescribeTaskSets"], clusters.map((c) => arn("ecs", `task-set/${c}/*/*`))),
    allow("ReadTasks", ["ecs:DescribeTasks"], clusters.map((c) => arn("ecs", `task/${c}/*`))),
    // ListTasks is authorised on the container instance, not the cluster: narrowed by ecs:cluster instead.
    allow("ListTasks", ["ecs:ListTasks"], "*", { ArnLike: { "ecs:cluster": clusters.map((c) => arn("ecs", `cluster/${c}`)) } }),
    // Read-only; DescribeTaskDefinition has no resource-level permission.
    allow("ReadTaskDefinitions", ["ecs:DescribeTaskDefinition"], "*"),
    // Read-only; the ELB Describe* calls have no resource-level permission.
    allow("ReadTargetHealth", ["elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"], "*"),
    ...when(ctx.deploy.alarms.map((name) => arn("cloudwatch", `alarm:${name}`)), (r) => allow("ReadAlarms", ["cloudwatch:DescribeAlarms"], r)),
    ...when(invokable([...ctx.deploy.functions, ...settings.invokeFunctions]), (r) => allow("InvokeSmokeTests", ["lambda:InvokeFunction"], r)),
    // cloudwatch checks (lib/deploy/checks/cloudwatch.ts); GetMetricData has no resource-level permission.
    ...(ctx.deploy.metrics ? [allow("ReadMetrics", ["cloudwatch:GetMetricData"], "*")] : []),
    allow("Notify", ["sqs:SendMessage"], [queue("NotifyQueue")]),
    // runway.yml deploy.vpc: the function runs in the VPC (serverless.yml vpc:), and Lambda manages its interfaces.
    ...hookVpcStatements(ctx),
  ];
}

/**
 * What the ECS lifecycle hook's checks touch, from runway.yml's `deploy.ecs` section: the clusters
 * it names (every cluster of `hookEcsClusters` when one is "*"), the alarms of its alarms checks,
 * the functions of its lambda checks, and whether any check reads CloudWatch metrics.
 */
function ecsHookAccess(ctx, settings) {
  const ecs = parse(readFileSync(ctx.configFile, "utf8"))?.deploy?.ecs ?? {};
  const named = Object.keys(ecs.clusters ?? {});
  const clusters = named.length > 0 && !named.includes("*") ? named : settings.ecsClusters;
  const alarms = new Set();
  const functions = new Set();
  let metrics = false;
  for (const cluster of Object.values(ecs.clusters ?? {})) {
    for (const service of Object.values(cluster?.services ?? {})) {
      for (const stage of Object.values(service?.stages ?? {})) {
        for (const check of stage?.checks ?? []) {
          if (check.type === "alarms") for (const name of check.names ?? []) alarms.add(name);
          if (check.type === "lambda" && check.functionName && !check.functionName.includes("{")) functions.add(check.functionName);
          if (check.type === "cloudwatch") metrics = true;
        }
      }
    }
  }
  return { clusters, alarms: [...alarms].sort(), functions: [...functions].sort(), metrics };
}

/**
 * The ECS lifecycle hook: ECS's records of the deployment (the service deployment and its
 * revisions are authorised on the service too), the green revision's tasks, and what its checks read.
 */
function ecsHook(ctx, settings) {
  const access = ecsHookAccess(ctx, settings);
  const inClusters = (resource) => access.clusters.map((c) => arn("ecs", resource(c)));
  return [
    allow(
      "ReadServiceDeployments",
      ["ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions"],
      [...inClusters((c) => `service/${c}/*`), ...inClusters((c) => `service-deployment/${c}/*/*`), ...inClusters((c) => `service-revision/${c}/*/*`)],
    ),
    allow("ReadTasks", ["ecs:DescribeTasks"], inClusters((c) => `task/${c}/*`)),
    // ListTasks is authorised on the container instance, not the cluster: narrowed by ecs:cluster instead.
    allow("ListTasks", ["ecs:ListTasks"], "*", { ArnLike: { "ecs:cluster": inClusters((c) => `cluster/${c}`) } }),
    // Read-only; the ELB Describe* calls have no resource-level permission.
    allow("ReadTargetHealth", ["elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"], "*"),
    ...when(access.alarms.map((name) => arn("cloudwatch", `alarm:${name}`)), (r) => allow("ReadAlarms", ["cloudwatch:DescribeAlarms"], r)),
    // Read-only, and without resource types in the Service Authorization Reference: * is required.
    ...(access.metrics ? [allow("ReadMetrics", ["cloudwatch:GetMetricData"], "*")] : []),
    ...when(invokable([...access.functions, ...settings.invokeFunctions]), (r) => allow("InvokeSmokeTests", ["lambda:InvokeFunction"], r)),
    allow("Notify", ["sqs:SendMessage"], [queue("NotifyQueue")]),
    ...hookVpcStatements(ctx),
  ];
}

/**
 * What ECS needs to invoke the hook: a service's lifecycle hook names a role (`roleArn`) that ECS
 * assumes to call `lambda:InvokeFunction` on it. EcsHookInvokeRole is such a role, trusted by ECS
 * as AWS documents; EcsHookInvokePolicy grants the same to a service's own infrastructure role.
 */
function ecsHookInvokeResources(ctx) {
  const hook = { "Fn::GetAtt": ["EcsDashhookLambdaFunction", "Arn"] };
  return {
    EcsHookInvokePolicy: {
      Type: "AWS::IAM::ManagedPolicy",
      Properties: {
        Description: `Runway ${ctx.stage}: lets ECS invoke the ECS lifecycle hook (attach to a service's infrastructure role)`,
        PolicyDocument: { Version: "2012-10-17", Statement: [allow("InvokeEcsLifecycleHook", ["lambda:InvokeFunction"], [hook])] },
      },
    },
    EcsHookInvokeRole: {
      Type: "AWS::IAM::Role",
      Properties: {
        Description: `Runway ${ctx.stage}: the roleArn of ECS lifecycle hooks that invoke Runway's hook`,
        AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" }] },
        ManagedPolicyArns: [{ Ref: "EcsHookInvokePolicy" }],
      },
    },
  };
}

const POLICIES = {
  "github-webhook": webhook,
  "runner-launcher": launcher,
  reconciler,
  redeliverer,
  "protection-rule": protectionRule,
  "build-events": buildEvents,
  "runner-release": runnerRelease,
  "slack-notifier": slackNotifier,
  "deployment-events": deploymentEvents,
  ...Object.fromEntries(HOOKS.map((h) => [`hook-${h}`, hook])),
  "ecs-hook": ecsHook,
};

/** Fixed name of a role other accounts trust. */
const crossAccountRoleName = (stage, region, key) => `runway-${stage}-${region}-${key}`;

/** The role of one function: trusted by Lambda only, with its logs and its own statements. */
function functionRole(ctx, key, statements) {
  return {
    Type: "AWS::IAM::Role",
    Properties: {
      ...(CROSS_ACCOUNT.has(key) ? { RoleName: crossAccountRoleName(ctx.stage, ctx.region, key) } : {}),
      Description: `Runway ${ctx.stage}: ${key}`,
      AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] },
      Policies: [{ PolicyName: `runway-${key}`, PolicyDocument: { Version: "2012-10-17", Statement: [ownLogs(key), ...statements] } }],
    },
  };
}

async function hookSettings(variables, ctx) {
  const settings = { ecsClusters: await param(variables, "hookEcsClusters", ["*"]), invokeFunctions: await param(variables, "hookInvokeFunctions", []) };
  if (ctx.deploy.invokesDeployedFunction && settings.invokeFunctions.length === 0) {
    console.warn(
      "Runway: a lambda check in runway.yml's deploy: section invokes the deployment's own function (no functionName, or a {placeholder}); list the functions the hooks may invoke in params.hookInvokeFunctions, or it will be denied",
    );
  }
  return settings;
}

module.exports = {
  STAR_REASONS,
  HOOKS,
  crossAccountRoleName,
  /** A role for each function of serverless.yml, under the name its `role:` gives. */
  async resources(variables) {
    const ctx = await contextFromVariables(variables);
    const settings = await hookSettings(variables, ctx);
    const functions = (await variables.resolveConfigurationProperty(["functions"])) ?? {};
    const Resources = {};
    for (const [key, fn] of Object.entries(functions)) {
      const policy = POLICIES[key];
      if (!policy) throw new Error(`lib/build/serverless-iam.cjs has no policy for function ${key}: add what it calls to POLICIES`);
      if (typeof fn.role !== "string") throw new Error(`function ${key} needs role: <Name>Role in serverless.yml: every function has a role of its own`);
      if (Resources[fn.role]) throw new Error(`functions share the role ${fn.role}: give ${key} a role of its own`);
      Resources[fn.role] = functionRole(ctx, key, policy(ctx, settings));
    }
    if (functions["ecs-hook"]) Object.assign(Resources, ecsHookInvokeResources(ctx));
    return { Resources };
  },
};
