/**
 * The local stack: every Runway flow on one machine with no AWS account and no internet. The real
 * handlers run through their real middy stacks; their event sources are wired in-process (the SQS
 * event source mappings, the reconciler's and the redeliverer's schedules, EventBridge's build
 * events); their SDK clients reach embedded local services through the SDK's own endpoint
 * configuration. Webhook deliveries come from the local GitHub, which keeps the App's delivery log
 * and redelivers when asked, as GitHub does. Used by `npm start` and by integration tests.
 */
import type { SQSEvent } from "aws-lambda";
import { resetAwsClients } from "../aws/shared.ts";
import { setConfig } from "../config/runtime.ts";
import type { RunwayConfig } from "../config/schema.ts";
import { resetGitHubClients } from "../github/octokit.ts";
import { LOCAL_WEBHOOK_SECRET } from "./defaults.ts";
import { startLocalDynamo, type LocalDynamo } from "./dynamodb.ts";
import { githubComHost, startEnterpriseHost } from "./enterprise-host.ts";
import { createGitHubFake, type EnterpriseServerOptions, type GitHubFake } from "./github-fake/index.ts";
import { lambdaContext } from "./lambda-context.ts";
import { JOB_DLQ, PROTECTION_QUEUE, startLocalAws, type LocalAws } from "./local-aws.ts";
import { buildStateChangeEvent } from "./aws-emulator/services/codebuild/events.ts";
import { color, describeDelivery, describeJobMessage, describeMetrics, describeParked, type Print } from "./printer.ts";
import { captureEmf, type EmfDocument } from "../observability/emf-capture.ts";
import { metrics, setMetricsStage } from "../observability/metrics.ts";
import type { RedeliveryReport } from "../runners/redeliver.ts";
import { startLocalS3, type LocalS3 } from "./s3.ts";
import { startLocalServer, type LocalServer, type Mount } from "./server.ts";
import { runDeployDemo } from "./deploy-demo.ts";
import { runEcsDeployDemo } from "./deploy-demo-ecs.ts";
import { queuedDeploymentNotifier } from "../notify/deploy-notifier.ts";
import { namedScenario, simulateRunners } from "./simulated-runner.ts";
import { createSlackFake, type SlackFake } from "./slack-fake/index.ts";

export { LOCAL_WEBHOOK_SECRET } from "./defaults.ts";
export { JOB_DLQ, JOB_QUEUE, NOTIFY_QUEUE, PROTECTION_DLQ, PROTECTION_QUEUE } from "./local-aws.ts";

export const LOCAL_TABLE = "runway-local";
export const LOCAL_BUCKET = "runway-artifacts-local";

export interface LocalStackOptions {
  port?: number;
  host?: string;
  /** Configuration file (default: RUNWAY_CONFIG or ./runway.yml). */
  config?: string;
  /** Stage whose environments are served (default: RUNWAY_STAGE or "local"). */
  stage?: string;
  webhookSecret?: string;
  print?: Print;
  /** Pause between a simulated runner's steps (default 400 ms; tests use less). */
  runnerStepMs?: number;
  /** How long a simulated build waits for its conclusion marker (default: 20 half-steps). */
  markerWaitMs?: number;
  /** How often the reconciler runs (default 30 s). */
  reconcileEveryMs?: number;
  /** How often the redeliverer asks GitHub to redeliver failed deliveries (default 60 s). */
  redeliverEveryMs?: number;
  /** Simulate what runs inside each runner build (default true; benchmarks measure launching alone). */
  simulateRunners?: boolean;
  /** Run the Slack notifier on the notify queue (default true; benchmarks of launching leave it off). */
  slackNotifier?: boolean;
  /** A runner that took no job this long is stopped by the reconciler (default RUNWAY_IDLE_TIMEOUT_SECONDS or 120). */
  idleTimeoutSeconds?: number;
  /**
   * Talk to a GitHub Enterprise Server instead of github.com: the GitHub fake on a port of its own
   * (0, the default: any free one), API under `/api/v3`, web links on its host, and deliveries
   * without `withoutFields`, as an older release sends them (github-fake/enterprise-server.ts).
   */
  enterpriseServer?: EnterpriseServerOptions & { port?: number };
  /** Each EMF document the functions flush (as CloudWatch would read it from their logs); the terminal gets one `metric` line each. */
  onEmf?: (document: EmfDocument) => void;
}

export interface LocalStack extends LocalAws {
  url: string;
  webhookUrl: string;
  webhookSecret: string;
  server: LocalServer;
  dynamo: LocalDynamo;
  s3: LocalS3;
  github: GitHubFake;
  /** The functions' GITHUB_SERVER_URL and GITHUB_API_URL: github.com's, or the local Enterprise Server's. */
  githubServerUrl: string;
  githubApiUrl: string;
  slack: SlackFake;
  /** Run the reconciler now (as its schedule would). */
  reconcile(): Promise<unknown>;
  /** Run the redeliverer now (as its schedule would). */
  redeliver(): Promise<RedeliveryReport>;
  stop(): Promise<void>;
}

