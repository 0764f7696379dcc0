/**
 * The server's protocol handling, with tiny fixture services standing in for the real emulations:
 * each protocol is driven through the installed SDK client that speaks it.
 */
import { DescribeAlarmsCommand, InvalidNextToken } from "@aws-sdk/client-cloudwatch";
import { DeleteProjectCommand } from "@aws-sdk/client-codebuild";
import { DescribeTargetHealthCommand, TargetGroupNotFoundException } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetFunctionCommand, InvokeCommand, ResourceNotFoundException } from "@aws-sdk/client-lambda";
import { GetSessionTokenCommand } from "@aws-sdk/client-sts";
import { cbor } from "@smithy/core/cbor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloudWatchClient } from "../../../lib/aws/cloudwatch.ts";
import { codeBuildClient } from "../../../lib/aws/codebuild.ts";
import { elbv2Client } from "../../../lib/aws/elbv2.ts";
import { lambdaClient } from "../../../lib/aws/lambda.ts";
import { stsClient } from "../../../lib/aws/sts.ts";
import {
  AwsRawResponse,
  AwsServiceError,
  createCodeBuildEmulation,
  createStsEmulation,
  startAwsEmulator,
  type AwsEmulator,
  type ServiceEmulation,
} from "../../../lib/local/aws-emulator/index.ts";
import { pointClientsAt, rejectionOf } from "./helpers.ts";

const lambdaFixture: ServiceEmulation = {
  signingName: "lambda",
  protocol: "rest-json",
  operations: {
    Invoke: (input: { FunctionName: string; Payload: Uint8Array; Qualifier?: string; InvocationType?: string }) => {
      const payload = JSON.parse(Buffer.from(input.Payload).toString("utf8")) as { fail?: boolean };
      const body = payload.fail ? { errorType: "Error", errorMessage: "boom" } : { echoed: payload, name: input.FunctionName, qualifier: input.Qualifier };
      return new AwsRawResponse({
        headers: { "x-amz-executed-version": "7", ...(payload.fail ? { "x-amz-function-error": "Unhandled" } : {}) },
        body: JSON.stringify(body),
      });
    },
    GetFunction: (input: { FunctionName: string }) => {
      throw new AwsServiceError("ResourceNotFoundException", `Function not found: ${input.FunctionName}`, 404);
    },
  },
  routes: [
    {
      method: "POST",
      path: /^\/2015-03-31\/functions\/(?<FunctionName>[^/]+)\/invocations$/,
      operation: "Invoke",
      body: "raw",
      headers: { "x-amz-invocation-type": "InvocationType" },
    },
    { method: "GET", path: /^\/2015-03-31\/functions\/(?<FunctionName>[^/]+)$/, operation: "GetFunction" },
  ],
};

const cloudWatchFixture: ServiceEmulation = {
  signingName: "monitoring",
  protocol: "json",
  targetPrefix: "GraniteServiceVersion20100801",
  operations: {
    DescribeAlarms: (input: { AlarmNames?: string[]; NextToken?: string }) => {
      if (input.NextToken) throw new AwsServiceError("InvalidNextToken", "The next token is not valid.");
      return {
        MetricAlarms: (input.AlarmNames ?? []).map((name) => ({ AlarmName: name, StateValue: "OK", StateUpdatedTimestamp: new Date("2025-01-02T03:04:05Z") })),
      };
    },
  },
};

let seenElbInput: Record<string, unknown> | undefined;
const elbFixture: ServiceEmulation = {
  signingName: "elasticloadbalancing",
  protocol: "query",
  xmlNamespace: "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
  operations: {
    DescribeTargetHealth: (input: { TargetGroupArn: string; Targets?: Array<{ Id: string; Port?: string }> }) => {
      seenElbInput = input;
      if (input.TargetGroupArn.endsWith("/missing")) throw new AwsServiceError("TargetGroupNotFound", "One or more target groups not found");
      return {
        TargetHealthDescriptions: (input.Targets ?? []).map((t) => ({
          Target: { Id: t.Id, Port: Number(t.Port) },
          TargetHealth: { State: "healthy" },
        })),
      };
    },
  },
};

let aws: AwsEmulator;
let restore: () => void;

beforeAll(async () => {
  aws = await startAwsEmulator({ services: [createCodeBuildEmulation(), createStsEmulation()] });
  for (const fixture of [lambdaFixture, cloudWatchFixture, elbFixture]) aws.register(fixture);
  restore = pointClientsAt(aws.url);
});

