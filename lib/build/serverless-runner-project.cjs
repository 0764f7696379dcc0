/**
 * One environment's runner project, its log group and its service role: the one generator behind
 * both templates that create them (this stack's, serverless-environments.cjs; another account's or
 * region's, serverless-runner-account.cjs). What differs between the two is passed in: where the
 * runner bundle and the artifacts bucket are, the compute type and, for a role another stack's
 * bucket policy must name before it exists, its fixed name.
 */
"use strict";

const { arn } = require("./serverless-context.cjs");
const { RUNNER_BUILDSPEC } = require("./serverless-runner-bundle.cjs");
const { runnerEnvironment, runnerStatements } = require("./serverless-runner-role.cjs");

/** "prd-eu" → "PrdEu": environment names inside logical ids. */
const pascal = (name) => name.replace(/(^|-)([a-z0-9])/g, (_, __, c) => c.toUpperCase());

/**
 * @param ctx the stage's context (serverless-context.cjs)
 * @param env one served environment
 * @param where {
 *   image, build (serverless-environments.cjs runnerBuild: type, vpcConfig, statements),
 *   bundle: { location, readResource } (the runner bundle's S3 location and the ARN to read it),
 *   artifacts: { object(key), bucket } (ARNs in the artifacts bucket),
 *   computeType, timeoutMinutes, logRetentionDays, roleName (optional), description
 * }
 *
 * @example
 * Object.assign(Resources, runnerProjectResources(ctx, env, { image, build, bundle, artifacts, computeType: "BUILD_GENERAL1_SMALL", timeoutMinutes: 120, logRetentionDays: 30 }));
 */
function runnerProjectResources(ctx, env, where) {
  const id = `Runner${pascal(env.name)}`;
  const statements = [
    { Sid: "WriteBuildLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [{ "Fn::GetAtt": [`${id}LogGroup`, "Arn"] }] },
    { Sid: "ReadRunnerBundle", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: [where.bundle.readResource] },
    ...runnerStatements(ctx, env, { object: where.artifacts.object, bucket: where.artifacts.bucket, image: where.image }),
    ...where.build.statements,
  ];
  return {
    [`${id}LogGroup`]: { Type: "AWS::Logs::LogGroup", Properties: { LogGroupName: `/aws/codebuild/${env.project}`, RetentionInDays: where.logRetentionDays } },
    [`${id}Role`]: {
      Type: "AWS::IAM::Role",
      Properties: {
        ...(where.roleName ? { RoleName: where.roleName } : {}),
        Description: where.description ?? `Runway ${ctx.stage}: runner builds of environment ${env.name} (${env.project})`,
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "codebuild.amazonaws.com" },
              Action: "sts:AssumeRole",
              // Only CodeBuild acting for this project in this account (confused-deputy guard).
              Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } }, ArnLike: { "aws:SourceArn": arn("codebuild", `project/${env.project}`) } },
            },
          ],
        },
        // What this environment's deploy jobs need, and no other environment's: runway.yml
        // environments.<name>.runnerPolicyArns (better still: GitHub OIDC per job, README "Security model").
        ...(env.runnerPolicyArns.length > 0 ? { ManagedPolicyArns: env.runnerPolicyArns } : {}),
        Policies: [{ PolicyName: "runway-runner", PolicyDocument: { Version: "2012-10-17", Statement: statements } }],
      },
    },
    [`${id}Project`]: {
      Type: "AWS::CodeBuild::Project",
      Properties: {
        Name: env.project,
        Description: `Runway ${ctx.stage}: one ephemeral GitHub Actions JIT runner per build, environment ${env.name}`,
        ServiceRole: { "Fn::GetAtt": [`${id}Role`, "Arn"] },
        Source: { Type: "S3", Location: where.bundle.location, BuildSpec: RUNNER_BUILDSPEC },
        Artifacts: { Type: "NO_ARTIFACTS" },
        // The image is fixed at packaging (runway.yml, else params.runnerImage), so that its pull
        // credentials and the role's ECR rights above always match it.
        Environment: runnerEnvironment(env, { type: where.build.type, image: where.image, computeType: where.computeType, artifactsBucket: { Ref: "ArtifactsBucket" } }),
        ...where.build.vpcConfig,
        // At the limit StartBuild fails and the launcher retries later (DESIGN.md, AWS CodeBuild).
        ConcurrentBuildLimit: env.concurrency,
        TimeoutInMinutes: where.timeoutMinutes,
        QueuedTimeoutInMinutes: 30,
        LogsConfig: { CloudWatchLogs: { Status: "ENABLED", GroupName: { Ref: `${id}LogGroup` } } },
        Tags: [{ Key: "runway:environment", Value: env.name }, { Key: "runway:stage", Value: ctx.stage }],
      },
    },
  };
}

module.exports = { runnerProjectResources, pascal };
