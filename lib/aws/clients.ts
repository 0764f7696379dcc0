/**
 * The one place that creates AWS SDK clients.
 *
 * Endpoints come from the SDK's own configuration (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_REGION`),
 * so the same code talks to real AWS in Lambda and to the local emulators under `npm start` and in
 * integration tests: there is no "local" branch here. Clients are created lazily (a function that
 * only needs SQS never pays for CodeBuild's client at cold start) and memoised per region, because
 * an environment may live in another region than the function. `resetAwsClients()` lets tests
 * point a fresh client at a new endpoint.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";

/** Retries for passing faults (throttling, 5xx, timeouts) with the SDK's own backoff and jitter. */
export const AWS_MAX_ATTEMPTS = 4;

type Factory<T> = (region: string | undefined) => T;
const caches = new Map<string, Map<string, unknown>>();

/**
 * Memoise a client factory per region. Exported so that each concern's client (CodeBuild,
 * CodeDeploy …) is declared here beside the others and created on first use.
 *
 * @example
 * const codebuild = regional("codebuild", (region) => new CodeBuildClient({ region, maxAttempts: AWS_MAX_ATTEMPTS }));
 * await codebuild("eu-west-1").send(new StartBuildCommand({ projectName }));
 */
export function regional<T>(name: string, create: Factory<T>): (region?: string) => T {
  return (region?: string) => {
    let cache = caches.get(name);
    if (!cache) {
      cache = new Map();
      caches.set(name, cache);
    }
    const key = region ?? "";
    let client = cache.get(key) as T | undefined;
    if (!client) {
      client = create(region);
      cache.set(key, client);
    }
    return client;
  };
}

/** Forget every client, so the next call builds one from the current environment (tests). */
export function resetAwsClients(): void {
  caches.clear();
}

export const sqsClient = /* @__PURE__ */ regional("sqs", (region) => new SQSClient({ region, maxAttempts: AWS_MAX_ATTEMPTS }));
export const ssmClient = /* @__PURE__ */ regional("ssm", (region) => new SSMClient({ region, maxAttempts: AWS_MAX_ATTEMPTS }));
export const dynamoDbClient = /* @__PURE__ */ regional("dynamodb", (region) => new DynamoDBClient({ region, maxAttempts: AWS_MAX_ATTEMPTS }));
/** Path-style addressing: bucket names in the host do not resolve against a local S3 (s3rver). */
export const s3Client = /* @__PURE__ */ regional("s3", (region) => new S3Client({ region, maxAttempts: AWS_MAX_ATTEMPTS, forcePathStyle: true }));
export const stsClient = /* @__PURE__ */ regional("sts", (region) => new STSClient({ region, maxAttempts: AWS_MAX_ATTEMPTS }));
export const codeBuildClient = /* @__PURE__ */ regional("codebuild", (region) => new CodeBuildClient({ region, maxAttempts: AWS_MAX_ATTEMPTS }));
export const codeDeployClient = /* @__PURE__ */ regional("codedeploy", (region) => new CodeDeployClient({ region, maxAttempts: AWS_MAX_ATTEMPTS }));
export const ecsClient = /* @__PURE__ */ regional("ecs", (region) => new ECSClient({ region, maxAttempts: AWS_MAX_ATTEMPTS }));
export const elbv2Client = /* @__PURE__ */ regional("elbv2", (region) => new ElasticLoadBalancingV2Client({ region, maxAttempts: AWS_MAX_ATTEMPTS }));
export const cloudWatchClient = /* @__PURE__ */ regional("cloudwatch", (region) => new CloudWatchClient({ region, maxAttempts: AWS_MAX_ATTEMPTS }));
export const lambdaClient = /* @__PURE__ */ regional("lambda", (region) => new LambdaClient({ region, maxAttempts: AWS_MAX_ATTEMPTS }));

/** DynamoDB with plain JavaScript values (lib-dynamodb), over the same client. */
export const documentClient = /* @__PURE__ */ regional("dynamodb-document", (region) =>
  DynamoDBDocumentClient.from(dynamoDbClient(region), { marshallOptions: { removeUndefinedValues: true } }),
);

/** Where an environment's runners live: a region and, for another account, a role to assume. */
export interface AwsTarget {
  region?: string | undefined;
  roleArn?: string | undefined;
}

/**
 * Clients for an environment's account (`codebuild.roleArn`) and region. The assumed role's
 * credentials are refreshed by the provider before they expire; one client per region and role
 * is kept for the container's life. The JIT parameter is written through the same role, because
 * CodeBuild resolves a PARAMETER_STORE variable in its own account.
 */
export function codeBuildClientFor(target: AwsTarget): CodeBuildClient {
  return target.roleArn ? assumed("codebuild", target, (o) => new CodeBuildClient(o)) : codeBuildClient(target.region);
}

export function ssmClientFor(target: AwsTarget): SSMClient {
  return target.roleArn ? assumed("ssm", target, (o) => new SSMClient(o)) : ssmClient(target.region);
}

type ClientOptions = { region?: string; maxAttempts: number; credentials: ReturnType<typeof fromTemporaryCredentials> };

function assumed<T>(service: string, target: AwsTarget, create: (options: ClientOptions) => T): T {
  const key = `${service}|${target.region ?? ""}|${target.roleArn}`;
  return assumedClients(key, () =>
    create({
      region: target.region,
      maxAttempts: AWS_MAX_ATTEMPTS,
      credentials: fromTemporaryCredentials({ params: { RoleArn: target.roleArn!, RoleSessionName: "runway-launcher", DurationSeconds: 900 } }),
    }),
  );
}

function assumedClients<T>(key: string, create: () => T): T {
  let cache = caches.get("assumed");
  if (!cache) {
    cache = new Map();
    caches.set("assumed", cache);
  }
  let client = cache.get(key) as T | undefined;
  if (!client) {
    client = create();
    cache.set(key, client);
  }
  return client;
}
