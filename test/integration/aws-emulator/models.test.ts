/**
 * Every emulated service held to AWS's API model (the installed clients' schemas, see
 * lib/local/aws-emulator/models.ts): each operation it emulates exists in the model, every answer
 * it gives while its operations are driven through the real SDK client matches the operation's
 * output shape, and a request the real service refuses is refused here too, with the service's
 * own error code in its own protocol.
 */
import * as CloudWatch from "@aws-sdk/client-cloudwatch";
import * as CodeBuild from "@aws-sdk/client-codebuild";
import * as CodeDeploy from "@aws-sdk/client-codedeploy";
import * as Ecs from "@aws-sdk/client-ecs";
import * as Elbv2 from "@aws-sdk/client-elastic-load-balancing-v2";
import * as Lambda from "@aws-sdk/client-lambda";
import * as Sqs from "@aws-sdk/client-sqs";
import * as Ssm from "@aws-sdk/client-ssm";
import * as Sts from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloudWatchClient } from "../../../lib/aws/cloudwatch.ts";
import { codeBuildClient } from "../../../lib/aws/codebuild.ts";
import { codeDeployClient } from "../../../lib/aws/codedeploy.ts";
import { ecsClient } from "../../../lib/aws/ecs.ts";
import { elbv2Client } from "../../../lib/aws/elbv2.ts";
import { lambdaClient } from "../../../lib/aws/lambda.ts";
import { sqsClient } from "../../../lib/aws/sqs.ts";
import { ssmClient } from "../../../lib/aws/ssm.ts";
import { stsClient } from "../../../lib/aws/sts.ts";
import { createCodeBuildEmulation, createSqsEmulation, createStsEmulation, startAwsEmulator, type AwsEmulator, type ServiceEmulation } from "../../../lib/local/aws-emulator/index.ts";
import { serviceModel } from "../../../lib/local/aws-emulator/models.ts";
import { checkResponse } from "../../../lib/local/aws-emulator/validate.ts";
import { createCloudWatchEmulation } from "../../../lib/local/aws-emulator/services/cloudwatch.ts";
import { createCodeDeployEmulation, type CodeDeployEmulation } from "../../../lib/local/aws-emulator/services/codedeploy.ts";
import { createEcsEmulation, type EcsEmulation } from "../../../lib/local/aws-emulator/services/ecs.ts";
import { createElbv2Emulation, type Elbv2Emulation } from "../../../lib/local/aws-emulator/services/elbv2.ts";
import { createLambdaEmulation, type LambdaEmulation } from "../../../lib/local/aws-emulator/services/lambda.ts";
import { createSsmEmulation } from "../../../lib/local/aws-emulator/services/ssm.ts";
import { rejectionOf } from "./helpers.ts";

const ENDPOINTS = ["SQS", "CODEBUILD", "STS", "LAMBDA", "CLOUDWATCH", "ELASTIC_LOAD_BALANCING_V2", "SSM", "CODEDEPLOY", "ECS"];

let aws: AwsEmulator;
let services: ServiceEmulation[];
let codedeploy: CodeDeployEmulation;
let ecs: EcsEmulation;
let elbv2: Elbv2Emulation;
let lambda: LambdaEmulation;
let cloudwatch: ReturnType<typeof createCloudWatchEmulation>;

beforeAll(async () => {
  codedeploy = createCodeDeployEmulation();
  ecs = createEcsEmulation();
  elbv2 = createElbv2Emulation();
  lambda = createLambdaEmulation();
  cloudwatch = createCloudWatchEmulation();
  services = [createSqsEmulation(), createCodeBuildEmulation(), createStsEmulation(), createSsmEmulation(), codedeploy, ecs, elbv2, cloudwatch, lambda];
  aws = await startAwsEmulator({ services, checkResponses: true });
  for (const service of ENDPOINTS) process.env[`AWS_ENDPOINT_URL_${service}`] = aws.url;
  const { resetAwsClients } = await import("../../../lib/aws/shared.ts");
  resetAwsClients();
});