/**
 * Start everything; resolves when `GET /healthz` answers 200.
 *
 * @example
 * const stack = await startLocalStack({ port: 0, print: () => {} });
 * await fetch(stack.webhookUrl, { method: "POST", headers, body });
 * await stack.stop();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const print = options.print ?? ((line: string) => console.log(line));
  const webhookSecret = options.webhookSecret ?? process.env.GITHUB_WEBHOOK_SECRET ?? LOCAL_WEBHOOK_SECRET;
  if (options.config) process.env.RUNWAY_CONFIG = options.config;
  process.env.RUNWAY_STAGE = options.stage ?? process.env.RUNWAY_STAGE ?? "local";
  // Local services accept any credentials; a user's real ones, if set, are left alone.
  process.env.AWS_REGION ??= "eu-west-1";
  process.env.AWS_ACCESS_KEY_ID ??= "local";
  process.env.AWS_SECRET_ACCESS_KEY ??= "local";
  setConfig(undefined);
  // The functions' EMF lines, which Lambda would log and CloudWatch turn into metrics: one short
  // line each on the terminal instead of raw JSON. The stage dimension follows the stage served
  // (the metrics module may have been loaded before RUNWAY_STAGE was set).
  setMetricsStage(process.env.RUNWAY_STAGE ?? "local");
  const releaseEmf = captureEmf((document) => {
    options.onEmf?.(document);
    const line = describeMetrics(document);
    if (line) print(line);
  });

  const [dynamo, s3, aws] = await Promise.all([startLocalDynamo(LOCAL_TABLE), startLocalS3(LOCAL_BUCKET, { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY }), startLocalAws()]);
  const { port: enterprisePort = 0, ...enterpriseServer } = options.enterpriseServer ?? {};
  const github = createGitHubFake({
    print: (line) => print(`${color.dim(time())} ${line}`),
    cancelBeforeStart: (job) => namedScenario(job).cancelled,
    ...(options.enterpriseServer ? { enterpriseServer } : {}),
  });
  const slack = createSlackFake({ print: (line) => print(`${color.dim(time())} ${line}`) });

  const server = await startLocalServer({
    port: options.port ?? 3000,
    host: options.host ?? "127.0.0.1",
    // Resolved after the environment is set below, as Lambda imports a handler with its environment.
    webhook: (event, context) => webhook(event, context),
    // An Enterprise Server is a host of its own (below); github.com's API is played on this port.
    mounts: [...(options.enterpriseServer ? [] : [(req, res) => github.handle(req, res)] satisfies Mount[]), (req, res) => slack.handle(req, res), (req, res) => deployDemo(req, res)],
    onDelivery: (event, result, ms) => {
      print(describeDelivery(event.headers, result, ms));
      observeQueued(github, event, result.statusCode ?? 200);
    },
  });
  // The App's webhook: the fake signs and sends the in_progress / completed deliveries here.
  github.setWebhook({ url: `${server.url}/github/webhook`, secret: webhookSecret });
  const githubHost = options.enterpriseServer ? await startEnterpriseHost(github, options.host ?? "127.0.0.1", enterprisePort) : githubComHost(server.url, github);

  // The same variables a deployed function gets from serverless.yml, pointed at local services.
  Object.assign(process.env, {
    ...aws.endpoints,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    RUNWAY_TABLE: LOCAL_TABLE,
    RUNWAY_ARTIFACTS_BUCKET: LOCAL_BUCKET,
    RUNWAY_JOB_QUEUE_URL: aws.jobQueueUrl,
    RUNWAY_JOB_DLQ_URL: aws.jobDlqUrl,
    RUNWAY_NOTIFY_QUEUE_URL: aws.notifyQueueUrl,
    RUNWAY_PROTECTION_QUEUE_URL: aws.protectionQueueUrl,
    RUNWAY_PROTECTION_DLQ_URL: aws.protectionDlqUrl,
    RUNWAY_IDLE_TIMEOUT_SECONDS: String(options.idleTimeoutSeconds ?? process.env.RUNWAY_IDLE_TIMEOUT_SECONDS ?? 120),
    GITHUB_WEBHOOK_SECRET: webhookSecret,
    GITHUB_SERVER_URL: githubHost.serverUrl,
    GITHUB_API_URL: githubHost.apiUrl,
    GITHUB_APP_ID: String(github.app.id),
    GITHUB_APP_PRIVATE_KEY: github.app.privateKey,
    SLACK_API_URL: `${server.url}/slack/api/`,
    SLACK_BOT_TOKEN: process.env.SLACK_BOT_TOKEN ?? "xoxb-local-runway",
  });
  for (const name of ["GITHUB_WEBHOOK_SECRET_PARAMETER", "GITHUB_APP_PRIVATE_KEY_PARAMETER", "SLACK_BOT_TOKEN_PARAMETER"]) delete process.env[name];
  resetAwsClients();
  resetGitHubClients();

  const [{ handler: webhook }, { handler: launcher }, { handler: reconciler }, { handler: redeliverer }, { handler: notifier }, { handler: buildEvents }, { handler: protectionRule }, { jobMessageSchema }, { getConfig }] = await Promise.all([
    import("../../functions/github-webhook.ts"),
    import("../../functions/runner-launcher.ts"),
    import("../../functions/reconciler.ts"),
    import("../../functions/redeliverer.ts"),
    import("../../functions/slack-notifier.ts"),
    import("../../functions/build-events.ts"),
    import("../../functions/protection-rule.ts"),
    import("../jobs/job-message-schema.ts"),
    import("../config/runtime.ts"),
  ]);
  const config = await getConfig();
  aws.createProjects(config);
  addRunnerGroups(github, config);

  // A launch parked (refused, or given up on) gets a line of its own: why, and how to send it again.
  const parkedSeen = new Set<string>();
  const printParked = () => {
    for (const message of aws.sqs.messages(JOB_DLQ)) {
      if (parkedSeen.has(message.messageId)) continue;
      parkedSeen.add(message.messageId);
      print(describeParked(message.body, message.messageAttributes.reason?.StringValue));
    }
  };
  // Every invocation in flight, so that stop() lets them finish before the services close.
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  };

  const stops: (() => void | Promise<void>)[] = [
    aws.sqs.subscribe(aws.jobQueue, async (event: SQSEvent) => {
      for (const record of event.Records) print(describeJobMessage(jobMessageSchema.parse(JSON.parse(record.body))));
      return track(launcher(event, lambdaContext("runner-launcher", 60_000))).finally(printParked);
    }, LAMBDA_SQS_MAPPING),
    // Deployment protection rules the webhook queued: decided, and answered through GitHub's callback.
    aws.sqs.subscribe(PROTECTION_QUEUE, (event: SQSEvent) => track(protectionRule(event, lambdaContext("protection-rule", 60_000))), LAMBDA_SQS_MAPPING),
    options.slackNotifier === false ? () => undefined : aws.sqs.subscribe(aws.notifyQueue, (event: SQSEvent) => track(notifier(event, lambdaContext("slack-notifier", 30_000)))),
    aws.codebuild.onBuildStarted((build) => print(`${color.dim(time())} ${color.cyan("build  ")}  started ${build.id} for runner ${variable(build, "RUNWAY_RUNNER_NAME")}`)),
    aws.codebuild.onBuildFinished((build) => {
      const status = build.buildStatus ?? "?";
      const tint = status === "SUCCEEDED" ? color.green : color.red;
      const why = build.phases?.find((p) => p.phaseStatus && p.phaseStatus !== "SUCCEEDED")?.contexts?.[0]?.message;
      print(`${color.dim(time())} ${color.cyan("build  ")}  ${tint(status)} ${build.id}${why ? ` (${why})` : ""}`);
      // The EventBridge rule on "CodeBuild Build State Change" for the runner projects.
      void track(buildEvents(buildStateChangeEvent(build, { region: process.env.AWS_REGION }), lambdaContext("build-events", 30_000))).catch((error: unknown) =>
        print(color.red(`build-events: ${(error as Error).message}`)),
      );
    }),
    options.simulateRunners === false
      ? () => undefined
      : simulateRunners({ codebuild: aws.codebuild, ssm: aws.ssm, github, bucket: LOCAL_BUCKET, print, stepMs: options.runnerStepMs, markerWaitMs: options.markerWaitMs }),
  ];
  const reconcile = () => track(reconciler({}, lambdaContext("reconciler", 60_000))).finally(printParked);
  // POST /demo/deploy?outcome=pass|fail: a blue/green validation against a local "green" service,
  // by CodeDeploy's hook (the default) or, with controller=ecs, by ECS's own lifecycle hook.
  const deployDemo: Mount = async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/demo/deploy" || req.method !== "POST") return false;
    const outcome = url.searchParams.get("outcome") === "fail" ? "fail" : "pass";
    const demo = {
      emulator: aws.aws,
      outcome,
      services: aws,
      notifier: queuedDeploymentNotifier({ channel: "#deploys" }),
      print: (line: string) => print(`${color.dim(time())} ${color.cyan("deploy ")}  ${line}`),
    } as const;
    let body: unknown;
    try {
      if (url.searchParams.get("controller") === "ecs") {
        const result = await runEcsDeployDemo(demo);
        body = { controller: "ecs", serviceDeploymentArn: result.serviceDeploymentArn, hookStatus: result.hookStatus, invocations: result.invocations, stages: result.stages };
      } else {
        const result = await runDeployDemo(demo);
        body = { deploymentId: result.deploymentId, reportedStatus: result.reportedStatus, reports: result.reports.length };
      }
    } finally {
      // The demo calls the hooks' code, not their middy stacks: flush their verdicts as logMetrics would.
      metrics.publishStoredMetrics();
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
    return true;
  };
  const timer = setInterval(() => void reconcile().catch((error: unknown) => print(color.red(`reconciler: ${(error as Error).message}`))), options.reconcileEveryMs ?? 30_000);
  timer.unref();
  const redeliver = async () => {
    const report = await track(redeliverer({}, lambdaContext("redeliverer", 60_000)));
    const line = describeRedelivery(report);
    if (line) print(line);
    return report;
  };
  const redeliverTimer = setInterval(() => void redeliver().catch((error: unknown) => print(color.red(`redeliverer: ${(error as Error).message}`))), options.redeliverEveryMs ?? 60_000);
  redeliverTimer.unref();

  return {
    ...aws,
    url: server.url,
    webhookUrl: `${server.url}/github/webhook`,
    webhookSecret,
    server,
    dynamo,
    s3,
    github,
    githubServerUrl: githubHost.serverUrl,
    githubApiUrl: githubHost.apiUrl,
    slack,
    reconcile,
    redeliver,
    async stop() {
      clearInterval(timer);
      clearInterval(redeliverTimer);
      await Promise.all(stops.map((stop) => stop()));
      // Work already started (a launch, a notification, a simulated runner) finishes first.
      const deadline = Date.now() + 10_000;
      while (inFlight.size > 0 && Date.now() < deadline) await Promise.allSettled([...inFlight]);
      await Promise.all([server.close(), githubHost.close()]);
      await Promise.all([aws.close(), dynamo.close(), s3.close()]);
      releaseEmf();
    },
  };
}

/** As Lambda polls a FIFO queue: batches of up to ten, several message groups at once. */
const LAMBDA_SQS_MAPPING = { batchSize: 10, maxConcurrency: 10 };

