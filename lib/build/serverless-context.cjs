/**
 * What serverless.yml needs to know about runway.yml for the stage being packaged: which
 * environments the stage serves, which of their CodeBuild projects this stack creates, which live
 * in another account or region (reached through `codebuild.roleArn`), each one's runner image and
 * deploy policies (`codebuild.image`, `runnerPolicyArns`), and what the `deploy:` section lets the
 * hook validators touch. Also the ARN helpers every generated resource uses.
 *
 * CommonJS because osls loads `${file(...)}` sources and local plugins with require(). It reads
 * the same file as lib/build/bundle.ts (`RUNWAY_CONFIG`, else ./runway.yml), which validates it
 * first in `npm run package`; defaults are applied here the way lib/config/schema.ts applies them.
 * Nothing here needs AWS credentials or the network.
 */
"use strict";

const { readFileSync } = require("node:fs");
const { resolve } = require("node:path");
const { parse } = require("yaml");

const ROOT = resolve(__dirname, "../..");
const DEFAULT_CONCURRENCY = 10;

/** Parameter Store paths of the stage's secrets: created by the operator, never by the template. */
const secretNames = (stage) => ({
  webhookSecret: `/runway/${stage}/github-webhook-secret`,
  githubAppKey: `/runway/${stage}/github-app-private-key`,
  // More GitHub Apps for JIT registrations (lib/github/apps.ts): their list and each one's key.
  githubApps: `/runway/${stage}/github-apps`,
  githubAppsKeys: `/runway/${stage}/github-apps/*`,
  runnerReleasesToken: `/runway/${stage}/runner-releases-token`,
  slackBotToken: `/runway/${stage}/slack-bot-token`,
  slackWebhookUrl: `/runway/${stage}/slack-webhook-url`,
  jitPrefix: `/runway/${stage}/jit`,
});

/** `{ "Fn::Sub": ... }` for an ARN in this stack's partition (and, unless given, its account and region). */
function arn(service, resource, { region = "${AWS::Region}", account = "${AWS::AccountId}" } = {}) {
  return { "Fn::Sub": `arn:\${AWS::Partition}:${service}:${region}:${account}:${resource}` };
}

const accountOf = (roleArn) => roleArn.split(":")[4];

class RunwayConfigForStageError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = "RunwayConfigForStageError";
    // osls prints a rejected variable's stack: a configuration mistake needs the message, not frames.
    this.stack = `${this.name}: ${message}`;
  }
}

/**
 * runway.yml as seen by the stage `stage` deployed in `region`.
 *
 * @example
 * const ctx = runwayContext({ stage: "dev", region: "eu-west-1" });
 * ctx.localEnvironments.map((e) => e.project); // ["runway-runner-dev"]
 */
function runwayContext({ stage, region, configFile = process.env.RUNWAY_CONFIG ?? "runway.yml" }) {
  const file = resolve(configFile);
  let config;
  try {
    config = parse(readFileSync(file, "utf8")) ?? {};
  } catch (error) {
    throw new RunwayConfigForStageError(`cannot read ${file} (${error.message}); run \`npx runway check-config\``, { cause: error });
  }
  const environments = config.environments ?? {};
  const stages = config.stages ?? {};
  let served;
  if (Object.keys(stages).length === 0 || stages[stage] === "all") served = Object.keys(environments);
  else if (stages[stage] === undefined) {
    throw new RunwayConfigForStageError(
      `stage "${stage}" is not listed under stages: in ${file} (it lists ${Object.keys(stages).join(", ")}); add it, e.g. "${stage}: [dev]", or deploy one of those stages`,
    );
  } else served = stages[stage];

  const targets = served.map((name) => {
    const env = environments[name];
    if (!env?.codebuild?.project) throw new RunwayConfigForStageError(`stage "${stage}" serves "${name}", which ${file} does not define with a codebuild.project`);
    const projectRegion = env.codebuild.region ?? region;
    const roleArn = env.codebuild.roleArn;
    return {
      name,
      project: env.codebuild.project,
      region: projectRegion,
      roleArn,
      account: roleArn ? accountOf(roleArn) : undefined,
      concurrency: env.concurrency ?? DEFAULT_CONCURRENCY,
      /** The environment's runner image; undefined: the stage's `runnerImage` param. */
      image: env.codebuild.image,
      allowOverrides: env.codebuild.allowOverrides ?? [],
      /** Managed policies of this environment's runner role only (what its deploy jobs need). */
      runnerPolicyArns: env.runnerPolicyArns ?? [],
      // This stack can only create a project in its own account and region.
      local: !roleArn && projectRegion === region,
    };
  });

  // The stage's environments share its artifacts bucket, where a runner's build records are
  // fenced by project (builds/<project>:<uuid>/): two environments on one project name would share them.
  const projectOwner = new Map();
  for (const t of targets) {
    const other = projectOwner.get(t.project);
    if (other) {
      throw new RunwayConfigForStageError(
        `environments ${other} and ${t.name}, both served by stage "${stage}", use the same codebuild.project ${t.project}; give each environment a project of its own, since runner roles are fenced by project (builds/<project>:<uuid>/)`,
      );
    }
    projectOwner.set(t.project, t.name);
  }

  return {
    stage,
    region,
    root: ROOT,
    configFile: file,
    secrets: secretNames(stage),
    environments: targets,
    localEnvironments: targets.filter((t) => t.local),
    /** Environments whose project this stack does not create: another account, or another region. */
    remoteEnvironments: targets.filter((t) => !t.local),
    notifyMode: config.notify?.mode ?? "bot",
    deploy: deployAccess(config.deploy),
    protection: protectionAccess(config.protection),
  };
}

