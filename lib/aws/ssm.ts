/** The SSM client (secrets, JIT parameters), created on first use per region, or per role and region. */
import { SSMClient } from "@aws-sdk/client-ssm";
import { clientSettings, regional, type AwsTarget } from "./shared.ts";
import { assumedClient } from "./sts-credentials.ts";

export const ssmClient = /* @__PURE__ */ regional("ssm", (region) => new SSMClient({ ...clientSettings(region) }));

/**
 * SSM in an environment's account and region. The JIT parameter is written through the same role
 * as the build is started, because CodeBuild resolves a PARAMETER_STORE variable in its own account.
 *
 * @example
 * await ssmClientFor({ roleArn }).send(new PutParameterCommand({ Name, Value, Type: "SecureString" }));
 */
export function ssmClientFor(target: AwsTarget): SSMClient {
  return target.roleArn ? assumedClient("ssm", { ...target, roleArn: target.roleArn }, (o) => new SSMClient(o)) : ssmClient(target.region);
}
