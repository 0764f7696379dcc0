/** The CodeBuild client (runner builds), created on first use per region, or per role and region. */
import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import { clientSettings, regional, type AwsTarget } from "./shared.ts";
import { assumedClient } from "./sts-credentials.ts";

export const codeBuildClient = /* @__PURE__ */ regional("codebuild", (region) => new CodeBuildClient({ ...clientSettings(region) }));

/**
 * CodeBuild in an environment's account (`codebuild.roleArn`) and region.
 *
 * @example
 * await codeBuildClientFor({ region: "eu-west-1", roleArn }).send(new StartBuildCommand({ projectName }));
 */
export function codeBuildClientFor(target: AwsTarget): CodeBuildClient {
  return target.roleArn ? assumedClient("codebuild", { ...target, roleArn: target.roleArn }, (o) => new CodeBuildClient(o)) : codeBuildClient(target.region);
}
