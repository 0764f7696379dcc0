/**
 * AWS console links for what an event names, used when the producer did not give its own. They
 * open in the account the reader is signed in to, so they are only useful to people with access,
 * which is the point: artifacts, which must open for everybody in the channel, come presigned.
 */
import type { BuildInfo, DeploymentInfo } from "../events.ts";

function consoleBase(region: string): string {
  return `https://${encodeURIComponent(region)}.console.aws.amazon.com`;
}

/** The build's page in the CodeBuild console. */
export function buildConsoleUrl(build: BuildInfo): string {
  if (build.consoleUrl) return build.consoleUrl;
  const project = encodeURIComponent(build.project);
  return `${consoleBase(build.region)}/codesuite/codebuild/projects/${project}/build/${encodeURIComponent(build.id)}/?region=${build.region}`;
}

/** The build's log: the CloudWatch deep link when known, else the console's log tab. */
export function buildLogsUrl(build: BuildInfo): string {
  if (build.logsUrl) return build.logsUrl;
  const project = encodeURIComponent(build.project);
  return `${consoleBase(build.region)}/codesuite/codebuild/projects/${project}/build/${encodeURIComponent(build.id)}/log?region=${build.region}`;
}

/** The deployment's page in the CodeDeploy console (a CodeDeploy deployment in a known region only). */
export function deploymentConsoleUrl(deployment: DeploymentInfo): string | undefined {
  if (deployment.consoleUrl) return deployment.consoleUrl;
  if (!deployment.region || !/^d-[A-Z0-9]+$/.test(deployment.id)) return undefined;
  return `${consoleBase(deployment.region)}/codesuite/codedeploy/deployments/${encodeURIComponent(deployment.id)}?region=${deployment.region}`;
}
