/**
 * What one environment's runner build may reach, and what its project runs on: shared by the two
 * templates that create runner projects (this stack's, serverless-environments.cjs; another
 * account's or region's, serverless-runner-account.cjs), so both draw the same boundary.
 *
 * The boundary (DESIGN.md: nothing of one environment is reachable from another's runner; layout in
 * buildspecs/README.md, "S3 layout"). A runner build of environment E, project P:
 * - reads its JIT config, under `/runway/<stage>/jit/E/` only (lib/runners/ledger.ts `jitParameterName`);
 * - reads E's conclusion markers (`markers/E/…`) and P's legacy failure files
 *   (`results/failure_build_P:<uuid>.txt`), and writes P's build records (`builds/P:<uuid>/…`):
 *   build ids are `<project>:<uuid>`, and project names cannot hold `:`, so `P:*` is P's alone;
 * - reads the stage's copy of actions/runner (`runner/…`), the same for every environment;
 * - writes no marker, no runner release and no parameter: Runway's function roles write them.
 *
 * An environment's `runnerPolicyArns` (what its deploy jobs need) are not Runway's to know, and
 * may be broad; so each runner role also carries explicit denies, which no Allow overrides, on what
 * of Runway is not its own: the other served environments' JIT configs, markers and build records,
 * the stage's secrets, and any write under /runway/ or to a marker.
 */
"use strict";

const { arn, secretNames } = require("./serverless-context.cjs");

/** What CodeBuild's build state changes look like on EventBridge (forwarded, and accepted, as such). */
const BUILD_EVENTS = { source: "aws.codebuild", detailType: "CodeBuild Build State Change" };

/**
 * Fixed name of an environment's runner role in another account or region (the runner-account
 * template creates it), so that Runway's bucket policy can name it before it exists.
 */
const runnerRoleName = (stage, environment) => `runway-${stage}-runner-${environment}`;

/** CodeBuild's curated images, which CodeBuild pulls with its own credentials (and only with those). */
const isCuratedImage = (image) => image.startsWith("aws/codebuild/");

/**
 * CodeBuild's `imagePullCredentialsType` for an image: curated images need CODEBUILD; any other
 * (private ECR, another account's registry) is pulled with the project's service role.
 * lib/runners/runner-labels.ts applies the same rule to an `image:` label's override.
 */
const pullCredentials = (image) => (isCuratedImage(image) ? "CODEBUILD" : "SERVICE_ROLE");

