import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { stsClient } from "../../../lib/aws/sts.ts";
import { createStsEmulation, startAwsEmulator, type AwsEmulator, type StsEmulation } from "../../../lib/local/aws-emulator/index.ts";
import { pointClientsAt, rejectionOf } from "./helpers.ts";

let aws: AwsEmulator;
let sts: StsEmulation;
let restore: () => void;

beforeAll(async () => {
  sts = createStsEmulation();
  aws = await startAwsEmulator({ services: [sts] });
  restore = pointClientsAt(aws.url);
});

afterAll(async () => {
  restore();
  await aws.close();
});

describe("STS emulation through @aws-sdk/client-sts (query protocol)", () => {
  it("assumes a role with temporary credentials and records it", async () => {
    const out = await stsClient().send(
      new AssumeRoleCommand({ RoleArn: "arn:aws:iam::123456789012:role/deployer", RoleSessionName: "runway-deploy", ExternalId: "ext-1" }),
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials?.SecretAccessKey).toBeTruthy();
    expect(out.Credentials?.SessionToken).toBeTruthy();
    expect(out.Credentials?.Expiration).toBeInstanceOf(Date);
    expect(out.Credentials!.Expiration!.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect(out.AssumedRoleUser).toMatchObject({ Arn: "arn:aws:sts::123456789012:assumed-role/deployer/runway-deploy" });
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]+:runway-deploy$/);
    expect(sts.assumedRoles().at(-1)).toMatchObject({
      roleArn: "arn:aws:iam::123456789012:role/deployer",
      roleSessionName: "runway-deploy",
      externalId: "ext-1",
      durationSeconds: 3600,
      accessKeyId: out.Credentials?.AccessKeyId,
    });
  });

  it("answers GetCallerIdentity for whoever signs: the local user, or the assumed role", async () => {
    await expect(stsClient().send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Account: "000000000000",
      Arn: "arn:aws:iam::000000000000:user/local",
    });
    const { Credentials } = await stsClient().send(
      new AssumeRoleCommand({ RoleArn: "arn:aws:iam::123456789012:role/reader", RoleSessionName: "check" }),
    );
    const saved = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = Credentials!.AccessKeyId!;
    process.env.AWS_SECRET_ACCESS_KEY = Credentials!.SecretAccessKey!;
    process.env.AWS_SESSION_TOKEN = Credentials!.SessionToken!;
    resetAwsClients();
    try {
      await expect(stsClient().send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
        Account: "123456789012",
        Arn: "arn:aws:sts::123456789012:assumed-role/reader/check",
      });
    } finally {
      for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
      resetAwsClients();
    }
  });

  it("rejects a malformed role ARN with an XML ValidationError the SDK reads", async () => {
    const error = await rejectionOf(stsClient().send(new AssumeRoleCommand({ RoleArn: "not-an-arn", RoleSessionName: "x1" })));
    expect(error.name).toBe("ValidationError");
    expect(error.message).toContain("not-an-arn");
    expect(error.$metadata.httpStatusCode).toBe(400);
  });
});
