/**
 * STS over the AWS query protocol (form-encoded requests, XML answers), as @aws-sdk/client-sts
 * speaks it: AssumeRole hands out temporary credentials (ASIA… keys) and records the call;
 * GetCallerIdentity answers for the assumed role when called with its keys. No policy is
 * evaluated: every role can be assumed.
 */
import { randomBytes } from "node:crypto";
import { AwsServiceError, type AwsRequest, type ServiceEmulation } from "../types.ts";

export interface AssumedRole {
  roleArn: string;
  roleSessionName: string;
  externalId?: string;
  durationSeconds: number;
  accessKeyId: string;
  expiration: Date;
  at: Date;
}

export interface StsEmulationOptions {
  /** Account of the caller that is not using assumed-role keys (default 000000000000). */
  accountId?: string;
}

export interface StsEmulation extends ServiceEmulation {
  /** Every successful AssumeRole, oldest first. */
  assumedRoles(): readonly AssumedRole[];
}

const validation = (message: string) => new AwsServiceError("ValidationError", message);
const token = (alphabet: string, length: number) =>
  Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join("");
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * @example
 * const sts = createStsEmulation();
 * // … after the code under test ran
 * expect(sts.assumedRoles()[0]?.roleArn).toBe("arn:aws:iam::123456789012:role/deployer");
 */
export function createStsEmulation(options: StsEmulationOptions = {}): StsEmulation {
  const accountId = options.accountId ?? "000000000000";
  const assumed: AssumedRole[] = [];
  const callerKey = (request: AwsRequest) => /Credential=([^/]+)\//.exec(request.headers.authorization ?? "")?.[1];

  return {
    signingName: "sts",
    protocol: "query",
    xmlNamespace: "https://sts.amazonaws.com/doc/2011-06-15/",
    operations: {
      AssumeRole: (input: { RoleArn?: string; RoleSessionName?: string; DurationSeconds?: string; ExternalId?: string }) => {
        const roleArn = input.RoleArn ?? "";
        const match = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(roleArn);
        if (!match) throw validation(`${roleArn || "RoleArn"} is invalid: it must be an IAM role ARN (arn:aws:iam::123456789012:role/name)`);
        const session = input.RoleSessionName ?? "";
        if (!/^[\w+=,.@-]{2,64}$/.test(session)) {
          throw validation("1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}");
        }
        const durationSeconds = input.DurationSeconds === undefined ? 3600 : Number(input.DurationSeconds);
        if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43200) {
          throw validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }
        const at = new Date();
        const expiration = new Date(at.getTime() + durationSeconds * 1000);
        const accessKeyId = `ASIA${token(UPPER, 16)}`;
        const roleId = `AROA${token(UPPER, 17)}`;
        assumed.push({
          roleArn,
          roleSessionName: session,
          ...(input.ExternalId !== undefined ? { externalId: input.ExternalId } : {}),
          durationSeconds,
          accessKeyId,
          expiration,
          at,
        });
        return {
          Credentials: {
            AccessKeyId: accessKeyId,
            SecretAccessKey: randomBytes(30).toString("base64"),
            SessionToken: `IQoJb3JpZ2luX2VtEMU${randomBytes(96).toString("base64")}`,
            Expiration: expiration,
          },
          AssumedRoleUser: {
            AssumedRoleId: `${roleId}:${session}`,
            Arn: `arn:aws:sts::${match[1]}:assumed-role/${match[2]}/${session}`,
          },
        };
      },
      GetCallerIdentity: (_input: unknown, request) => {
        const key = callerKey(request);
        const role = [...assumed].reverse().find((a) => a.accessKeyId === key);
        if (role) {
          const [, , , , account = accountId, resource = ""] = role.roleArn.split(":");
          return {
            UserId: `AROAEMULATED:${role.roleSessionName}`,
            Account: account,
            Arn: `arn:aws:sts::${account}:assumed-role/${resource.split("/").pop()}/${role.roleSessionName}`,
          };
        }
        return { UserId: "AIDAEMULATEDLOCALUSER", Account: accountId, Arn: `arn:aws:iam::${accountId}:user/local` };
      },
    },
    assumedRoles: () => assumed,
  };
}
