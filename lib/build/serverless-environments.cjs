/**
 * The CloudFormation for the environments the packaged stage serves (runway.yml `stages:`), for
 * serverless.yml's `${file(./lib/build/serverless-environments.cjs):…}` variables:
 *
 * - `resources`: for each served environment in this stack's account and region, its CodeBuild
 *   runner project (buildspecs/README.md: S3 bundle source, `buildspecs/runner.yml`, concurrent
 *   build limit = `concurrency`, the environment's image) with a log group and a service role that
 *   reaches that environment's JIT configs, markers and build records only
 *   (serverless-runner-role.cjs) and carries that environment's `runnerPolicyArns`; the artifacts
 *   bucket's policy, which lets each environment's runner role in another account at its own
 *   markers and records; and the default event bus's permission for those accounts to forward
 *   their builds' state changes, and nothing else.
 * - `runnerProjectNames`: every served environment's project, for the build-events rule.
 * - `hookVpc`: the hook functions' VPC (runway.yml `deploy.vpc`), or none.
 *
 * A runner project runs in ARM_CONTAINER when its image is built for arm64, and joins the
 * environment's `codebuild.vpc` when it has one (`runnerBuild`, used by both templates).
 *
 * An environment with `codebuild.roleArn` (another account), or in another region, gets no project
 * here: serverless-runner-account.cjs writes the template to create it there.
 */
"use strict";

const { readFileSync } = require("node:fs");
const { parse } = require("yaml");
const { arn, contextFromVariables, param, RunwayConfigForStageError } = require("./serverless-context.cjs");
const { buildRunnerBundle, runnerBundleKey } = require("./serverless-runner-bundle.cjs");
const { BUILD_EVENTS, imageOf, runnerArtifactStatements, runnerRoleName } = require("./serverless-runner-role.cjs");
const { pascal, runnerProjectResources } = require("./serverless-runner-project.cjs");


const bucketArn = { "Fn::GetAtt": ["ArtifactsBucket", "Arn"] };
const inBucket = (prefix) => ({ "Fn::Sub": `\${ArtifactsBucket.Arn}/${prefix}` });

/**
 * What runway.yml says of networks and architectures that the stage's context does not carry:
 * each environment's `codebuild.vpc` and `codebuild.architecture`, and `deploy.vpc`. Read once per
 * context, from the same (already validated) file.
 */
const networks = new WeakMap();
function networkSettings(ctx) {
  if (!networks.has(ctx)) {
    const config = parse(readFileSync(ctx.configFile, "utf8")) ?? {};
    const environments = config.environments ?? {};
    const runners = new Map(Object.entries(environments).map(([name, env]) => [name, { vpc: env?.codebuild?.vpc, architecture: env?.codebuild?.architecture }]));
    networks.set(ctx, { runners, hooks: config.deploy?.vpc });
  }
  return networks.get(ctx);
}

/**
 * The project's environment type: CodeBuild refuses an aarch64 image in LINUX_CONTAINER, and an
 * x86 one in ARM_CONTAINER. The image's architecture is runway.yml's `codebuild.architecture`, else
 * what a curated image's name says (the rule of lib/runners/runner-labels.ts
 * `curatedImageArchitecture` in lib/config/codebuild-images.ts), else x86_64.
 */
function environmentTypeOf(image, architecture) {
  const curated = image.startsWith("aws/codebuild/") && !image.startsWith("aws/codebuild/windows") ? (image.includes("aarch64") ? "arm64" : "x86_64") : undefined;
  return (architecture ?? curated) === "arm64" ? "ARM_CONTAINER" : "LINUX_CONTAINER";
}

/**
 * What CodeBuild documents its service role needs for a project in a VPC ("Allow CodeBuild access
 * to AWS services required to create a VPC network interface"): managing the build's network
 * interface, and letting CodeBuild attach it, in those subnets only. The build's own code holds
 * this role too; it can describe the account's network and create and delete interfaces, nothing
 * that reaches another environment's data.
 */
