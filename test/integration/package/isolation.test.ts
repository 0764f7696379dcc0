/**
 * No runner role reaches another environment (DESIGN.md, "Environments are isolated"): the shipped
 * runway.yml packaged offline in both layouts it supports,
 *
 * - one account: every `roleArn` removed, stage `shared` (which serves all) creating every
 *   environment's runner project in its own stack;
 * - the shipped `shared` stage: dev here, stg and prd in their own accounts (runner-account templates),
 *
 * each with a deploy policy per environment added (the shipped file names none) and, in the first,
 * a private ECR image for prd. Every runner role of every template is found by what trusts it
 * (CodeBuild) and tied to its environment by the project that uses it; then each of its Allow
 * statements is matched, IAM wildcards and all, against sample ARNs of every other environment's
 * JIT configs, markers, build records and legacy failure files: none may match, while its own must
 * (so the check cannot pass by matching nothing), and a Deny must cover the others' whatever
 * deploy policies add. The same for the artifacts bucket's grants to other accounts' runner roles.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../../lib/build/bundle.ts";
import { parseConfig } from "../../../lib/config/load.ts";
import { list, missingSources, ofType, packageStage, placeholderBundles, serviceDir, type Packaged, type Template } from "./harness.ts";

const STAGE = "shared";
const RUNWAY_ACCOUNT = "111111111111";
const REGION = "eu-west-1";
const BUCKET = "runway-artifacts";
const PRD_IMAGE = `${RUNWAY_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/runway/runner:2.338.0`;

const shipped = readFileSync(join(ROOT, "runway.yml"), "utf8");
const shippedConfig = parseConfig(shipped, "runway.yml");
const ENVIRONMENTS = Object.entries(shippedConfig.environments).map(([name, env]) => ({ name, project: env.codebuild.project }));
const policiesOf = (name: string) => [`arn:aws:iam::${RUNWAY_ACCOUNT}:policy/deploy-${name}`, ...(name === "prd" ? ["arn:aws:iam::aws:policy/ReadOnlyAccess"] : [])];

/** The shipped runway.yml with a deploy policy per environment; `oneAccount` also drops every roleArn and gives prd a private image. */
function variant(oneAccount: boolean): string {
  const doc = parseDocument(shipped);
  for (const { name } of ENVIRONMENTS) {
    doc.setIn(["environments", name, "runnerPolicyArns"], policiesOf(name));
    if (oneAccount) doc.deleteIn(["environments", name, "codebuild", "roleArn"]);
  }
  if (oneAccount) doc.setIn(["environments", "prd", "codebuild", "image"], PRD_IMAGE);
  return doc.toString();
}

const LAYOUTS = { "one account": variant(true), "shared stage": variant(false) } as const;
type Layout = keyof typeof LAYOUTS;

let root: string;
const packaged: Partial<Record<Layout, Packaged>> = {};

