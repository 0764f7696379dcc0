/**
 * What `npm start` prints once the local stack listens: where each part is, and how to try it.
 * The webhook secret is shown only when it is the public local default; a secret of one's own
 * (GITHUB_WEBHOOK_SECRET) is named by where it came from, never printed — terminal scrollback and
 * CI logs keep what is printed.
 */
import { LOCAL_WEBHOOK_SECRET } from "./defaults.ts";
import { color } from "./printer.ts";
import type { LocalStack } from "./stack.ts";

/** The banner's facts: the stack's addresses and its secret (whose value is never printed unless it is the default). */
export type BannerStack = Pick<LocalStack, "url" | "webhookUrl" | "webhookSecret" | "githubApiUrl"> & {
  aws: Pick<LocalStack["aws"], "url">;
  dynamo: Pick<LocalStack["dynamo"], "endpoint">;
  s3: Pick<LocalStack["s3"], "endpoint">;
};

/**
 * The `secret` line's text: the default's value, else where the secret came from.
 *
 * @example
 * secretLine("runway-local-webhook-secret", {}); // "runway-local-webhook-secret (the local default; …)"
 * secretLine("s3cr3t", { GITHUB_WEBHOOK_SECRET: "s3cr3t" }); // "from GITHUB_WEBHOOK_SECRET (not shown)"
 */
export function secretLine(secret: string, env: Readonly<Record<string, string | undefined>>): string {
  if (secret === LOCAL_WEBHOOK_SECRET) return `${secret} (the local default; set GITHUB_WEBHOOK_SECRET to change it)`;
  const from = env.GITHUB_WEBHOOK_SECRET === secret ? "from GITHUB_WEBHOOK_SECRET" : "given to the local stack";
  return `${from} (not shown; runway deliver signs with it)`;
}

/** The banner, one string of lines. */
export function banner(stack: BannerStack, env: Readonly<Record<string, string | undefined>>): string {
  return [
    "",
    `${color.bold("Runway")} is running locally: no AWS account, no internet.`,
    `  webhook   POST ${stack.webhookUrl}`,
    `  secret    ${secretLine(stack.webhookSecret, env)}`,
    `  Slack     ${stack.url}/slack  (the threads, as Slack would show them)`,
    `  health    GET  ${stack.url}/healthz`,
    `  AWS       ${stack.aws.url} (SQS, CodeBuild, SSM, STS, CodeDeploy, ECS, ELB, CloudWatch, Lambda)`,
    `            DynamoDB ${stack.dynamo.endpoint}, S3 ${stack.s3.endpoint}, GitHub ${stack.githubApiUrl}`,
    "",
    `From another terminal:`,
    `  npx runway deliver --workflow action-payments-dev-deploy                       ${color.dim("# → dev: launched, runner takes the job, build SUCCEEDED")}`,
    `  npx runway deliver --workflow action-payments-dev-deploy --job-name "deploy (fail)" ${color.dim("# → the job fails at Deploy, build FAILED")}`,
    `  npx runway deliver --workflow action-payments-dev-deploy --secret wrong        ${color.dim("# → 401, nothing happens")}`,
    `  curl -X POST '${stack.url}/demo/deploy?outcome=pass'                  ${color.dim("# a blue/green hook validation (or outcome=fail)")}`,
    "",
  ].join("\n");
}
