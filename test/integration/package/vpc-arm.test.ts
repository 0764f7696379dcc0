/**
 * ARM runner projects and VPCs, from runway.yml to the templates: an environment whose image is
 * arm64 gets an ARM_CONTAINER project, here and in another account's template; an environment
 * with `codebuild.vpc` gets its project's VpcConfig and the EC2 rights CodeBuild documents for it,
 * and no other runner role gets them; `deploy.vpc` puts the six hook functions in the VPC and
 * gives their roles, and only theirs, the rights Lambda manages their interfaces with. The same
 * stage packaged without those settings has none of it.
 */
import { createRequire } from "node:module";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../lib/config/load.ts";
import { iamStatements, isReadOnly, list, missingSources, ofType, packageStage, placeholderBundles, serviceDir, type Packaged, type Template } from "./harness.ts";

const { STAR_REASONS } = createRequire(import.meta.url)("../../../lib/build/serverless-iam.cjs") as { STAR_REASONS: Record<string, string> };

const ARM_IMAGE = "aws/codebuild/amazonlinux-aarch64-standard:3.0";
const PRIVATE_ARM_IMAGE = "444444444444.dkr.ecr.eu-west-1.amazonaws.com/runner:2-arm64";
const SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-08f7e6d5c4b3a2910"];
const HOOK_KEYS = ["BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"].map((h) => `hook-${h}`).concat("ecs-hook");

const environment = (name: string, codebuild: string) => `
  ${name}:
    workflows: [[{ type: WORKFLOW_NAME, pattern: "^deploy-${name}$" }]]
    labels: [self-hosted, runway-${name}]
    codebuild:
${codebuild}`;

/** arm: CodeBuild's ARM image, in a VPC. plain: neither. remote: another account, a private arm64 image, in a VPC there. */
const NETWORKED_YML = `
stages:
  net: all
environments:${environment("arm", `      project: runway-runner-arm
      image: ${ARM_IMAGE}
      vpc:
        vpcId: vpc-0a1b2c3d4e5f60718
        subnetIds: [${SUBNETS.join(", ")}]
        securityGroupIds: [sg-0a1b2c3d4e5f60718]`)}${environment("plain", "      project: runway-runner-plain")}${environment("remote", `      project: runway-runner-remote
      roleArn: arn:aws:iam::444444444444:role/runway-launcher
      image: ${PRIVATE_ARM_IMAGE}
      architecture: arm64
      vpc:
        vpcId: vpc-1234abcd
        subnetIds: [subnet-1234abcd]
        securityGroupIds: [sg-1234abcd]`)}
deploy:
  vpc:
    subnetIds: [${SUBNETS[0]}]
    securityGroupIds: [sg-0123456789abcdef0]
`;
/** The same environments with no network, architecture or ARM image. */
const PLAIN_YML = NETWORKED_YML.replace(/\n {6}(image|architecture): .*/g, "")
  .replace(/\n {6}vpc:\n(?: {8}.*\n)+/g, "\n")
  .replace(/deploy:\n {2}vpc:\n(?: {4}.*\n)+/, "");

let root: string;
const packaged: Record<string, Packaged> = {};