const time = () => new Date().toISOString().slice(11, 23);
const variable = (build: { environment?: { environmentVariables?: { name?: string; value?: string }[] } }, name: string) =>
  build.environment?.environmentVariables?.find((v) => v.name === name)?.value;

/** One line for a redeliverer run that asked GitHub for something (quiet runs print nothing). */
function describeRedelivery(report: RedeliveryReport): string | undefined {
  if (report.redelivered.length === 0 && !report.stopped) return undefined;
  const good = report.madeGood.guid + report.madeGood.ledger + report.madeGood.later;
  const what = `asked GitHub to redeliver ${report.redelivered.length} failed webhook deliveries`;
  const stopped = report.stopped ? color.yellow(` (stopped early: ${report.stopped})`) : "";
  const counts = `${report.failed} failed attempts listed, ${good} made good since, ${report.superseded} tried again since; watermark ${report.watermark ?? "none"}`;
  return `${color.dim(time())} ${color.cyan("resend ")}  ${what}${stopped} ${color.dim(`(${counts})`)}`;
}

/**
 * A `queued` delivery someone sent the webhook (`runway deliver`, a test): GitHub knows that job
 * from now on. Not one the webhook refused as not GitHub's (a bad signature, a body it could not
 * read); a delivery it failed on (5xx) still describes a job GitHub has.
 */
function observeQueued(github: GitHubFake, event: { body?: string | undefined; isBase64Encoded: boolean; headers: Record<string, string | undefined> }, status: number): void {
  if (status >= 400 && status < 500) return;
  try {
    const raw = Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8").toString("utf8");
    const form = (event.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
    github.actions.observeQueued(JSON.parse(form ? (new URLSearchParams(raw).get("payload") ?? "") : raw));
  } catch {
    // Not JSON: nothing GitHub would have queued.
  }
}

/** The organisation runner groups runway.yml names exist on the local GitHub, open to all. */
function addRunnerGroups(github: GitHubFake, config: RunwayConfig): void {
  let nextId = 2;
  for (const env of Object.values(config.environments)) {
    const group = env.runners.group;
    if (env.runners.scope !== "org" || group === undefined) continue;
    if (typeof group === "number") {
      if (!github.state.runnerGroup(group)) github.state.addRunnerGroup(group);
    } else if (!github.state.runnerGroups.some((g) => g.name.toLowerCase() === group.toLowerCase())) {
      while (github.state.runnerGroup(nextId)) nextId++;
      github.state.addRunnerGroup({ id: nextId, name: group });
    }
  }
}
