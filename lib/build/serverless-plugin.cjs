/**
 * Runway's osls plugin (serverless.yml `plugins:`), for what the framework cannot do by itself:
 *
 * - package: refuse to package a function whose source (functions/<name>.ts) or esbuild bundle
 *   (.build/<name>/index.mjs) is missing, saying which and what to do, rather than shipping an
 *   empty zip;
 * - package: write the runner bundle (serverless-runner-bundle.cjs) beside the function zips, and
 *   the CloudFormation template that sets up each other account or region that runs a served
 *   environment's builds (serverless-runner-account.cjs);
 * - deploy: refuse an empty GitHub App id, and upload the runner bundle to the deployment bucket
 *   before the stack update points the runner projects at it.
 *
 * Packaging stays offline: nothing here calls AWS before `deploy`.
 */
"use strict";

const { existsSync, mkdirSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { runwayContext } = require("./serverless-context.cjs");
const { buildRunnerBundle, runnerBundleKey, RUNNER_BUNDLE_FILE } = require("./serverless-runner-bundle.cjs");
const { runnerAccountTemplates } = require("./serverless-runner-account.cjs");

class RunwayServerlessPlugin {
  constructor(serverless, options, { log } = {}) {
    this.serverless = serverless;
    this.options = options;
    this.log = log ?? { notice: console.log, warning: console.warn };
    this.hooks = {
      "before:package:createDeploymentArtifacts": () => this.checkBundles(),
      "after:package:createDeploymentArtifacts": () => this.writeRunnerArtifacts(),
      "before:aws:deploy:deploy:createStack": () => this.checkDeployable(),
      "after:aws:deploy:deploy:uploadArtifacts": () => this.uploadRunnerBundle(),
    };
  }

  get serviceDir() {
    return this.serverless.serviceDir;
  }

  /** osls builds into <service>/.serverless and moves the result to --package at the end. */
  get workDir() {
    return join(this.serviceDir, ".serverless");
  }

  fail(message) {
    throw new this.serverless.classes.Error(message, "RUNWAY_PACKAGE");
  }

  context() {
    const provider = this.serverless.getProvider("aws");
    return runwayContext({ stage: provider.getStage(), region: provider.getRegion() });
  }

  /** Every function's handler is `.build/<bundle>/index.handler`: its source and its bundle must exist. */
  checkBundles() {
    const problems = [];
    for (const [key, fn] of Object.entries(this.serverless.service.functions ?? {})) {
      const bundle = /^\.build\/([^/]+)\/index\.handler$/.exec(fn.handler ?? "")?.[1];
      if (!bundle) {
        problems.push(`function ${key}: handler must be .build/<name>/index.handler (an esbuild bundle of functions/<name>.ts), not ${fn.handler}`);
      } else if (!existsSync(join(this.serviceDir, "functions", `${bundle}.ts`))) {
        problems.push(`function ${key}: functions/${bundle}.ts does not exist (yet); write it, or take ${key} out of serverless.yml`);
      } else if (!existsSync(join(this.serviceDir, ".build", bundle, "index.mjs"))) {
        problems.push(`function ${key}: .build/${bundle}/index.mjs is missing; bundle first (\`npm run package\` does, or \`npm run build\`)`);
      }
    }
    if (problems.length > 0) this.fail(`Cannot package Runway:\n  ${problems.join("\n  ")}`);
  }

  async writeRunnerArtifacts() {
    const ctx = this.context();
    mkdirSync(this.workDir, { recursive: true });
    const { buffer } = await buildRunnerBundle(ctx.root);
    writeFileSync(join(this.workDir, RUNNER_BUNDLE_FILE), buffer);
    const templates = await runnerAccountTemplates(ctx, this.stageParams());
    for (const { file, template, environments } of templates) {
      writeFileSync(join(this.workDir, file), `${JSON.stringify(template, null, 2)}\n`);
      this.log.notice(`Runway: ${environments.join(", ")} run their builds elsewhere; deploy ${file} (in the package directory) there (README, "Multi-account")`);
    }
  }

  /**
   * The stage's params as written in serverless.yml (defaults, then the stage's own), then any
   * `--param="name=value"`, as the main stack resolves them: the runner-account templates fix the
   * image at packaging, so they must see the same one.
   */
  stageParams() {
    const params = this.serverless.configurationInput?.params ?? {};
    const given = {};
    for (const entry of [this.options?.param ?? []].flat()) {
      const at = String(entry).indexOf("=");
      if (at > 0) given[String(entry).slice(0, at)] = String(entry).slice(at + 1).trimEnd();
    }
    return { ...(params.default ?? {}), ...(params[this.serverless.getProvider("aws").getStage()] ?? {}), ...given };
  }

  /** The compiled template's resources (restored from the package's state on deploy). */
  resources() {
    return this.serverless.service.provider.compiledCloudFormationTemplate?.Resources ?? {};
  }

  checkDeployable() {
    for (const [id, resource] of Object.entries(this.resources())) {
      const variables = resource.Type === "AWS::Lambda::Function" ? resource.Properties?.Environment?.Variables : undefined;
      if (variables && "GITHUB_APP_ID" in variables && !variables.GITHUB_APP_ID) {
        this.fail(`${id} has an empty GITHUB_APP_ID: set params.${this.serverless.getProvider("aws").getStage()}.githubAppId in serverless.yml (or pass --param="githubAppId=<id>") and package again`);
      }
    }
  }

  async uploadRunnerBundle() {
    if (this.serverless.service.provider.shouldNotDeploy) return;
    const projects = Object.values(this.resources()).filter((r) => r.Type === "AWS::CodeBuild::Project");
    if (projects.length === 0) return;
    const ctx = this.context();
    const { buffer, sha256 } = await buildRunnerBundle(ctx.root);
    const key = runnerBundleKey(ctx.stage, sha256);
    const packaged = JSON.stringify(projects.map((p) => p.Properties.Source.Location));
    if (!packaged.includes(key)) {
      this.fail(`buildspecs/ changed since this package was made (the runner projects expect another bundle than ${key}); run \`npm run package\` again`);
    }
    const provider = this.serverless.getProvider("aws");
    const bucket = await provider.getServerlessDeploymentBucketName();
    await provider.request("S3", "putObject", { Bucket: bucket, Key: key, Body: buffer, ContentType: "application/zip", ServerSideEncryption: "AES256" });
    this.log.notice(`Runway: runner bundle (buildspecs/runner.yml and buildspecs/runner/) uploaded to s3://${bucket}/${key}`);
  }
}

module.exports = RunwayServerlessPlugin;
