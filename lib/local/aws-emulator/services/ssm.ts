/**
 * SSM Parameter Store over AWS JSON 1.1 (`AmazonSSM.<Operation>`): the parameters Runway writes
 * (JIT runner configs) and reads (secrets). There is no KMS here: a SecureString is stored as given
 * and returned whether or not `WithDecryption` is set; tests that care see the flag in the
 * emulator's recorded calls.
 */
import { AwsServiceError, type ServiceEmulation } from "../types.ts";

export interface StoredParameter {
  name: string;
  value: string;
  type: "String" | "StringList" | "SecureString";
  version: number;
  lastModified: Date;
}

export interface SsmEmulation extends ServiceEmulation {
  /** Every parameter, by name (live view: read, do not mutate). */
  parameters(): ReadonlyMap<string, StoredParameter>;
  /** Set a parameter without the API (the local stack's boot). */
  put(name: string, value: string, type?: StoredParameter["type"]): void;
}

const notFound = (name: string) => new AwsServiceError("ParameterNotFound", `Parameter ${name} not found.`);

export function createSsmEmulation(options: { accountId?: string; region?: string } = {}): SsmEmulation {
  const accountId = options.accountId ?? "000000000000";
  const region = options.region ?? process.env.AWS_REGION ?? "us-east-1";
  const store = new Map<string, StoredParameter>();
  const shape = (p: StoredParameter) => ({
    Name: p.name,
    Type: p.type,
    Value: p.value,
    Version: p.version,
    LastModifiedDate: p.lastModified.getTime() / 1000,
    ARN: `arn:aws:ssm:${region}:${accountId}:parameter${p.name.startsWith("/") ? "" : "/"}${p.name}`,
    DataType: "text",
  });
  const put = (name: string, value: string, type: StoredParameter["type"] = "String") => {
    const version = (store.get(name)?.version ?? 0) + 1;
    store.set(name, { name, value, type, version, lastModified: new Date() });
    return version;
  };

  return {
    signingName: "ssm",
    protocol: "json",
    targetPrefix: "AmazonSSM",
    parameters: () => store,
    put,
    operations: {
      PutParameter(input: { Name?: string; Value?: string; Type?: StoredParameter["type"]; Overwrite?: boolean }) {
        if (!input.Name || input.Value === undefined) throw new AwsServiceError("ValidationException", "Name and Value are required");
        if (input.Value.length > 4096) throw new AwsServiceError("ValidationException", "Standard parameters hold at most 4096 characters");
        if (store.has(input.Name) && !input.Overwrite) throw new AwsServiceError("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
        return { Version: put(input.Name, input.Value, input.Type ?? "String"), Tier: "Standard" };
      },
      GetParameter(input: { Name: string }) {
        const parameter = store.get(input.Name);
        if (!parameter) throw notFound(input.Name);
        return { Parameter: shape(parameter) };
      },
      GetParameters(input: { Names: string[] }) {
        const found = input.Names.filter((n) => store.has(n));
        return { Parameters: found.map((n) => shape(store.get(n)!)), InvalidParameters: input.Names.filter((n) => !store.has(n)) };
      },
      DeleteParameter(input: { Name: string }) {
        if (!store.delete(input.Name)) throw notFound(input.Name);
        return {};
      },
      DeleteParameters(input: { Names: string[] }) {
        const deleted = input.Names.filter((n) => store.delete(n));
        return { DeletedParameters: deleted, InvalidParameters: input.Names.filter((n) => !deleted.includes(n)) };
      },
    },
  };
}