beforeAll(async () => {
  root = placeholderBundles();
  const stubs = missingSources();
  // Two at once: each is a CPU-bound Node process, and CI machines have two cores.
  await Promise.all(
    (Object.keys(LAYOUTS) as Layout[]).map(async (layout, i) => {
      packaged[layout] = await packageStage(serviceDir(root, `isolation-${i}`, { stubs, runwayYml: LAYOUTS[layout] }), STAGE);
    }),
  );
  for (const [layout, p] of Object.entries(packaged)) if (p.status !== 0) throw new Error(`serverless package (${layout}) failed:\n${p.output}`);
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

// --- from a template's ARN expressions to concrete ARNs, and IAM's wildcard matching ------------

/** A template and the values its Fn::Sub / Ref / GetAtt expressions stand for. */
interface Rendered {
  name: string;
  template: Template;
  account: string;
  vars: Record<string, string>;
}

function rendered(p: Packaged): Rendered[] {
  const common = { "AWS::Partition": "aws", "AWS::Region": REGION, "AWS::URLSuffix": "amazonaws.com" };
  const main: Rendered = {
    name: "Runway's stack",
    template: p.template,
    account: RUNWAY_ACCOUNT,
    vars: { ...common, "AWS::AccountId": RUNWAY_ACCOUNT, "ArtifactsBucket.Arn": `arn:aws:s3:::${BUCKET}`, ArtifactsBucket: BUCKET, ServerlessDeploymentBucket: "runway-deployment" },
  };
  const others = p.files
    .filter((f) => f.startsWith("runner-account-"))
    .map((file): Rendered => {
      const account = /^runner-account-(\d{12})-/.exec(file)?.[1] ?? RUNWAY_ACCOUNT;
      return {
        name: file,
        template: p.json(file),
        account,
        vars: { ...common, "AWS::AccountId": account, ArtifactsBucket: BUCKET, RunnerBundleBucket: "runner-bundles", RunnerBundleKey: "runway-runner/shared/x.zip", RunwayAccountId: RUNWAY_ACCOUNT, RunwayRegion: REGION },
      };
    });
  return [main, ...others];
}

/** The concrete text of an ARN expression; an expression this test cannot read fails it. */
function text(value: unknown, vars: Record<string, string>): string {
  if (typeof value === "string") return value;
  const v = value as Record<string, any>;
  const known = (name: string) => {
    if (!(name in vars)) throw new Error(`no sample value for \${${name}}: add it to the test's vars`);
    return vars[name]!;
  };
  if (typeof v["Fn::Sub"] === "string") return (v["Fn::Sub"] as string).replace(/\$\{([^}]+)\}/g, (_, name: string) => known(name));
  if (Array.isArray(v["Fn::GetAtt"])) {
    const [id, attribute] = v["Fn::GetAtt"] as [string, string];
    return id === "ArtifactsBucket" ? known("ArtifactsBucket.Arn") : `arn:aws:getatt:::${id}/${attribute}`;
  }
  if (typeof v.Ref === "string") return known(v.Ref);
  throw new Error(`cannot read ${JSON.stringify(value)}`);
}

/** IAM's wildcards: `*` any run of characters (slashes too), `?` one. */
const wildcard = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
const covers = (pattern: string, value: string) => wildcard(pattern).test(value);

/** Whether `statement` (of `effect`) applies `action` (or, with a service only, any of its actions) to `target`. */
function applies(statement: any, effect: "Allow" | "Deny", action: string, target: string, vars: Record<string, string>): boolean {
  if (statement.Effect !== effect) return false;
  const service = action.split(":")[0]!;
  const actionMatches = (pattern: string) => (action.endsWith(":") ? pattern === "*" || pattern.startsWith(`${service}:`) : covers(pattern, action));
  const byAction = statement.NotAction ? !list<string>(statement.NotAction).some(actionMatches) : list<string>(statement.Action).some(actionMatches);
  if (!byAction) return false;
  if (statement.NotResource) return !list(statement.NotResource).some((r) => covers(text(r, vars), target));
  return list(statement.Resource).some((r) => covers(text(r, vars), target));
}

// --- what belongs to an environment --------------------------------------------------------------

const jitConfig = (account: string, env: string) => `arn:aws:ssm:${REGION}:${account}:parameter/runway/${STAGE}/jit/${env}/0f3c9a52-7d1e-4b8a-9c2f-5e6d7a8b9c0d`;
const marker = (env: string) => `arn:aws:s3:::${BUCKET}/markers/${env}/runway-${env}-4242-1-1a2b3c4d.json`;
const buildRecord = (project: string) => `arn:aws:s3:::${BUCKET}/builds/${project}:0f3c9a52-7d1e-4b8a-9c2f-5e6d7a8b9c0d/status.json`;
const legacyFile = (project: string) => `arn:aws:s3:::${BUCKET}/results/failure_build_${project}:0f3c9a52-7d1e-4b8a-9c2f-5e6d7a8b9c0d.txt`;
const secrets = (account: string) =>
  ["github-webhook-secret", "github-app-private-key", "github-apps", "github-apps/234567", "runner-releases-token", "slack-bot-token", "slack-webhook-url"].map((s) => `arn:aws:ssm:${REGION}:${account}:parameter/runway/${STAGE}/${s}`);

/** What an environment's runner must reach, by the action it needs. */
function own(env: { name: string; project: string }, account: string): [string, string][] {
  return [
    ["ssm:GetParameters", jitConfig(account, env.name)],
    ["s3:GetObject", marker(env.name)],
    ["s3:GetObject", legacyFile(env.project)],
    ["s3:PutObject", buildRecord(env.project)],
  ];
}

/** What it must not: another environment's, by any action of the service (and Runway's secrets). */
function foreign(env: { name: string }, account: string): [string, string][] {
  const accounts = [...new Set([account, RUNWAY_ACCOUNT])];
  return [
    ...ENVIRONMENTS.filter((o) => o.name !== env.name).flatMap((o): [string, string][] => [
      ...accounts.map((a): [string, string] => ["ssm:", jitConfig(a, o.name)]),
      ["s3:", marker(o.name)],
      ["s3:", buildRecord(o.project)],
      ["s3:", legacyFile(o.project)],
    ]),
    ...accounts.flatMap(secrets).map((arn): [string, string] => ["ssm:", arn]),
  ];
}

interface RunnerRole {
  where: string;
  id: string;
  environment: string;
  properties: any;
  statements: any[];
  vars: Record<string, string>;
  account: string;
}

/** Every role CodeBuild may assume, in every template, with the environment of the project that uses it. */
function runnerRoles(p: Packaged): RunnerRole[] {
  const roles: RunnerRole[] = [];
  for (const r of rendered(p)) {
    const projects = ofType(r.template, "AWS::CodeBuild::Project");
    for (const [id, role] of ofType(r.template, "AWS::IAM::Role")) {
      const trusted = list<any>(role.Properties.AssumeRolePolicyDocument.Statement).some((s) => list(s.Principal?.Service).includes("codebuild.amazonaws.com"));
      if (!trusted) continue;
      const users = projects.filter(([, project]) => project.Properties.ServiceRole["Fn::GetAtt"]?.[0] === id);
      expect(users, `${r.name} ${id}: a CodeBuild role should serve exactly one environment's project`).toHaveLength(1);
      const environment = users[0]![1].Properties.Tags.find((t: any) => t.Key === "runway:environment")?.Value;
      roles.push({
        where: r.name,
        id,
        environment,
        properties: role.Properties,
        statements: list<any>(role.Properties.Policies).flatMap((policy) => list(policy.PolicyDocument.Statement)),
        vars: r.vars,
        account: r.account,
      });
    }
  }
  return roles;
}

const layouts = Object.keys(LAYOUTS) as Layout[];

describe.each(layouts)("runner roles, %s", (layout) => {
  const p = () => packaged[layout]!;
  const roles = () => runnerRoles(p());

  it("exist for every environment, one each", () => {
    expect(
      roles()
        .map((r) => r.environment)
        .sort(),
    ).toEqual(ENVIRONMENTS.map((e) => e.name).sort());
  });

  it("reach their own environment's JIT configs, markers, build records and legacy files", () => {
    for (const role of roles()) {
      const env = ENVIRONMENTS.find((e) => e.name === role.environment)!;
      for (const [action, target] of own(env, role.account)) {
        expect(
          role.statements.some((s) => applies(s, "Allow", action, target, role.vars)),
          `${role.where} ${role.id} (${env.name}): ${action} on ${target}`,
        ).toBe(true);
        expect(role.statements.some((s) => applies(s, "Deny", action, target, role.vars)), `${role.where} ${role.id} (${env.name}) denies itself ${action} on ${target}`).toBe(false);
      }
    }
  });

  it("allow nothing of another environment's, nor the stage's secrets, and deny it all explicitly", () => {
    const reached: string[] = [];
    const unfenced: string[] = [];
    for (const role of roles()) {
      for (const [service, target] of foreign({ name: role.environment }, role.account)) {
        for (const s of role.statements) if (applies(s, "Allow", service, target, role.vars)) reached.push(`${role.where} ${role.id} (${role.environment}) ${s.Sid}: ${target}`);
        const action = service === "ssm:" ? "ssm:GetParameters" : "s3:PutObject";
        // Another account's parameters are out of an identity policy's reach anyway: the fence is for this account's.
        if (service === "ssm:" && !target.includes(`:${role.account}:`)) continue;
        if (!role.statements.some((s) => applies(s, "Deny", action, target, role.vars))) unfenced.push(`${role.where} ${role.id} (${role.environment}): ${action} on ${target}`);
      }
    }
    expect(reached).toEqual([]);
    expect(unfenced).toEqual([]);
  });

  it("write no marker and no parameter, whatever deploy policies they carry", () => {
    for (const role of roles()) {
      for (const [action, target] of [
        ["s3:PutObject", marker(role.environment)],
        ["s3:DeleteObject", marker(role.environment)],
        ["ssm:PutParameter", jitConfig(role.account, role.environment)],
        ["ssm:DeleteParameter", jitConfig(role.account, role.environment)],
        ["ssm:GetParametersByPath", `arn:aws:ssm:${REGION}:${role.account}:parameter/runway/${STAGE}/jit`],
      ] as const) {
        expect(role.statements.some((s) => applies(s, "Allow", action, target, role.vars)), `${role.id}: ${action} allowed`).toBe(false);
        expect(role.statements.some((s) => applies(s, "Deny", action, target, role.vars)), `${role.id}: ${action} not denied`).toBe(true);
      }
    }
  });

  it("carry their own environment's deploy policies (runway.yml runnerPolicyArns) and no other's", () => {
    for (const role of roles()) expect(role.properties.ManagedPolicyArns, `${role.where} ${role.id}`).toEqual(policiesOf(role.environment));
  });

  it("run on a project that knows its environment", () => {
    for (const r of rendered(p())) {
      for (const [id, project] of ofType(r.template, "AWS::CodeBuild::Project")) {
        const environment = project.Properties.Tags.find((t: any) => t.Key === "runway:environment").Value;
        expect(project.Properties.Environment.EnvironmentVariables, `${r.name} ${id}`).toContainEqual({ Name: "RUNWAY_ENVIRONMENT", Type: "PLAINTEXT", Value: environment });
      }
    }
  });
});

describe.each(layouts)("the artifacts bucket's grants, %s", (layout) => {
  const grants = () =>
    list<any>(packaged[layout]!.template.Resources.ArtifactsBucketPolicy!.Properties.PolicyDocument.Statement).filter((s) => s.Effect === "Allow");
  const vars = () => rendered(packaged[layout]!)[0]!.vars;

  it("go to named runner roles only, one environment each, and reach only that environment's markers and records", () => {
    const remote = Object.entries(parseConfig(LAYOUTS[layout], "runway.yml").environments).filter(([, e]) => e.codebuild.roleArn);
    const seen = new Set<string>();
    for (const s of grants()) {
      const principal = text(s.Condition?.ArnEquals?.["aws:PrincipalArn"], vars());
      const environment = new RegExp(`^arn:aws:iam::\\d{12}:role/runway-${STAGE}-runner-([a-z][a-z0-9-]*)$`).exec(principal)?.[1];
      expect(environment, `${s.Sid}: a grant to ${principal}, not to one environment's runner role`).toBeDefined();
      seen.add(environment!);
      for (const [service, target] of foreign({ name: environment! }, RUNWAY_ACCOUNT)) {
        if (service === "s3:") expect(applies(s, "Allow", service, target, vars()), `${s.Sid}: ${target}`).toBe(false);
      }
    }
    expect([...seen].sort()).toEqual(remote.map(([name]) => name).sort());
    for (const name of seen) {
      const env = ENVIRONMENTS.find((e) => e.name === name)!;
      for (const [action, target] of own(env, RUNWAY_ACCOUNT).filter(([a]) => a.startsWith("s3:"))) {
        expect(grants().some((s) => s.Condition.ArnEquals["aws:PrincipalArn"]["Fn::Sub"].endsWith(`runner-${name}`) && applies(s, "Allow", action, target, vars())), `${name}: ${action} ${target}`).toBe(true);
      }
    }
  });

  it("accept on the default bus, from each other account, CodeBuild's build state changes only", () => {
    const policies = ofType(packaged[layout]!.template, "AWS::Events::EventBusPolicy");
    const accounts = [...new Set(Object.values(parseConfig(LAYOUTS[layout], "runway.yml").environments).flatMap((e) => (e.codebuild.roleArn ? [e.codebuild.roleArn.split(":")[4]] : [])))];
    expect(policies.map(([id]) => id).sort()).toEqual(accounts.map((a) => `RunnerEventsFrom${a}`).sort());
    for (const [id, policy] of policies) {
      expect(policy.Properties.Statement.Action, id).toBe("events:PutEvents");
      expect(policy.Properties.Statement.Condition, id).toEqual({
        "ForAllValues:StringEquals": { "events:source": ["aws.codebuild"] },
        StringEquals: { "events:detail-type": "CodeBuild Build State Change" },
      });
    }
  });
});

describe.each(layouts)("Runway's own roles, %s", (layout) => {
  const statements = (role: string) => list<any>(packaged[layout]!.template.Resources[role]!.Properties.Policies).flatMap((p) => list(p.PolicyDocument.Statement));
  const vars = () => rendered(packaged[layout]!)[0]!.vars;
  const local = () => Object.entries(parseConfig(LAYOUTS[layout], "runway.yml").environments).filter(([, e]) => !e.codebuild.roleArn);

  it("still write and read every served environment's markers, JIT configs and records in the new layout", () => {
    const can = (role: string, action: string, target: string) => statements(role).some((s) => applies(s, "Allow", action, target, vars()));
    for (const env of ENVIRONMENTS) {
      expect(can("RunnerLauncherRole", "s3:PutObject", marker(env.name)), `launcher writes ${env.name}'s markers`).toBe(true);
      expect(can("BuildEventsRole", "s3:GetObject", marker(env.name)), `build-events reads ${env.name}'s markers`).toBe(true);
      expect(can("BuildEventsRole", "s3:GetObject", buildRecord(env.project)), `build-events reads ${env.project}'s records`).toBe(true);
      expect(can("RunnerLauncherRole", "s3:PutObject", buildRecord(env.project).replace("status.json", "log-excerpt.txt")), "launcher keeps log excerpts").toBe(true);
    }
    for (const [name] of local()) {
      expect(can("RunnerLauncherRole", "ssm:PutParameter", jitConfig(RUNWAY_ACCOUNT, name)), `launcher stores ${name}'s JIT configs`).toBe(true);
      expect(can("ReconcilerRole", "ssm:DeleteParameter", jitConfig(RUNWAY_ACCOUNT, name)), `reconciler deletes ${name}'s JIT configs`).toBe(true);
    }
  });
});

describe("the public webhook", () => {
  it.each(layouts)("is throttled at the HTTP API and has concurrency of its own, at least its burst (%s)", (layout) => {
    const resources = packaged[layout]!.template.Resources;
    expect(resources.HttpApiStage!.Properties).toMatchObject({ StageName: "$default", DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 } });
    const reserved = resources.GithubDashwebhookLambdaFunction!.Properties.ReservedConcurrentExecutions;
    expect(reserved).toBe(100);
    expect(reserved).toBeGreaterThanOrEqual(resources.HttpApiStage!.Properties.DefaultRouteSettings.ThrottlingBurstLimit);
  });
});