function runnerVpcStatements(vpc) {
  return [
    {
      Sid: "RunnerVpcNetworkInterfaces",
      Effect: "Allow",
      Action: [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeVpcs",
      ],
      Resource: "*",
    },
    {
      Sid: "RunnerVpcInterfacePermission",
      Effect: "Allow",
      Action: ["ec2:CreateNetworkInterfacePermission"],
      Resource: [arn("ec2", "network-interface/*")],
      Condition: {
        StringEquals: { "ec2:Subnet": vpc.subnetIds.map((id) => arn("ec2", `subnet/${id}`)), "ec2:AuthorizedService": "codebuild.amazonaws.com" },
      },
    },
  ];
}

/**
 * What an environment's runner project runs on, for both templates that create one (this stack's
 * and serverless-runner-account.cjs): its environment type, its `VpcConfig` and the role's network
 * rights, the last two only for an environment with `codebuild.vpc`.
 *
 * @example
 * const build = runnerBuild(ctx, env, "aws/codebuild/amazonlinux-aarch64-standard:3.0");
 * build.type; // "ARM_CONTAINER"
 */
function runnerBuild(ctx, env, image) {
  const { vpc, architecture } = networkSettings(ctx).runners.get(env.name) ?? {};
  return {
    type: environmentTypeOf(image, architecture),
    vpcConfig: vpc ? { VpcConfig: { VpcId: vpc.vpcId, Subnets: vpc.subnetIds, SecurityGroupIds: vpc.securityGroupIds } } : {},
    statements: vpc ? runnerVpcStatements(vpc) : [],
  };
}

/**
 * The ENI rights of AWS's managed policy AWSLambdaVPCAccessExecutionRole (without its logs
 * rights, which each role has for its own log group), for the hook functions' roles when
 * runway.yml has `deploy.vpc`: Lambda manages a VPC function's network interfaces with it.
 */
function hookVpcStatements(ctx) {
  if (!networkSettings(ctx).hooks) return [];
  const actions = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"];
  return [{ Sid: "LambdaVpcNetworkInterfaces", Effect: "Allow", Action: actions, Resource: "*" }];
}

/** One served environment's runner project, its log group and its service role (serverless-runner-project.cjs). */
function runnerProject(ctx, env, settings) {
  const image = imageOf(env, settings.image);
  return runnerProjectResources(ctx, env, {
    image,
    build: runnerBuild(ctx, env, image),
    bundle: {
      location: { "Fn::Sub": `\${ServerlessDeploymentBucket}/${settings.bundleKey}` },
      readResource: { "Fn::Sub": `arn:\${AWS::Partition}:s3:::\${ServerlessDeploymentBucket}/runway-runner/${ctx.stage}/*` },
    },
    artifacts: { object: inBucket, bucket: bucketArn },
    computeType: settings.computeType,
    timeoutMinutes: settings.timeoutMinutes,
    logRetentionDays: settings.logRetentionDays,
  });
}

/** Other accounts that run a served environment's builds: those of `codebuild.roleArn`. */
const remoteAccounts = (ctx) => [...new Set(ctx.remoteEnvironments.filter((e) => e.account).map((e) => e.account))].sort();

/**
 * The artifacts bucket's policy: HTTPS only, and, for each environment whose builds run in another
 * account, its runner role (`runway-<stage>-runner-<env>`, created by the runner-account template)
 * gets what that environment's runner build needs and nothing of another environment's. Named
 * principals only: nothing here is public.
 */