/** What the protection-rule function reads: the alarms its rules name. */
function protectionAccess(protection) {
  const alarms = new Set();
  for (const rule of Object.values(protection?.environments ?? {})) {
    const declared = rule?.alarms;
    const names = Array.isArray(declared) ? declared : (declared?.names ?? []);
    for (const name of names) alarms.add(name);
  }
  return { alarms: [...alarms].sort() };
}

/** What the hook validators may read and invoke, from the `deploy:` section. */
function deployAccess(deploy) {
  const applications = deploy?.applications ?? {};
  const deploymentGroups = [];
  const alarms = new Set();
  const functions = new Set();
  let invokesDeployedFunction = false;
  let metrics = false;
  for (const [application, { deploymentGroups: groups = {} } = {}] of Object.entries(applications)) {
    for (const [group, { hooks = {} } = {}] of Object.entries(groups)) {
      deploymentGroups.push(`${application}/${group}`);
      for (const hook of Object.values(hooks)) {
        for (const check of hook?.checks ?? []) {
          if (check.type === "alarms") for (const name of check.names ?? []) alarms.add(name);
          if (check.type === "cloudwatch") metrics = true;
          if (check.type === "lambda") {
            // No name, or a {placeholder}: the function is only known once a deployment runs.
            if (!check.functionName || check.functionName.includes("{")) invokesDeployedFunction = true;
            else functions.add(check.functionName);
          }
        }
      }
    }
  }
  return { deploymentGroups, alarms: [...alarms].sort(), functions: [...functions].sort(), invokesDeployedFunction, metrics };
}

/** Stage and region of the configuration osls is resolving, from inside a `${file(...)}` function. */
async function contextFromVariables({ resolveVariable }) {
  const stage = await resolveVariable("sls:stage");
  const region = await resolveVariable("self:provider.region");
  return runwayContext({ stage, region });
}

/** A stage parameter (`params:` in serverless.yml, or `--param`), or `fallback`. */
async function param({ resolveVariable }, name, fallback) {
  const value = await resolveVariable(`param:${name}, null`);
  return value === null || value === undefined ? fallback : value;
}

/**
 * The Slack notifier's credential parameter for runway.yml's `notify.mode`; the other is empty, so
 * the notifier never tries (and is never allowed) to read a credential the mode does not use.
 */
async function slackCredentialParameters(variables) {
  const ctx = await contextFromVariables(variables);
  return ctx.notifyMode === "webhook" ? { bot: "", webhook: ctx.secrets.slackWebhookUrl } : { bot: ctx.secrets.slackBotToken, webhook: "" };
}

module.exports = { ROOT, runwayContext, contextFromVariables, param, arn, secretNames, slackCredentialParameters, RunwayConfigForStageError };