describe("runner images", () => {
  const r = () => rendered(packaged["one account"]!)[0]!;
  const project = (env: string) => r().template.Resources[`Runner${env[0]!.toUpperCase()}${env.slice(1)}Project`]!.Properties;
  const statements = (env: string) => runnerRoles(packaged["one account"]!).find((role) => role.environment === env)!.statements;

  it("pull an environment's private ECR image with its service role, allowed on that repository only", () => {
    expect(project("prd").Environment).toMatchObject({ Image: PRD_IMAGE, ImagePullCredentialsType: "SERVICE_ROLE" });
    const pull = statements("prd").find((s) => s.Sid === "PullRunnerImage");
    expect(list(pull.Resource).map((x) => text(x, r().vars))).toEqual([`arn:aws:ecr:${REGION}:${RUNWAY_ACCOUNT}:repository/runway/runner`]);
    for (const env of ["dev", "stg"]) expect(statements(env).some((s) => s.Sid === "PullRunnerImage"), env).toBe(false);
  });

  it("pull CodeBuild's images with CodeBuild's credentials, and let a job's own image be pulled where image overrides are allowed", () => {
    for (const env of ["dev", "stg"]) expect(project(env).Environment).toMatchObject({ Image: "aws/codebuild/standard:7.0", ImagePullCredentialsType: "CODEBUILD" });
    const allowsImages = Object.entries(shippedConfig.environments).filter(([, e]) => e.codebuild.allowOverrides.includes("image")).map(([name]) => name);
    for (const { name } of ENVIRONMENTS) {
      expect(statements(name).some((s) => s.Sid === "EcrLogin"), name).toBe(allowsImages.includes(name) || name === "prd");
    }
  });
});