/** The environment's image: its own `codebuild.image`, else the stage's `runnerImage` param. */
const imageOf = (env, stageImage) => env.image ?? stageImage;

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag|@digest]` → its parts, or undefined. */
function ecrRepository(image) {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(image);
  return match ? { account: match[1], region: match[2], repository: match[3] } : undefined;
}

/**
 * ECR pull rights for the environment's image when it is a private ECR image, and the registry
 * login whenever the build may pull one: also when jobs may pick their image (`allowOverrides:
 * [image]`), since CodeBuild pulls an override's custom image with the service role too (the
 * repository's own policy then has to let the role in).
 */
function imagePullStatements(env, image) {
  const ecr = ecrRepository(image);
  const statements = [];
  if (ecr) {
    statements.push({
      Sid: "PullRunnerImage",
      Effect: "Allow",
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
      Resource: [arn("ecr", `repository/${ecr.repository}`, { region: ecr.region, account: ecr.account })],
    });
  }
  if (ecr || env.allowOverrides.includes("image")) {
    // GetAuthorizationToken has no resource-level permission (read-only: a registry login token).
    statements.push({ Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" });
  }
  return statements;
}

/**
 * What a runner build does with the artifacts bucket: read its environment's markers and its
 * project's legacy failure files, write its project's build records, list the bucket.
 * `object(key pattern)` and `bucket` are the bucket's ARNs as the template names them.
 */
function runnerArtifactStatements(env, { object, bucket }) {
  return [
    { Sid: "ReadOwnConclusions", Effect: "Allow", Action: ["s3:GetObject"], Resource: [object(`markers/${env.name}/*`), object(`results/failure_build_${env.project}:*`)] },
    { Sid: "WriteOwnBuildRecords", Effect: "Allow", Action: ["s3:PutObject"], Resource: [object(`builds/${env.project}:*`)] },
    // The stage's copy of actions/runner (runner/current.json and the archives it names), which the
    // install phase reads: the same public binaries for every environment (lib/runners/release).
    { Sid: "ReadRunnerReleases", Effect: "Allow", Action: ["s3:GetObject"], Resource: [object("runner/*")] },
    // Unconditioned on purpose: S3 decides 404 versus 403 for a missing key by ListBucket on the
    // bucket, without a prefix in the request, and the scripts must tell "no marker yet" from
    // "denied". It lists key names only; no object of another environment can be read.
    { Sid: "ListArtifacts", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucket] },
  ];
}

/** Explicit denies on what of Runway is not this environment's (see the file's comment). */
function fenceStatements(ctx, env, { object }) {
  const others = ctx.environments.filter((e) => e.name !== env.name);
  const runwayParameters = arn("ssm", "parameter/runway/*", { region: "*" });
  const { jitPrefix, ...secrets } = secretNames(ctx.stage);
  const otherParameters = [
    ...Object.values(secrets).map((name) => arn("ssm", `parameter${name}`, { region: "*" })),
    ...others.map((o) => arn("ssm", `parameter${jitPrefix}/${o.name}/*`, { region: "*" })),
  ];
  const otherArtifacts = others.flatMap((o) => [object(`markers/${o.name}/*`), object(`builds/${o.project}:*`), object(`results/failure_build_${o.project}:*`)]);
  return [
    // Reading is all a runner does under /runway/: no put, delete, history or by-path listing.
    { Sid: "DenyRunwayParameterChanges", Effect: "Deny", NotAction: ["ssm:GetParameter", "ssm:GetParameters"], Resource: [runwayParameters] },
    { Sid: "DenyOtherParameters", Effect: "Deny", Action: ["ssm:GetParameter", "ssm:GetParameters"], Resource: otherParameters },
    // A forged marker would decide another build's verdict: only Runway writes them.
    { Sid: "DenyMarkerWrites", Effect: "Deny", Action: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"], Resource: [object("markers/*")] },
    // Every environment's builds install the runner from runner/: a job that replaced it (and its
    // recorded sha256) would run its code in the next build of every other environment. Only the
    // runner-release function writes there.
    { Sid: "DenyRunnerReleaseWrites", Effect: "Deny", Action: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"], Resource: [object("runner/*")] },
    ...(otherArtifacts.length > 0 ? [{ Sid: "DenyOtherEnvironmentsArtifacts", Effect: "Deny", Action: "s3:*", Resource: otherArtifacts }] : []),
  ];
}

/**
 * The runner role's statements on Runway's resources, its image and its fence; each template adds
 * its logs and its runner bundle.
 */
function runnerStatements(ctx, env, { object, bucket, image }) {
  return [
    ...runnerArtifactStatements(env, { object, bucket }),
    // CodeBuild resolves the PARAMETER_STORE variable RUNWAY_JIT_CONFIG with the build's role. The
    // SecureStrings use the aws/ssm key, whose key policy already allows decryption through SSM.
    { Sid: "ReadOwnJitConfigs", Effect: "Allow", Action: ["ssm:GetParameters"], Resource: [arn("ssm", `parameter${ctx.secrets.jitPrefix}/${env.name}/*`)] },
    ...imagePullStatements(env, image),
    ...fenceStatements(ctx, env, { object }),
  ];
}

/**
 * The project's `Environment`: its type (ARM_CONTAINER for an arm64 image: serverless-environments.cjs
 * `runnerBuild`), its image (and how it is pulled), and the variables every build gets.
 */
function runnerEnvironment(env, { type, image, computeType, artifactsBucket }) {
  return {
    Type: type,
    ComputeType: computeType,
    Image: image,
    ImagePullCredentialsType: pullCredentials(image),
    PrivilegedMode: false,
    EnvironmentVariables: [
      { Name: "RUNWAY_ARTIFACTS_BUCKET", Type: "PLAINTEXT", Value: artifactsBucket },
      // StartBuild passes it too; the project's own value keeps the marker key right in a build
      // started by hand (buildspecs/README.md, "Environment variables").
      { Name: "RUNWAY_ENVIRONMENT", Type: "PLAINTEXT", Value: env.name },
    ],
  };
}

module.exports = { BUILD_EVENTS, runnerRoleName, runnerStatements, runnerArtifactStatements, runnerEnvironment, imageOf, pullCredentials, ecrRepository };
