/**
 * Clients in an environment's own account: credentials for `AwsTarget.roleArn` through STS
 * AssumeRole, refreshed by the provider before they expire. One client per service, region and
 * role is kept for the container's life.
 */
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { AWS_MAX_ATTEMPTS, environmentCredentials, memoised, type AwsTarget } from "./shared.ts";

export type AssumedClientOptions = { region?: string | undefined; maxAttempts: number; credentials: ReturnType<typeof fromTemporaryCredentials> };

/**
 * A client of `service` that acts as `target.roleArn` in `target.region`.
 *
 * @example
 * const codebuild = assumedClient("codebuild", { roleArn }, (o) => new CodeBuildClient(o));
 */
export function assumedClient<T>(service: string, target: AwsTarget & { roleArn: string }, create: (options: AssumedClientOptions) => T): T {
  return memoised("assumed", `${service}|${target.region ?? ""}|${target.roleArn}`, () =>
    create({
      region: target.region,
      maxAttempts: AWS_MAX_ATTEMPTS,
      // The function's own credentials sign the AssumeRole call (the SDK's chain when they are not in the environment).
      credentials: fromTemporaryCredentials({ params: { RoleArn: target.roleArn, RoleSessionName: "runway-launcher", DurationSeconds: 900 }, masterCredentials: environmentCredentials() }),
    }),
  );
}