afterAll(async () => {
  for (const service of ENDPOINTS) delete process.env[`AWS_ENDPOINT_URL_${service}`];
  const { resetAwsClients } = await import("../../../lib/aws/shared.ts");
  resetAwsClients();
  await aws.close();
});

const serviceNamed = (signingName: string) => services.find((s) => s.signingName === signingName)!;

/** Answers of one service since `from`, with what departed from the model. */
function answersSince(signingName: string, from: number) {
  const calls = aws.calls.slice(from).filter((c) => c.service === signingName);
  return {
    answered: new Set(calls.filter((c) => !c.error).map((c) => c.operation)),
    issues: calls.flatMap((c) => (c.responseIssues ?? []).map((i) => `${c.operation} ${i.path}: ${i.message}`)),
  };
}

/** A request as it would be sent without the SDK's help, signed for `service` (the emulator does not check signatures). */
async function raw(service: string, init: { target?: string; contentType: string; body: string }): Promise<{ status: number; headers: Headers; text: string }> {
  const headers: Record<string, string> = {
    "content-type": init.contentType,
    authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
  };
  if (init.target) headers["x-amz-target"] = init.target;
  const response = await fetch(aws.url, { method: "POST", headers, body: init.body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/**
 * Each service: drive every operation it emulates through the SDK, then refuse what AWS refuses.
 * `drive` must answer every operation of the service at least once without an error.
 */
const cases: Array<{ signingName: string; drive: () => Promise<void>; refuse: () => Promise<void> }> = [
  {
    signingName: "codebuild",
    async drive() {
      const client = codeBuildClient();
      await client.send(
        new CodeBuild.CreateProjectCommand({
          name: "models-runner",
          source: { type: "NO_SOURCE", buildspec: "version: 0.2" },
          artifacts: { type: "NO_ARTIFACTS" },
          environment: { type: "LINUX_CONTAINER", image: "aws/codebuild/standard:7.0", computeType: "BUILD_GENERAL1_SMALL" },
          serviceRole: "arn:aws:iam::000000000000:role/runner",
        }),
      );
      await client.send(new CodeBuild.BatchGetProjectsCommand({ names: ["models-runner", "missing"] }));
      await client.send(new CodeBuild.ListProjectsCommand({}));
      const { build } = await client.send(
        new CodeBuild.StartBuildCommand({ projectName: "models-runner", idempotencyToken: "t-1", environmentVariablesOverride: [{ name: "A", value: "1", type: "PLAINTEXT" }] }),
      );
      await client.send(new CodeBuild.BatchGetBuildsCommand({ ids: [build!.id!, "models-runner:missing"] }));
      await client.send(new CodeBuild.ListBuildsForProjectCommand({ projectName: "models-runner" }));
      await client.send(new CodeBuild.ListBuildsCommand({ sortOrder: "ASCENDING" }));
      await client.send(new CodeBuild.StopBuildCommand({ id: build!.id! }));
      await client.send(new CodeBuild.BatchGetBuildsCommand({ ids: [build!.id!] }));
    },
    async refuse() {
      // The SDK sends an enum it does not know and a missing required member as they are.
      const error = await rejectionOf(
        codeBuildClient().send(
          new CodeBuild.StartBuildCommand({
            projectName: "models-runner",
            environmentVariablesOverride: [{ name: "A", value: undefined as unknown as string, type: "PLAIN" as CodeBuild.EnvironmentVariableType }],
          }),
        ),
      );
      expect(error).toBeInstanceOf(CodeBuild.InvalidInputException);
      expect(error.message).toBe(
        "2 validation errors detected: Value null at 'environmentVariablesOverride.1.member.value' failed to satisfy constraint: Member must not be null; " +
          "Value 'PLAIN' at 'environmentVariablesOverride.1.member.type' failed to satisfy constraint: Member must satisfy enum value set: [PARAMETER_STORE, PLAINTEXT, SECRETS_MANAGER]",
      );
      const wrongType = await raw("codebuild", { target: "CodeBuild_20161006.BatchGetBuilds", contentType: "application/x-amz-json-1.1", body: JSON.stringify({ ids: "models-runner:1" }) });
      expect(wrongType.status).toBe(400);
      expect(JSON.parse(wrongType.text)).toMatchObject({ __type: "SerializationException" });
    },
  },
  {
    signingName: "codedeploy",
    async drive() {
      const deploymentId = codedeploy.seedEcsDeployment({
        applicationName: "shop",
        deploymentGroupName: "shop-prd",
        clusterName: "main",
        serviceName: "shop",
        original: { taskSetId: "ecs-svc/1", targetGroupName: "shop-blue" },
        replacement: { taskSetId: "ecs-svc/2", targetGroupName: "shop-green" },
        prodListenerArns: ["arn:aws:elasticloadbalancing:eu-west-1:000000000000:listener/app/shop/1/prod"],
        testListenerArns: ["arn:aws:elasticloadbalancing:eu-west-1:000000000000:listener/app/shop/1/test"],
        taskDefinition: "arn:aws:ecs:eu-west-1:000000000000:task-definition/shop:2",
      });
      const lambdaDeployment = codedeploy.seedLambdaDeployment({
        applicationName: "api",
        deploymentGroupName: "api-prd",
        functionName: "api",
        functionAlias: "live",
        currentVersion: "1",
        targetVersion: "2",
      });
      const client = codeDeployClient();
      for (const id of [deploymentId, lambdaDeployment]) {
        const executionId = codedeploy.startHook(id, id === deploymentId ? "AfterAllowTestTraffic" : "BeforeAllowTraffic");
        const { deploymentInfo } = await client.send(new CodeDeploy.GetDeploymentCommand({ deploymentId: id }));
        await client.send(new CodeDeploy.GetDeploymentGroupCommand({ applicationName: deploymentInfo!.applicationName!, deploymentGroupName: deploymentInfo!.deploymentGroupName! }));
        const { targetIds } = await client.send(new CodeDeploy.ListDeploymentTargetsCommand({ deploymentId: id }));
        await client.send(new CodeDeploy.GetDeploymentTargetCommand({ deploymentId: id, targetId: targetIds![0]! }));
        await client.send(new CodeDeploy.PutLifecycleEventHookExecutionStatusCommand({ deploymentId: id, lifecycleEventHookExecutionId: executionId, status: id === deploymentId ? "Succeeded" : "Failed" }));
      }
      await client.send(new CodeDeploy.GetDeploymentCommand({ deploymentId: lambdaDeployment }));
    },
    async refuse() {
      const error = await rejectionOf(codeDeployClient().send(new CodeDeploy.GetDeploymentTargetCommand({ deploymentId: "d-123456789" } as CodeDeploy.GetDeploymentTargetInput)));
      expect(error.name).toBe("ValidationException");
      expect(error.message).toBe("1 validation error detected: Value null at 'targetId' failed to satisfy constraint: Member must not be null");
    },
  },
  {
    signingName: "ecs",
    async drive() {
      const td = ecs.registerTaskDefinition("shop", [{ name: "web", image: "shop:2.0.0" }]);
      ecs.createTaskSet({ cluster: "main", service: "shop", id: "ecs-svc/2", taskDefinition: td, desiredCount: 2, externalId: "d-1" });
      ecs.runTasks("ecs-svc/2", 2, { healthStatus: "HEALTHY" });
      const client = ecsClient();
      await client.send(new Ecs.DescribeTaskSetsCommand({ cluster: "main", service: "shop", taskSets: ["ecs-svc/2", "ecs-svc/9"] }));
      const { taskArns } = await client.send(new Ecs.ListTasksCommand({ cluster: "main", startedBy: "ecs-svc/2", desiredStatus: "RUNNING" }));
      await client.send(new Ecs.DescribeTasksCommand({ cluster: "main", tasks: [...taskArns!, "missing"] }));
      await client.send(new Ecs.DescribeTaskDefinitionCommand({ taskDefinition: td }));
      const blue = ecs.registerTaskDefinition("api", [{ name: "web", image: "api:1.0.0" }]);
      const green = ecs.registerTaskDefinition("api", [{ name: "web", image: "api:2.0.0" }]);
      const seeded = ecs.createServiceDeployment({
        cluster: "main",
        service: "api",
        source: { taskDefinition: blue },
        target: { taskDefinition: green },
        strategy: "BLUE_GREEN",
        lifecycleHooks: [{ hookTargetArn: "arn:aws:lambda:eu-west-1:000000000000:function:hook", roleArn: "arn:aws:iam::000000000000:role/ecs", lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"] }],
      });
      await client.send(new Ecs.ListServiceDeploymentsCommand({ cluster: "main", service: "api" }));
      await client.send(new Ecs.DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [seeded.serviceDeploymentArn] }));
      await client.send(new Ecs.DescribeServiceRevisionsCommand({ serviceRevisionArns: [seeded.sourceRevisionArn, seeded.targetRevisionArn] }));
    },
    async refuse() {
      const error = await rejectionOf(ecsClient().send(new Ecs.ListTasksCommand({ cluster: "main", desiredStatus: "DONE" as Ecs.DesiredStatus })));
      expect(error.name).toBe("ValidationException");
      expect(error.message).toBe("1 validation error detected: Value 'DONE' at 'desiredStatus' failed to satisfy constraint: Member must satisfy enum value set: [PENDING, RUNNING, STOPPED]");
    },
  },
  {
    signingName: "ssm",
    async drive() {
      const client = ssmClient();
      await client.send(new Ssm.PutParameterCommand({ Name: "/runway/jit/1", Value: "secret", Type: "SecureString" }));
      await client.send(new Ssm.PutParameterCommand({ Name: "/runway/jit/2", Value: "secret", Type: "SecureString" }));
      await client.send(new Ssm.GetParameterCommand({ Name: "/runway/jit/1", WithDecryption: true }));
      await client.send(new Ssm.GetParametersCommand({ Names: ["/runway/jit/1", "/runway/jit/9"], WithDecryption: true }));
      await client.send(new Ssm.DeleteParameterCommand({ Name: "/runway/jit/1" }));
      await client.send(new Ssm.DeleteParametersCommand({ Names: ["/runway/jit/2", "/runway/jit/9"] }));
    },
    async refuse() {
      const error = await rejectionOf(ssmClient().send(new Ssm.PutParameterCommand({ Name: "/runway/x", Value: "v", Type: "Secret" as Ssm.ParameterType })));
      expect(error).toBeInstanceOf(Ssm.ValidationException);
      expect(error.message).toBe("1 validation error detected: Value 'Secret' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, String, StringList]");
    },
  },
  {
    signingName: "monitoring",
    async drive() {
      cloudwatch.putAlarm("shop-5xx", "OK");
      cloudwatch.putAlarm("shop-composite", "ALARM", { type: "CompositeAlarm" });
      await cloudWatchClient().send(new CloudWatch.DescribeAlarmsCommand({ AlarmNames: ["shop-5xx", "shop-composite"], AlarmTypes: ["MetricAlarm", "CompositeAlarm"] }));
      const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
      const metric = { Namespace: "Shop", MetricName: "Errors", Dimensions: [{ Name: "Service", Value: "shop" }] };
      await cloudWatchClient().send(new CloudWatch.PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "Errors", Dimensions: metric.Dimensions, Timestamp: at, Value: 2, Unit: "Count" }] }));
      await cloudWatchClient().send(
        new CloudWatch.GetMetricDataCommand({
          StartTime: new Date(at.getTime() - 60_000),
          EndTime: new Date(at.getTime() + 120_000),
          MetricDataQueries: [
            { Id: "errors", MetricStat: { Metric: metric, Period: 60, Stat: "Sum" } },
            { Id: "doubled", Expression: "errors * 2", Label: "Doubled" },
          ],
        }),
      );
    },
    async refuse() {
      const error = await rejectionOf(cloudWatchClient().send(new CloudWatch.DescribeAlarmsCommand({ StateValue: "RED" as CloudWatch.StateValue })));
      // awsQueryCompatible: the code is sent beside its query code (ValidationError), which the SDK maps back.
      expect(error).toBeInstanceOf(CloudWatch.ValidationException);
      expect(error.message).toContain("Value 'RED' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [ALARM, INSUFFICIENT_DATA, OK]");
    },
  },
  {
    signingName: "sqs",
    async drive() {
      const client = sqsClient();
      const { QueueUrl: url } = await client.send(new Sqs.CreateQueueCommand({ QueueName: "models.fifo", Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" } }));
      await client.send(new Sqs.GetQueueUrlCommand({ QueueName: "models.fifo" }));
      await client.send(new Sqs.ListQueuesCommand({ QueueNamePrefix: "models" }));
      await client.send(new Sqs.SetQueueAttributesCommand({ QueueUrl: url!, Attributes: { VisibilityTimeout: "60" } }));
      await client.send(new Sqs.GetQueueAttributesCommand({ QueueUrl: url!, AttributeNames: ["All"] }));
      await client.send(new Sqs.SendMessageCommand({ QueueUrl: url!, MessageBody: "one", MessageGroupId: "g", MessageAttributes: { kind: { DataType: "String", StringValue: "job" } } }));
      await client.send(new Sqs.SendMessageBatchCommand({ QueueUrl: url!, Entries: [{ Id: "a", MessageBody: "two", MessageGroupId: "g" }, { Id: "b", MessageBody: "three", MessageGroupId: "h" }] }));
      const first = await client.send(new Sqs.ReceiveMessageCommand({ QueueUrl: url!, MaxNumberOfMessages: 1, MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"] }));
      await client.send(new Sqs.ChangeMessageVisibilityCommand({ QueueUrl: url!, ReceiptHandle: first.Messages![0]!.ReceiptHandle!, VisibilityTimeout: 0 }));
      const again = await client.send(new Sqs.ReceiveMessageCommand({ QueueUrl: url!, MaxNumberOfMessages: 10 }));
      const handles = again.Messages!.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle! }));
      await client.send(new Sqs.ChangeMessageVisibilityBatchCommand({ QueueUrl: url!, Entries: handles.map((h) => ({ ...h, VisibilityTimeout: 30 })) }));
      await client.send(new Sqs.DeleteMessageCommand({ QueueUrl: url!, ReceiptHandle: handles[0]!.ReceiptHandle }));
      await client.send(new Sqs.DeleteMessageBatchCommand({ QueueUrl: url!, Entries: handles.slice(1) }));
      await client.send(new Sqs.PurgeQueueCommand({ QueueUrl: url! }));
      await client.send(new Sqs.DeleteQueueCommand({ QueueUrl: url! }));
    },
    async refuse() {
      const error = await rejectionOf(sqsClient().send(new Sqs.SendMessageCommand({ QueueUrl: `${aws.url}/000000000000/models.fifo` } as Sqs.SendMessageRequest)));
      expect(error.name).toBe("MissingParameter");
      expect(error.message).toBe("1 validation error detected: Value null at 'messageBody' failed to satisfy constraint: Member must not be null");
    },
  },
  {
    signingName: "sts",
    async drive() {
      const { Credentials } = await stsClient().send(new Sts.AssumeRoleCommand({ RoleArn: "arn:aws:iam::123456789012:role/deployer", RoleSessionName: "runway", DurationSeconds: 900 }));
      expect(Credentials?.Expiration).toBeInstanceOf(Date);
      await stsClient().send(new Sts.GetCallerIdentityCommand({}));
    },
    async refuse() {
      const error = await rejectionOf(stsClient().send(new Sts.AssumeRoleCommand({ RoleArn: "arn:aws:iam::123456789012:role/deployer" } as Sts.AssumeRoleRequest)));
      expect(error.name).toBe("ValidationError");
      expect(error.message).toBe("1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
      // The SDK writes numbers itself; on the wire a query parameter is any text.
      const wrongType = await raw("sts", {
        contentType: "application/x-www-form-urlencoded",
        body: "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeployer&RoleSessionName=runway&DurationSeconds=an-hour",
      });
      expect(wrongType.status).toBe(400);
      expect(wrongType.text).toContain("<Code>ValidationError</Code>");
      expect(wrongType.text).toContain("Value &apos;an-hour&apos; at &apos;durationSeconds&apos; failed to satisfy constraint: Member must be a number");
    },
  },
  {
    signingName: "elasticloadbalancing",
    async drive() {
      const arn = elbv2.createTargetGroup("shop-green", { port: 8080 });
      elbv2.setTargets("shop-green", [
        { id: "10.0.1.5", port: 8080, state: "healthy" },
        { id: "10.0.1.6", port: 8080, state: "unhealthy", reason: "Target.FailedHealthChecks", description: "Health checks failed" },
      ]);
      await elbv2Client().send(new Elbv2.DescribeTargetGroupsCommand({ Names: ["shop-green"] }));
      await elbv2Client().send(new Elbv2.DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    },
    async refuse() {
      const error = await rejectionOf(elbv2Client().send(new Elbv2.DescribeTargetHealthCommand({} as Elbv2.DescribeTargetHealthInput)));
      expect(error.name).toBe("ValidationError");
      expect(error.message).toBe("1 validation error detected: Value null at 'targetGroupArn' failed to satisfy constraint: Member must not be null");
    },
  },
  {
    signingName: "lambda",
    async drive() {
      lambda.addFunction("shop-smoke", async () => ({ passed: true }), { versions: { "2": async () => ({ passed: false }) }, aliases: { live: "2" } });
      await lambdaClient().send(new Lambda.InvokeCommand({ FunctionName: "shop-smoke", Qualifier: "live", Payload: new TextEncoder().encode("{}") }));
      await lambdaClient().send(new Lambda.InvokeCommand({ FunctionName: "shop-smoke", InvocationType: "Event" }));
    },
    async refuse() {
      const error = await rejectionOf(lambdaClient().send(new Lambda.InvokeCommand({ FunctionName: "shop-smoke", InvocationType: "Later" as Lambda.InvocationType })));
      expect(error.name).toBe("ValidationException");
      expect(error.message).toBe("1 validation error detected: Value 'Later' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [DryRun, Event, RequestResponse]");
    },
  },
];

describe("the output check", () => {
  it("flags a member the model lacks, a missing required member, a misspelt enum and a timestamp the XML cannot carry", async () => {
    const issues = await checkResponse("sts", "AssumeRole", "query", {
      Credentials: { AccessKeyId: "ASIA", SecretAccessKey: "s", SessionToken: "t", Expiration: 1_700_000_000 },
      AssumedRoleUser: { Arn: "arn:aws:sts::1:assumed-role/r/s" },
      Extra: true,
    });
    expect(issues.map((i) => `${i.problem} ${i.path}`)).toEqual(["type credentials.expiration", "missing assumedRoleUser.assumedRoleId", "unknown Extra"]);
    const enumIssues = await checkResponse("codebuild", "BatchGetBuilds", "json", { builds: [{ id: "p:1", buildStatus: "RUNNING" }] });
    expect(enumIssues.map((i) => i.message)).toEqual([
      "Value 'RUNNING' at 'builds.1.member.buildStatus' failed to satisfy constraint: Member must satisfy enum value set: [FAILED, FAULT, IN_PROGRESS, STOPPED, SUCCEEDED, TIMED_OUT]",
    ]);
  });
});

describe.each(cases)("the $signingName emulation, held to its AWS model", ({ signingName, drive, refuse }) => {
  it("emulates only operations the model has", async () => {
    const model = await serviceModel(signingName);
    expect(model, `no installed client models ${signingName}`).toBeDefined();
    const unknown = Object.keys(serviceNamed(signingName).operations).filter((op) => !model!.operation(op));
    expect(unknown).toEqual([]);
  });

  it("answers every operation it emulates as the model's output shape says", async () => {
    const from = aws.calls.length;
    await drive();
    const { answered, issues } = answersSince(signingName, from);
    expect(issues).toEqual([]);
    const undriven = Object.keys(serviceNamed(signingName).operations).filter((op) => !answered.has(op));
    expect(undriven, "drive() must answer every emulated operation at least once").toEqual([]);
  });

  it("refuses a request the model refuses, as the service does", async () => {
    await refuse();
  });
});
