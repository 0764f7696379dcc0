/**
 * runway.yml's network and architecture settings: `codebuild.vpc` per environment, `deploy.vpc`
 * for the hook functions, `codebuild.architecture`. Ids in AWS's formats, at least one subnet and
 * one security group, and an architecture that cannot contradict the image; every mistake is
 * reported with its file, line and field.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, type ConfigProblem } from "../../../lib/config/errors.ts";
import { parseConfig } from "../../../lib/config/load.ts";

const SUBNET = "subnet-0a1b2c3d4e5f60718";
const SG = "sg-0123456789abcdef0";

/** One environment, with `codebuild` lines and a top-level tail of the caller's. */
const config = (codebuild: string, tail = "") => `environments:
  prd:
    workflows:
      - - type: WORKFLOW_NAME
          pattern: ^deploy$
    labels: [self-hosted, runway-prd]
    codebuild:
      project: runway-runner-prd
${codebuild}${tail}`;

const runnerVpc = (lines: string) => `      vpc:\n${lines}`;
const VALID_VPC = runnerVpc(`        vpcId: vpc-0a1b2c3d4e5f60718\n        subnetIds: [${SUBNET}, subnet-1234abcd]\n        securityGroupIds: [${SG}]\n`);

function problems(text: string): ConfigProblem[] {
  try {
    parseConfig(text, "runway.yml");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("codebuild.vpc", () => {
  it("is read as written", () => {
    const parsed = parseConfig(config(VALID_VPC), "runway.yml");
    expect(parsed.environments.prd!.codebuild.vpc).toEqual({ vpcId: "vpc-0a1b2c3d4e5f60718", subnetIds: [SUBNET, "subnet-1234abcd"], securityGroupIds: [SG] });
  });

  it("refuses ids that are not AWS ids, naming the line and the field of each", () => {
    const text = config(runnerVpc(`        vpcId: my-vpc\n        subnetIds:\n          - ${SUBNET}\n          - arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0a1b2c3d\n        securityGroupIds: [sg-XYZ]\n`));
    expect(problems(text)).toEqual([
      expect.objectContaining({ file: "runway.yml", line: 10, field: "environments.prd.codebuild.vpc.vpcId", message: expect.stringContaining('"my-vpc" is not a VPC id: write the id, like vpc-0123456789abcdef0') }),
      expect.objectContaining({ line: 13, field: "environments.prd.codebuild.vpc.subnetIds.1", message: expect.stringContaining("is not a subnet id") }),
      expect.objectContaining({ line: 14, field: "environments.prd.codebuild.vpc.securityGroupIds.0", message: expect.stringContaining('"sg-XYZ" is not a security group id') }),
    ]);
  });

  it("needs a VPC id, at least one subnet and at least one security group", () => {
    expect(problems(config(runnerVpc(`        subnetIds: []\n        securityGroupIds: []\n`)))).toEqual([
      expect.objectContaining({ line: 10, field: "environments.prd.codebuild.vpc.vpcId", message: expect.stringContaining("missing") }),
      expect.objectContaining({ line: 10, field: "environments.prd.codebuild.vpc.subnetIds", message: expect.stringContaining("subnetIds needs at least one id") }),
      expect.objectContaining({ line: 11, field: "environments.prd.codebuild.vpc.securityGroupIds", message: expect.stringContaining("securityGroupIds needs at least one id") }),
    ]);
  });

  it("refuses an id listed twice and more security groups than AWS takes", () => {
    const groups = Array.from({ length: 6 }, (_, i) => `sg-0000000${i}`).join(", ");
    expect(problems(config(runnerVpc(`        vpcId: vpc-0a1b2c3d\n        subnetIds: [${SUBNET}, ${SUBNET}]\n        securityGroupIds: [${groups}]\n`)))).toEqual([
      expect.objectContaining({ field: "environments.prd.codebuild.vpc.subnetIds.1", message: `${SUBNET} is listed twice` }),
      expect.objectContaining({ field: "environments.prd.codebuild.vpc.securityGroupIds", message: "at most 5 securityGroupIds: AWS refuses more" }),
    ]);
  });

  it("names an unknown key (a typo) where it is written", () => {
    expect(problems(config(runnerVpc(`        vpcId: vpc-0a1b2c3d\n        subnets: [${SUBNET}]\n        subnetIds: [${SUBNET}]\n        securityGroupIds: [${SG}]\n`)))).toEqual([
      expect.objectContaining({ line: 11, field: "environments.prd.codebuild.vpc", message: "unknown field subnets (check the spelling)" }),
    ]);
  });
});

describe("deploy.vpc", () => {
  const deploy = (lines: string) => `deploy:\n  vpc:\n${lines}`;

  it("takes subnets and security groups (Lambda finds the VPC from the subnets)", () => {
    const parsed = parseConfig(config("", deploy(`    subnetIds: [${SUBNET}]\n    securityGroupIds: [${SG}]\n`)), "runway.yml");
    expect(parsed.deploy?.vpc).toEqual({ subnetIds: [SUBNET], securityGroupIds: [SG] });
  });

  it("refuses a VPC id there, and a missing security group list", () => {
    expect(problems(config("", deploy(`    vpcId: vpc-0a1b2c3d\n    subnetIds: [${SUBNET}]\n`)))).toEqual([
      expect.objectContaining({ line: 11, field: "deploy.vpc.securityGroupIds", message: "missing: expected array" }),
      expect.objectContaining({ line: 11, column: 12, field: "deploy.vpc", message: "unknown field vpcId (check the spelling)" }),
    ]);
  });
});

describe("codebuild.architecture", () => {
  it("is inferred from CodeBuild's images, and cannot contradict one", () => {
    expect(parseConfig(config("      image: aws/codebuild/amazonlinux-aarch64-standard:3.0\n"), "runway.yml").environments.prd!.codebuild.architecture).toBeUndefined();
    expect(problems(config("      image: aws/codebuild/amazonlinux-aarch64-standard:3.0\n      architecture: x86_64\n"))).toEqual([
      expect.objectContaining({ line: 10, field: "environments.prd.codebuild.architecture", message: expect.stringContaining("is CodeBuild's arm64 image: remove architecture, or write arm64") }),
    ]);
  });

  it("must be said for a private image whose name says arm64, and is taken as said", () => {
    const image = "      image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/runner:2.330-arm64\n";
    expect(problems(config(image))).toEqual([
      expect.objectContaining({ line: 8, field: "environments.prd.codebuild.architecture", message: expect.stringContaining("write architecture: arm64") }),
    ]);
    expect(parseConfig(config(`${image}      architecture: arm64\n`), "runway.yml").environments.prd!.codebuild.architecture).toBe("arm64");
    expect(problems(config("      architecture: arm\n"))).toEqual([expect.objectContaining({ field: "environments.prd.codebuild.architecture", message: expect.stringContaining("x86_64 or arm64") })]);
  });
});