beforeAll(async () => {
  root = placeholderBundles();
  const stubs = missingSources();
  // Two at once: each is a CPU-bound Node process.
  const [networked, plain] = await Promise.all([
    packageStage(serviceDir(root, "networked", { stubs, runwayYml: NETWORKED_YML }), "net"),
    packageStage(serviceDir(root, "plain", { stubs, runwayYml: PLAIN_YML }), "net"),
  ]);
  packaged.networked = networked;
  packaged.plain = plain;
  for (const [name, p] of Object.entries(packaged)) if (p.status !== 0) throw new Error(`serverless package (${name}) failed:\n${p.output}`);
}, 240_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const networked = () => packaged.networked!.template;
const remoteTemplate = () => packaged.networked!.json("runner-account-444444444444-eu-west-1.json") as Template;
const statementsOf = (template: Template, role: string) => template.Resources[role]!.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
const ec2Statements = (template: Template) => iamStatements(template).filter(({ statement }) => list<string>(statement.Action).some((a) => a.startsWith("ec2:")));
const functionId = (key: string) => `${key.replace(/-/g, "Dash").replace(/^./, (c) => c.toUpperCase())}LambdaFunction`;
const roleOfFunction = (template: Template, key: string) => template.Resources[functionId(key)]!.Properties.Role["Fn::GetAtt"][0] as string;
const subnetArn = (id: string) => ({ "Fn::Sub": `arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:subnet/${id}` });

describe("runner projects", () => {
  it("come from a runway.yml that check-config accepts", () => {
    expect(parseConfig(NETWORKED_YML, "runway.yml").environments.remote!.codebuild).toMatchObject({ architecture: "arm64", vpc: { vpcId: "vpc-1234abcd" } });
  });

  it("run an arm64 image in ARM_CONTAINER, here and in another account, and every other in LINUX_CONTAINER", () => {
    expect(networked().Resources.RunnerArmProject!.Properties.Environment).toMatchObject({ Type: "ARM_CONTAINER", Image: ARM_IMAGE, ImagePullCredentialsType: "CODEBUILD" });
    expect(networked().Resources.RunnerPlainProject!.Properties.Environment).toMatchObject({ Type: "LINUX_CONTAINER", Image: "aws/codebuild/standard:7.0" });
    expect(remoteTemplate().Resources.RunnerRemoteProject!.Properties.Environment).toMatchObject({ Type: "ARM_CONTAINER", Image: PRIVATE_ARM_IMAGE, ImagePullCredentialsType: "SERVICE_ROLE" });
    for (const [, project] of ofType(packaged.plain!.template, "AWS::CodeBuild::Project")) expect(project.Properties.Environment.Type).toBe("LINUX_CONTAINER");
  });

  it("join the environment's VPC, here and in another account; a project without one joins none", () => {
    expect(networked().Resources.RunnerArmProject!.Properties.VpcConfig).toEqual({ VpcId: "vpc-0a1b2c3d4e5f60718", Subnets: SUBNETS, SecurityGroupIds: ["sg-0a1b2c3d4e5f60718"] });
    expect(remoteTemplate().Resources.RunnerRemoteProject!.Properties.VpcConfig).toEqual({ VpcId: "vpc-1234abcd", Subnets: ["subnet-1234abcd"], SecurityGroupIds: ["sg-1234abcd"] });
    expect(networked().Resources.RunnerPlainProject!.Properties.VpcConfig).toBeUndefined();
  });

  it("give the runner role of a VPC'd environment the EC2 rights CodeBuild documents, attaching only in its subnets", () => {
    const check = (template: Template, role: string, subnets: string[]) => {
      const statements = statementsOf(template, role);
      expect(statements.find((s: any) => s.Sid === "RunnerVpcNetworkInterfaces")).toEqual({
        Sid: "RunnerVpcNetworkInterfaces",
        Effect: "Allow",
        Action: ["ec2:CreateNetworkInterface", "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"],
        Resource: "*",
      });
      expect(statements.find((s: any) => s.Sid === "RunnerVpcInterfacePermission")).toEqual({
        Sid: "RunnerVpcInterfacePermission",
        Effect: "Allow",
        Action: ["ec2:CreateNetworkInterfacePermission"],
        Resource: [{ "Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:network-interface/*" }],
        Condition: { StringEquals: { "ec2:Subnet": subnets.map(subnetArn), "ec2:AuthorizedService": "codebuild.amazonaws.com" } },
      });
    };
    check(networked(), "RunnerArmRole", SUBNETS);
    check(remoteTemplate(), "RunnerRemoteRole", ["subnet-1234abcd"]);
  });

  it("give EC2 rights to no other role: not the plain environment's runner, not any function but the hooks", () => {
    const holders = [...new Set(ec2Statements(networked()).map(({ role }) => role))].sort();
    const hookRoles = HOOK_KEYS.map((key) => roleOfFunction(networked(), key));
    expect(holders).toEqual([...hookRoles, "RunnerArmRole"].sort());
    expect(ec2Statements(remoteTemplate()).map(({ role }) => role)).toEqual(["RunnerRemoteRole", "RunnerRemoteRole"]);
    expect(ec2Statements(packaged.plain!.template)).toEqual([]);
    expect(ec2Statements(packaged.plain!.json("runner-account-444444444444-eu-west-1.json"))).toEqual([]);
  });

  it("grant writes on * only with a reason on record, in both templates", () => {
    const offenders = [networked(), remoteTemplate()].flatMap((template) =>
      iamStatements(template)
        .filter(({ statement: s }) => s.Effect === "Allow" && list(s.Resource).includes("*") && !(s.Sid in STAR_REASONS))
        .flatMap(({ role, statement: s }) => list<string>(s.Action).filter((a) => !isReadOnly(a)).map((a) => `${role}/${s.Sid}: ${a}`)),
    );
    expect(offenders).toEqual([]);
  });
});

describe("hook functions", () => {
  it("run in deploy.vpc, all six of them, and no other function does", () => {
    for (const key of HOOK_KEYS) {
      expect(networked().Resources[functionId(key)]!.Properties.VpcConfig, key).toEqual({ SubnetIds: [SUBNETS[0]], SecurityGroupIds: ["sg-0123456789abcdef0"] });
    }
    const others = ofType(networked(), "AWS::Lambda::Function").filter(([id]) => !HOOK_KEYS.map(functionId).includes(id));
    expect(others.length).toBeGreaterThan(0);
    for (const [id, fn] of others) expect(fn.Properties.VpcConfig, id).toBeUndefined();
    for (const [id, fn] of ofType(packaged.plain!.template, "AWS::Lambda::Function")) expect(fn.Properties.VpcConfig, id).toBeUndefined();
  });

  it("get the network-interface rights of AWSLambdaVPCAccessExecutionRole on their own roles, with no managed policy", () => {
    for (const key of HOOK_KEYS) {
      const role = roleOfFunction(networked(), key);
      expect(statementsOf(networked(), role).find((s: any) => s.Sid === "LambdaVpcNetworkInterfaces"), key).toEqual({
        Sid: "LambdaVpcNetworkInterfaces",
        Effect: "Allow",
        Action: ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
        Resource: "*",
      });
      expect(networked().Resources[role]!.Properties.ManagedPolicyArns, key).toBeUndefined();
    }
  });
});
