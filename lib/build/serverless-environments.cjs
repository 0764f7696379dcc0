/**
 * The CloudFormation for the environments the packaged stage serves (runway.yml `stages:`), for
 * serverless.yml's `${file(./lib/build/serverless-environments.cjs):…}` variables:
 *
 * - `resources`: for each served environment in this stack's account and region, its CodeBuild
 *   runner project (buildspecs/README.md: S3 bundle source, `buildspecs/runner.yml`, concurrent
 *   build limit = `concurrency`) with a log group and a least-privilege service role; and the
 *   artifacts bucket's policy, which lets runner builds in other accounts read their markers and
 *   write their records, and the default event bus's permission for those accounts to forward
 *   their builds' state changes.
 * - `runnerProjectNames`: every served environment's project, for the build-events rule.
 *
 * An environment with `codebuild.roleArn` (another account), or in another region, gets no project
 * here: serverless-runner-account.cjs writes the template to create it there.
 */
"use strict";

const { arn, contextFromVariables, param } = require("./serverless-context.cjs");
const { buildRunnerBundle, runnerBundleKey, RUNNER_BUILDSPEC } = require("./serverless-runner-bundle.cjs");

/** "prd-eu" → "PrdEu": environment names inside logical ids. */
const pascal = (name) => name.replace(/(^|-)([a-z0-9])/g, (_, __, c) => c.toUpperCase());

const bucketArn = { "Fn::GetAtt": ["ArtifactsBucket", "Arn"] };
const inBucket = (prefix) => ({ "Fn::Sub": `\${ArtifactsBucket.Arn}/${prefix}` });

/**
 * What a runner build does with the artifacts bucket (buildspecs/README.md, "S3 layout"): read its
 * conclusion marker and the legacy failure file, write its status and diagnostics.
 */
function runnerBucketStatements() {
  return [
    { Sid: "ReadMarkersAndLegacyResults", Effect: "Allow", Action: ["s3:GetObject"], Resource: [inBucket("markers/*"), inBucket("results/*")] },
    { Sid: "WriteBuildRecords", Effect: "Allow", Action: ["s3:PutObject"], Resource: [inBucket("builds/*")] },
    // Unconditioned on purpose: S3 decides 404 versus 403 for a missing key by ListBucket on the
    // bucket, without a prefix in the request, and the scripts must tell "no marker yet" from "denied".
    { Sid: "ListArtifacts", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucketArn] },
  ];
}

/** ECR pull for a private image; the aws/codebuild/* images need nothing. */
function imagePullStatements(image) {
  const ecr = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(image);
  if (!ecr) return [];
  const [, account, region, repository] = ecr;
  return [
    { Sid: "PullRunnerImage", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], Resource: [arn("ecr", `repository/${repository}`, { region, account })] },
    // GetAuthorizationToken has no resource-level permission (read-only: a registry login token).
    { Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
  ];
}

/** One served environment's runner project, its log group and its service role. */
function runnerProject(ctx, env, settings) {
  const id = `Runner${pascal(env.name)}`;
  const projectArn = arn("codebuild", `project/${env.project}`);
  const statements = [
    { Sid: "WriteBuildLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [{ "Fn::GetAtt": [`${id}LogGroup`, "Arn"] }] },
    { Sid: "ReadRunnerBundle", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: [{ "Fn::Sub": `arn:\${AWS::Partition}:s3:::\${ServerlessDeploymentBucket}/runway-runner/${ctx.stage}/*` }] },
    ...runnerBucketStatements(),
    // CodeBuild resolves the PARAMETER_STORE variable RUNWAY_JIT_CONFIG with the build's role. The
    // SecureStrings use the aws/ssm key, whose key policy already allows decryption through SSM.
    { Sid: "ReadJitConfig", Effect: "Allow", Action: ["ssm:GetParameters"], Resource: [arn("ssm", `parameter${ctx.secrets.jitPrefix}/*`)] },
    ...imagePullStatements(settings.image),
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
        // What the jobs themselves deploy with (runway.yml cannot know): params.runnerPolicyArns.
        ...(settings.runnerPolicyArns.length > 0 ? { ManagedPolicyArns: settings.runnerPolicyArns } : {}),
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
        Environment: {
          Type: "LINUX_CONTAINER",
          ComputeType: settings.computeType,
          Image: settings.image,
          ImagePullCredentialsType: settings.image.startsWith("aws/codebuild/") ? "CODEBUILD" : "SERVICE_ROLE",
          PrivilegedMode: false,
          EnvironmentVariables: [{ Name: "RUNWAY_ARTIFACTS_BUCKET", Type: "PLAINTEXT", Value: { Ref: "ArtifactsBucket" } }],
        },
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
 * The artifacts bucket's policy: HTTPS only, and, for each other account, its runner roles
 * (`runway-<stage>-runner-*`, created by the runner-account template) get what a runner build
 * needs. Named principals only: nothing here is public.
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
  for (const account of remoteAccounts(ctx)) {
    for (const statement of runnerBucketStatements()) {
      statements.push({
        ...statement,
        Sid: `${statement.Sid}From${account}`,
        Principal: { AWS: { "Fn::Sub": `arn:\${AWS::Partition}:iam::${account}:root` } },
        // The account's principal plus a role-name condition: valid before those roles exist.
        Condition: { ArnLike: { "aws:PrincipalArn": { "Fn::Sub": `arn:\${AWS::Partition}:iam::${account}:role/runway-${ctx.stage}-runner-*` } } },
      });
    }
  }
  return { Type: "AWS::S3::BucketPolicy", Properties: { Bucket: { Ref: "ArtifactsBucket" }, PolicyDocument: { Version: "2012-10-17", Statement: statements } } };
}

/** The default bus accepts the build events that each other account's forwarding rule sends. */
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
    runnerPolicyArns: await param(variables, "runnerPolicyArns", []),
  };
}

module.exports = {
  async resources(variables) {
    const ctx = await contextFromVariables(variables);
    const settings = await runnerSettings(ctx, variables);
    const Resources = { ArtifactsBucketPolicy: artifactsBucketPolicy(ctx), ...eventBusPolicies(ctx) };
    for (const env of ctx.localEnvironments) Object.assign(Resources, runnerProject(ctx, env, settings));
    return { Resources };
  },
  async runnerProjectNames(variables) {
    const ctx = await contextFromVariables(variables);
    return [...new Set(ctx.environments.map((e) => e.project))];
  },
  runnerBucketStatements,
  remoteAccounts,
  pascal,
};
