/**
 * The CloudFormation template for an account (or region) that runs builds of environments this
 * stage serves but cannot create itself (`codebuild.roleArn` into another account, or another
 * `codebuild.region`). One template per account and region, written by the plugin into the package
 * directory as `runner-account-<account>-<region>.json`, holding for each of its environments:
 *
 * - the runner project, its log group and its service role `runway-<stage>-runner-<env>`, which
 *   reaches that environment's JIT configs, markers and build records only
 *   (serverless-runner-role.cjs; the artifacts bucket's policy in Runway's account names it) and
 *   carries that environment's `runnerPolicyArns`;
 * - the role of `codebuild.roleArn`, trusted only by Runway's launcher and reconciler roles, allowed
 *   to start, read and stop those projects' builds and to put and delete their JIT configs;
 * - a rule forwarding the builds' state changes to Runway's default event bus.
 *
 * Parameters name what only exists once Runway is deployed: its account, its artifacts bucket, and
 * where the runner bundle (.serverless/runner-bundle.zip) was copied in this account.
 */
"use strict";

const { buildRunnerBundle, runnerBundleKey } = require("./serverless-runner-bundle.cjs");
const { crossAccountRoleName } = require("./serverless-iam.cjs");
const { runnerBuild } = require("./serverless-environments.cjs");
const { pascal, runnerProjectResources } = require("./serverless-runner-project.cjs");
const { BUILD_EVENTS, imageOf, runnerRoleName } = require("./serverless-runner-role.cjs");

const sub = (text) => ({ "Fn::Sub": text });

/** `arn:aws:iam::222:role/path/name` → { name, path }. */
function roleNameAndPath(roleArn) {
  const parts = roleArn.split(":role")[1].slice(1).split("/");
  const name = parts.pop();
  return { name, path: parts.length > 0 ? `/${parts.join("/")}/` : "/" };
}

function runnerResources(ctx, env, params) {
  const image = imageOf(env, params.runnerImage ?? "aws/codebuild/standard:7.0");
  return runnerProjectResources(ctx, env, {
    image,
    // Its environment type, VPC and the role's network rights: the same as this stack's projects'.
    build: runnerBuild(ctx, env, image),
    bundle: { location: sub("${RunnerBundleBucket}/${RunnerBundleKey}"), readResource: sub("arn:${AWS::Partition}:s3:::${RunnerBundleBucket}/${RunnerBundleKey}") },
    artifacts: { object: (key) => sub(`arn:\${AWS::Partition}:s3:::\${ArtifactsBucket}/${key}`), bucket: sub("arn:${AWS::Partition}:s3:::${ArtifactsBucket}") },
    computeType: { Ref: "RunnerComputeType" },
    timeoutMinutes: Number(params.runnerTimeoutMinutes ?? 120),
    logRetentionDays: Number(params.logRetentionDays ?? 30),
    // Named, so that Runway's bucket policy in its own account can name it before it exists.
    roleName: runnerRoleName(ctx.stage, env.name),
    description: `Runway ${ctx.stage}: runner builds of environment ${env.name}`,
  });
}

/** The role Runway assumes (`codebuild.roleArn`), trusted by its launcher and reconciler only. */
function launcherRole(ctx, roleArn, envs) {
  const { name, path } = roleNameAndPath(roleArn);
  const trusted = ["runner-launcher", "reconciler"].map((key) => sub(`arn:\${AWS::Partition}:iam::\${RunwayAccountId}:role/${crossAccountRoleName(ctx.stage, ctx.region, key)}`));
  const projects = envs.map((e) => sub(`arn:\${AWS::Partition}:codebuild:${e.region}:\${AWS::AccountId}:project/${e.project}`));
  const jit = [...new Set(envs.map((e) => e.region))].map((region) => sub(`arn:\${AWS::Partition}:ssm:${region}:\${AWS::AccountId}:parameter${ctx.secrets.jitPrefix}/*`));
  return {
    Type: "AWS::IAM::Role",
    Properties: {
      RoleName: name,
      Path: path,
      Description: `Runway ${ctx.stage}: start and watch runner builds of ${envs.map((e) => e.name).join(", ")}`,
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        // The account as principal, narrowed to two role ARNs: valid even before those roles exist.
        Statement: [{ Effect: "Allow", Principal: { AWS: sub("arn:${AWS::Partition}:iam::${RunwayAccountId}:root") }, Action: "sts:AssumeRole", Condition: { ArnEquals: { "aws:PrincipalArn": trusted } } }],
      },
      Policies: [
        {
          PolicyName: "runway-launcher",
          PolicyDocument: {
            Version: "2012-10-17",
            Statement: [
              { Sid: "RunnerBuilds", Effect: "Allow", Action: ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:ListBuildsForProject", "codebuild:StopBuild"], Resource: projects },
              { Sid: "JitConfigs", Effect: "Allow", Action: ["ssm:PutParameter", "ssm:DeleteParameter"], Resource: jit },
            ],
          },
        },
      ],
    },
  };
}