afterAll(async () => {
  restore();
  await aws.close();
});

describe("AWS emulator server", () => {
  it("routes rest-json by method and path, passing Lambda Invoke's raw payload and headers through", async () => {
    const ok = await lambdaClient().send(
      new InvokeCommand({ FunctionName: "arn:aws:lambda:eu-west-1:000000000000:function:hook", Qualifier: "live", Payload: JSON.stringify({ a: 1 }) }),
    );
    expect(ok.StatusCode).toBe(200);
    expect(ok.ExecutedVersion).toBe("7");
    expect(ok.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(ok.Payload!).toString())).toEqual({
      echoed: { a: 1 },
      name: "arn:aws:lambda:eu-west-1:000000000000:function:hook",
      qualifier: "live",
    });
    const failed = await lambdaClient().send(new InvokeCommand({ FunctionName: "hook", Payload: JSON.stringify({ fail: true }) }));
    expect(failed.FunctionError).toBe("Unhandled");
    const error = await rejectionOf(lambdaClient().send(new GetFunctionCommand({ FunctionName: "ghost" })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it("serves CloudWatch's JSON 1.0 with query-compatible errors", async () => {
    const out = await cloudWatchClient().send(new DescribeAlarmsCommand({ AlarmNames: ["api-5xx"] }));
    expect(out.MetricAlarms?.[0]).toMatchObject({ AlarmName: "api-5xx", StateValue: "OK" });
    expect(out.MetricAlarms?.[0]?.StateUpdatedTimestamp?.toISOString()).toBe("2025-01-02T03:04:05.000Z");
    const error = await rejectionOf(cloudWatchClient().send(new DescribeAlarmsCommand({ NextToken: "bad" })));
    expect(error).toBeInstanceOf(InvalidNextToken);
  });

  it("decodes query-protocol lists and encodes XML answers and errors the SDK parses", async () => {
    const out = await elbv2Client().send(
      new DescribeTargetHealthCommand({ TargetGroupArn: "arn:tg/green", Targets: [{ Id: "10.0.0.1", Port: 8080 }, { Id: "10.0.0.2", Port: 8080 }] }),
    );
    expect(seenElbInput).toEqual({ TargetGroupArn: "arn:tg/green", Targets: [{ Id: "10.0.0.1", Port: "8080" }, { Id: "10.0.0.2", Port: "8080" }] });
    expect(out.TargetHealthDescriptions?.map((d) => [d.Target?.Id, d.Target?.Port, d.TargetHealth?.State])).toEqual([
      ["10.0.0.1", 8080, "healthy"],
      ["10.0.0.2", 8080, "healthy"],
    ]);
    const error = await rejectionOf(elbv2Client().send(new DescribeTargetHealthCommand({ TargetGroupArn: "arn:tg/missing" })));
    expect(error).toBeInstanceOf(TargetGroupNotFoundException);
  });

  it("answers operations nobody emulates with the protocol's unknown-operation error", async () => {
    const json = await rejectionOf(codeBuildClient().send(new DeleteProjectCommand({ name: "x" })));
    expect(json.name).toBe("UnknownOperationException");
    const query = await rejectionOf(stsClient().send(new GetSessionTokenCommand({})));
    expect(query.name).toBe("InvalidAction");
  });

  it("routes unsigned requests by X-Amz-Target and records every call", async () => {
    const response = await fetch(aws.url, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "CodeBuild_20161006.BatchGetProjects" },
      body: JSON.stringify({ names: ["nothing"] }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ projects: [], projectsNotFound: ["nothing"] });
    expect(aws.calls.at(-1)).toMatchObject({ service: "codebuild", operation: "BatchGetProjects", input: { names: ["nothing"] } });
  });

  it("speaks Smithy RPC v2 CBOR for clients that use it", async () => {
    const response = await fetch(`${aws.url}/service/GraniteServiceVersion20100801/operation/DescribeAlarms`, {
      method: "POST",
      headers: { "content-type": "application/cbor", "smithy-protocol": "rpc-v2-cbor", accept: "application/cbor" },
      body: Buffer.from(cbor.serialize({ AlarmNames: ["cpu"] })),
    });
    expect(response.headers.get("smithy-protocol")).toBe("rpc-v2-cbor");
    const decoded = cbor.deserialize(new Uint8Array(await response.arrayBuffer())) as { MetricAlarms: Array<{ AlarmName: string }> };
    expect(decoded.MetricAlarms[0]?.AlarmName).toBe("cpu");
  });
});
