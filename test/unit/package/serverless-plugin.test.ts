/**
 * Runway's osls plugin on its own, with a stand-in for the framework: what it refuses before
 * packaging and before deploying, and what it uploads (the runner bundle, at the key the runner
 * projects were packaged with). No AWS: the provider's `request` is recorded.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ROOT } from "../../../lib/build/bundle.ts";

const require = createRequire(import.meta.url);
const Plugin = require("../../../lib/build/serverless-plugin.cjs") as new (serverless: unknown, options: unknown, utils: unknown) => {
  hooks: Record<string, () => unknown>;
};
const { buildRunnerBundle, runnerBundleKey } = require("../../../lib/build/serverless-runner-bundle.cjs") as {
  buildRunnerBundle(root: string): Promise<{ buffer: Buffer; sha256: string }>;
  runnerBundleKey(stage: string, sha: string): string;
};

class FrameworkError extends Error {
  code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

interface Fake {
  plugin: { hooks: Record<string, () => unknown> };
  request: ReturnType<typeof vi.fn>;
  notices: string[];
  serverless: { service: { provider: { compiledCloudFormationTemplate?: unknown; shouldNotDeploy?: boolean } } };
}

function fake(options: { serviceDir?: string; functions?: Record<string, { handler: string }>; template?: unknown } = {}): Fake {
  const request = vi.fn(async () => ({}));
  const notices: string[] = [];
  const serverless = {
    serviceDir: options.serviceDir ?? ROOT,
    classes: { Error: FrameworkError },
    configurationInput: { params: { default: { runnerImage: "aws/codebuild/standard:7.0" } } },
    service: { functions: options.functions ?? {}, provider: { compiledCloudFormationTemplate: options.template } },
    getProvider: () => ({ getStage: () => "dev", getRegion: () => "eu-west-1", getServerlessDeploymentBucketName: async () => "runway-dev-deployment", request }),
  };
  const plugin = new Plugin(serverless, {}, { log: { notice: (m: string) => notices.push(m), warning: (m: string) => notices.push(m) } });
  return { plugin, request, notices, serverless };
}

const launcher = (appId: string) => ({ Type: "AWS::Lambda::Function", Properties: { Environment: { Variables: { GITHUB_APP_ID: appId } } } });
const project = (key: string) => ({ Type: "AWS::CodeBuild::Project", Properties: { Source: { Type: "S3", Location: { "Fn::Sub": `\${ServerlessDeploymentBucket}/${key}` } } } });

describe("before packaging", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "runway-plugin-"));
    mkdirSync(join(dir, "functions"));
    mkdirSync(join(dir, ".build", "ready"), { recursive: true });
    writeFileSync(join(dir, "functions", "ready.ts"), "");
    writeFileSync(join(dir, "functions", "unbundled.ts"), "");
    writeFileSync(join(dir, ".build", "ready", "index.mjs"), "");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("packages functions whose source and bundle exist", () => {
    const { plugin } = fake({ serviceDir: dir, functions: { ready: { handler: ".build/ready/index.handler" } } });
    expect(() => plugin.hooks["before:package:createDeploymentArtifacts"]!()).not.toThrow();
  });

  it("names every function it cannot package, and what to do about each", () => {
    const { plugin } = fake({
      serviceDir: dir,
      functions: {
        ready: { handler: ".build/ready/index.handler" },
        "build-events": { handler: ".build/build-events/index.handler" },
        unbundled: { handler: ".build/unbundled/index.handler" },
        odd: { handler: "functions/odd.handler" },
      },
    });
    expect(() => plugin.hooks["before:package:createDeploymentArtifacts"]!()).toThrow(
      [
        "Cannot package Runway:",
        "  function build-events: functions/build-events.ts does not exist (yet); write it, or take build-events out of serverless.yml",
        "  function unbundled: .build/unbundled/index.mjs is missing; bundle first (`npm run package` does, or `npm run build`)",
        "  function odd: handler must be .build/<name>/index.handler (an esbuild bundle of functions/<name>.ts), not functions/odd.handler",
      ].join("\n"),
    );
  });
});

describe("before deploying", () => {
  it("refuses an empty GitHub App id, saying where to set it", () => {
    const { plugin } = fake({ template: { Resources: { RunnerDashlauncherLambdaFunction: launcher("") } } });
    expect(() => plugin.hooks["before:aws:deploy:deploy:createStack"]!()).toThrow(/RunnerDashlauncherLambdaFunction has an empty GITHUB_APP_ID: set params\.dev\.githubAppId/);
  });

  it("lets a stage with its App id through", () => {
    const { plugin } = fake({ template: { Resources: { RunnerDashlauncherLambdaFunction: launcher("123456") } } });
    expect(() => plugin.hooks["before:aws:deploy:deploy:createStack"]!()).not.toThrow();
  });
});

describe("uploading the runner bundle", () => {
  it("puts the bundle in the deployment bucket at the key the runner projects were packaged with, encrypted", async () => {
    const { buffer, sha256 } = await buildRunnerBundle(ROOT);
    const key = runnerBundleKey("dev", sha256);
    const { plugin, request } = fake({ template: { Resources: { RunnerDevProject: project(key) } } });
    await plugin.hooks["after:aws:deploy:deploy:uploadArtifacts"]!();
    expect(request).toHaveBeenCalledWith("S3", "putObject", { Bucket: "runway-dev-deployment", Key: key, Body: buffer, ContentType: "application/zip", ServerSideEncryption: "AES256" });
  });

  it("refuses when the buildspecs changed since packaging", async () => {
    const { plugin, request } = fake({ template: { Resources: { RunnerDevProject: project("runway-runner/dev/0000000000000000.zip") } } });
    await expect(plugin.hooks["after:aws:deploy:deploy:uploadArtifacts"]!()).rejects.toThrow(/buildspecs\/ changed since this package was made/);
    expect(request).not.toHaveBeenCalled();
  });

  it("uploads nothing when the stack has no runner project, or nothing is deployed", async () => {
    const none = fake({ template: { Resources: { RunnerDashlauncherLambdaFunction: launcher("1") } } });
    await none.plugin.hooks["after:aws:deploy:deploy:uploadArtifacts"]!();
    const skipped = fake({ template: { Resources: { RunnerDevProject: project("x") } } });
    skipped.serverless.service.provider.shouldNotDeploy = true;
    await skipped.plugin.hooks["after:aws:deploy:deploy:uploadArtifacts"]!();
    expect([...none.request.mock.calls, ...skipped.request.mock.calls]).toEqual([]);
  });
});

describe("the runner bundle", () => {
  it("is the same bytes every time, so its key changes only when the scripts do", async () => {
    const [a, b] = await Promise.all([buildRunnerBundle(ROOT), buildRunnerBundle(ROOT)]);
    expect(a.sha256).toBe(b.sha256);
    expect(runnerBundleKey("dev", a.sha256)).toMatch(/^runway-runner\/dev\/[0-9a-f]{16}\.zip$/);
  });
});