/** Forward the builds' state changes to Runway's default bus, where build-events listens. */
function forwarding(envs) {
  const bus = sub("arn:${AWS::Partition}:events:${RunwayRegion}:${RunwayAccountId}:event-bus/default");
  return {
    ForwardBuildEventsRole: {
      Type: "AWS::IAM::Role",
      Properties: {
        AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" }] },
        Policies: [{ PolicyName: "forward-to-runway", PolicyDocument: { Version: "2012-10-17", Statement: [{ Sid: "PutOnRunwayBus", Effect: "Allow", Action: ["events:PutEvents"], Resource: [bus] }] } }],
      },
    },
    ForwardBuildEvents: {
      Type: "AWS::Events::Rule",
      Properties: {
        Description: "Runway: runner build state changes to Runway's event bus",
        EventPattern: { source: [BUILD_EVENTS.source], "detail-type": [BUILD_EVENTS.detailType], detail: { "project-name": envs.map((e) => e.project) } },
        Targets: [{ Id: "runway", Arn: bus, RoleArn: { "Fn::GetAtt": ["ForwardBuildEventsRole", "Arn"] } }],
      },
    },
  };
}

/**
 * One template per account and region that runs served environments' builds outside this stack.
 *
 * @example
 * const [{ file, template }] = await runnerAccountTemplates(runwayContext({ stage: "shared", region: "eu-west-1" }), {});
 */
async function runnerAccountTemplates(ctx, params) {
  const { sha256 } = await buildRunnerBundle(ctx.root);
  const groups = new Map();
  for (const env of ctx.remoteEnvironments) {
    const key = `${env.account ?? "runway-account"}-${env.region}`;
    groups.set(key, [...(groups.get(key) ?? []), env]);
  }
  const rolesDone = new Set();
  return [...groups].map(([key, envs]) => {
    const Resources = { ...forwarding(envs) };
    for (const env of envs) Object.assign(Resources, runnerResources(ctx, env, params));
    for (const roleArn of new Set(envs.filter((e) => e.roleArn).map((e) => e.roleArn))) {
      if (rolesDone.has(roleArn)) continue; // IAM is global: the role is created once, for all its environments
      rolesDone.add(roleArn);
      Resources[`${pascal(roleNameAndPath(roleArn).name)}Role`] = launcherRole(ctx, roleArn, ctx.remoteEnvironments.filter((e) => e.roleArn === roleArn));
    }
    const template = {
      AWSTemplateFormatVersion: "2010-09-09",
      Description: `Runway ${ctx.stage}: runner builds of ${envs.map((e) => e.name).join(", ")} in region ${envs[0].region}, for Runway in ${ctx.region}`,
      Parameters: {
        RunwayAccountId: { Type: "String", AllowedPattern: "^\\d{12}$", Description: "The account Runway's stage is deployed in" },
        RunwayRegion: { Type: "String", Default: ctx.region },
        ArtifactsBucket: { Type: "String", Description: "Runway's artifacts bucket (stack output ArtifactsBucketName)" },
        RunnerBundleBucket: { Type: "String", Description: "A bucket in this account holding a copy of .serverless/runner-bundle.zip" },
        RunnerBundleKey: { Type: "String", Default: runnerBundleKey(ctx.stage, sha256) },
        RunnerComputeType: { Type: "String", Default: params.runnerComputeType ?? "BUILD_GENERAL1_SMALL" },
      },
      Resources,
    };
    return { file: `runner-account-${key}.json`, template, environments: envs.map((e) => e.name) };
  });
}

module.exports = { runnerAccountTemplates, roleNameAndPath };