function artifactsBucketPolicy(ctx) {
  const statements = [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [bucketArn, inBucket("*")],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  ];
  for (const env of ctx.remoteEnvironments.filter((e) => e.account)) {
    for (const statement of runnerArtifactStatements(env, { object: inBucket, bucket: bucketArn })) {
      statements.push({
        ...statement,
        Sid: `${statement.Sid}${pascal(env.name)}From${env.account}`,
        Principal: { AWS: { "Fn::Sub": `arn:\${AWS::Partition}:iam::${env.account}:root` } },
        // The account's principal plus the role's ARN as a condition: valid before that role exists.
        Condition: { ArnEquals: { "aws:PrincipalArn": { "Fn::Sub": `arn:\${AWS::Partition}:iam::${env.account}:role/${runnerRoleName(ctx.stage, env.name)}` } } },
      });
    }
  }
  return { Type: "AWS::S3::BucketPolicy", Properties: { Bucket: { Ref: "ArtifactsBucket" }, PolicyDocument: { Version: "2012-10-17", Statement: statements } } };
}

/**
 * The default bus accepts from each other account what its forwarding rule sends and nothing else:
 * CodeBuild's build state changes (a caller cannot publish an `aws.` source itself, so these come
 * from that account's rules). Without the condition the grant would let anyone in that account put
 * any event on this account's default bus, where other applications' rules listen too.
 */
function eventBusPolicies(ctx) {
  const policies = {};
  for (const account of remoteAccounts(ctx)) {
    policies[`RunnerEventsFrom${account}`] = {
      Type: "AWS::Events::EventBusPolicy",
      Properties: {
        StatementId: `runway-${ctx.stage}-builds-from-${account}`,
        Statement: {
          Effect: "Allow",
          Principal: { AWS: { "Fn::Sub": `arn:\${AWS::Partition}:iam::${account}:root` } },
          Action: "events:PutEvents",
          Resource: arn("events", "event-bus/default"),
          // The form of EventBridge's own example for a cross-account source and detail type.
          Condition: {
            "ForAllValues:StringEquals": { "events:source": [BUILD_EVENTS.source] },
            StringEquals: { "events:detail-type": BUILD_EVENTS.detailType },
          },
        },
      },
    };
  }
  return policies;
}

/** Settings of the runner projects, from the stage's params. */
async function runnerSettings(ctx, variables) {
  const { sha256 } = await buildRunnerBundle(ctx.root);
  return {
    bundleKey: runnerBundleKey(ctx.stage, sha256),
    image: await param(variables, "runnerImage", "aws/codebuild/standard:7.0"),
    computeType: await param(variables, "runnerComputeType", "BUILD_GENERAL1_SMALL"),
    timeoutMinutes: Number(await param(variables, "runnerTimeoutMinutes", 120)),
    logRetentionDays: Number(await param(variables, "logRetentionDays", 30)),
  };
}

/** Deploy policies moved from the stage to each environment: refuse the old param rather than drop it. */
async function refuseStagePolicies(variables) {
  if ((await param(variables, "runnerPolicyArns", null)) === null) return;
  throw new RunwayConfigForStageError(
    "params.runnerPolicyArns is no longer read: deploy policies are per environment now, so one environment's runner cannot deploy with another's rights. Move each ARN to runway.yml under environments.<name>.runnerPolicyArns and remove the param",
  );
}

module.exports = {
  async resources(variables) {
    const ctx = await contextFromVariables(variables);
    await refuseStagePolicies(variables);
    const settings = await runnerSettings(ctx, variables);
    const Resources = { ArtifactsBucketPolicy: artifactsBucketPolicy(ctx), ...eventBusPolicies(ctx) };
    for (const env of ctx.localEnvironments) Object.assign(Resources, runnerProject(ctx, env, settings));
    return { Resources };
  },
  async runnerProjectNames(variables) {
    const ctx = await contextFromVariables(variables);
    return [...new Set(ctx.environments.map((e) => e.project))];
  },
  /**
   * The hook functions' `vpc:` (serverless.yml's hookValidator and ecs-hook): runway.yml's
   * `deploy.vpc`, else false, which osls reads as "no VPC".
   */
  async hookVpc(variables) {
    const vpc = networkSettings(await contextFromVariables(variables)).hooks;
    return vpc ? { subnetIds: vpc.subnetIds, securityGroupIds: vpc.securityGroupIds } : false;
  },
  runnerBuild,
  hookVpcStatements,
  remoteAccounts,
};
