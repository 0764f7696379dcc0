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
 *
 * An environment with `codebuild.roleArn` (another account), or in another region, gets no project
 * here: serverless-runner-account.cjs writes the template to create it there.
 */
"use strict";

const { arn, contextFromVariables, param, RunwayConfigForStageError } = require("./serverless-context.cjs");
const { buildRunnerBundle, runnerBundleKey, RUNNER_BUILDSPEC } = require("./serverless-runner-bundle.cjs");
const { BUILD_EVENTS, imageOf, runnerArtifactStatements, runnerEnvironment, runnerRoleName, runnerStatements } = require("./serverless-runner-role.cjs");

/** "prd-eu" → "PrdEu": environment names inside logical ids. */
const pascal = (name) => name.replace(/(^|-)([a-z0-9])/g, (_, __, c) => c.toUpperCase());

const bucketArn = { "Fn::GetAtt": ["ArtifactsBucket", "Arn"] };
const inBucket = (prefix) => ({ "Fn::Sub": `\${ArtifactsBucket.Arn}/${prefix}` });

/** One served environment's runner project, its log group and its service role. */
function runnerProject(ctx, env, settings) {
  const id = `Runner${pascal(env.name)}`;
  const projectArn = arn("codebuild", `project/${env.project}`);
  const image = imageOf(env, settings.image);
  const statements = [
    { Sid: "WriteBuildLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [{ "Fn::GetAtt": [`${id}LogGroup`, "Arn"] }] },
    { Sid: "ReadRunnerBundle", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: [{ "Fn::Sub": `arn:\${AWS::Partition}:s3:::\${ServerlessDeploymentBucket}/runway-runner/${ctx.stage}/*` }] },
    ...runnerStatements(ctx, env, { object: inBucket, bucket: bucketArn, image }),
  ];
  return {
    [`${id}LogGroup`]: {
      Type: "AWS::Logs::LogGroup",
      Properties: { LogGroupName: `/aws/codebuild/${env.project}`, RetentionInDays: settings.logRetentionDays },
    },
    [`${id}Role`]: {
      Type: "AWS::IAM::Role",
      Properties: {
        Description: `Runway ${ctx.stage}: runner builds of environment ${env.name} (${env.project})`,
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "codebuild.amazonaws.com" },
              Action: "sts:AssumeRole",
              // Only CodeBuild acting for this project in this account (confused-deputy guard).
              Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } }, ArnLike: { "aws:SourceArn": projectArn } },
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
        Source: { Type: "S3", Location: { "Fn::Sub": `\${ServerlessDeploymentBucket}/${settings.bundleKey}` }, BuildSpec: RUNNER_BUILDSPEC },
        Artifacts: { Type: "NO_ARTIFACTS" },
        Environment: runnerEnvironment(env, { image, computeType: settings.computeType, artifactsBucket: { Ref: "ArtifactsBucket" } }),
        // At the limit StartBuild fails and the launcher retries later (DESIGN.md, AWS CodeBuild).
        ConcurrentBuildLimit: env.concurrency,
        TimeoutInMinutes: settings.timeoutMinutes,
        QueuedTimeoutInMinutes: 30,
        LogsConfig: { CloudWatchLogs: { Status: "ENABLED", GroupName: { Ref: `${id}LogGroup` } } },
        Tags: [{ Key: "runway:environment", Value: env.name }, { Key: "runway:stage", Value: ctx.stage }],
      },
    },
  };
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
  remoteAccounts,
  pascal,
};
