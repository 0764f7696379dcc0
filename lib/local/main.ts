/**
 * `npm start`: the local stack on 127.0.0.1:$PORT (default 3000) until Ctrl-C.
 */

const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  console.error(`Runway needs Node.js 24 (this is ${process.version}): run it through npm (npm start), which uses the Node 24 in node_modules.`);
  process.exit(1);
}

// The terminal gets one readable line per event; the JSON lines Lambda would log are there with
// POWERTOOLS_LOG_LEVEL=INFO. Set before the handlers (and their logger) are imported.
process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
const { color } = await import("./printer.ts");
const { LOCAL_WEBHOOK_SECRET, startLocalStack } = await import("./stack.ts");

const stack = await startLocalStack({ port: Number(process.env.PORT ?? 3000) });
const secretNote = stack.webhookSecret === LOCAL_WEBHOOK_SECRET ? " (the local default; set GITHUB_WEBHOOK_SECRET to change it)" : " (from GITHUB_WEBHOOK_SECRET)";
console.log(
  [
    "",
    `${color.bold("Runway")} is running locally: no AWS account, no internet.`,
    `  webhook   POST ${stack.webhookUrl}`,
    `  secret    ${stack.webhookSecret}${secretNote}`,
    `  Slack     ${stack.url}/slack  (the threads, as Slack would show them)`,
    `  health    GET  ${stack.url}/healthz`,
    `  AWS       ${stack.aws.url} (SQS, CodeBuild, SSM, STS, CodeDeploy, ECS, ELB, CloudWatch, Lambda)`,
    `            DynamoDB ${stack.dynamo.endpoint}, S3 ${stack.s3.endpoint}, GitHub ${stack.url}/github/api`,
    "",
    `From another terminal:`,
    `  npx runway deliver --workflow action-payments-dev-deploy                       ${color.dim("# → dev: launched, runner takes the job, build SUCCEEDED")}`,
    `  npx runway deliver --workflow action-payments-dev-deploy --job-name "deploy (fail)" ${color.dim("# → the job fails at Deploy, build FAILED")}`,
    `  npx runway deliver --workflow action-payments-dev-deploy --secret wrong        ${color.dim("# → 401, nothing happens")}`,
    `  curl -X POST '${stack.url}/demo/deploy?outcome=pass'                  ${color.dim("# a blue/green hook validation (or outcome=fail)")}`,
    "",
  ].join("\n"),
);

const stop = async () => {
  await stack.stop();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
