/**
 * The CodeBuild emulation refuses build environments CodeBuild refuses, through the real SDK
 * client: a curated aarch64 image in LINUX_CONTAINER (and an x86 one in ARM_CONTAINER), on
 * CreateProject and on StartBuild's overrides, and a compute type the environment type does not
 * offer. A build it accepts runs in the environment its overrides ask for, in the project's VPC.
 */
import { CreateProjectCommand, InvalidInputException, StartBuildCommand, type CreateProjectCommandInput } from "@aws-sdk/client-codebuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeBuildClient } from "../../../lib/aws/codebuild.ts";
import { createCodeBuildEmulation, startAwsEmulator, type AwsEmulator, type CodeBuildEmulation } from "../../../lib/local/aws-emulator/index.ts";
import { pointClientsAt, rejectionOf } from "./helpers.ts";

const ARM_IMAGE = "aws/codebuild/amazonlinux-aarch64-standard:3.0";
const X86_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0";
const VPC = { vpcId: "vpc-0a1b2c3d4e5f60718", subnets: ["subnet-0a1b2c3d4e5f60718"], securityGroupIds: ["sg-0a1b2c3d4e5f60718"] };

let aws: AwsEmulator;
let codebuild: CodeBuildEmulation;
let restore: () => void;

const project = (name: string, environment: CreateProjectCommandInput["environment"], extra: Partial<CreateProjectCommandInput> = {}) =>
  codeBuildClient().send(
    new CreateProjectCommand({ name, source: { type: "NO_SOURCE", buildspec: "version: 0.2" }, artifacts: { type: "NO_ARTIFACTS" }, environment, serviceRole: "arn:aws:iam::000000000000:role/runner", ...extra }),
  );
const start = (input: ConstructorParameters<typeof StartBuildCommand>[0]) => codeBuildClient().send(new StartBuildCommand(input));

beforeAll(async () => {
  codebuild = createCodeBuildEmulation();
  aws = await startAwsEmulator({ services: [codebuild] });
  restore = pointClientsAt(aws.url);
  await project("runner-x86", { type: "LINUX_CONTAINER", image: X86_IMAGE, computeType: "BUILD_GENERAL1_SMALL" }, { vpcConfig: VPC });
  await project("runner-arm", { type: "ARM_CONTAINER", image: ARM_IMAGE, computeType: "BUILD_GENERAL1_SMALL" });
});

afterAll(async () => {
  restore();
  await aws.close();
});

describe("CodeBuild's build environments", () => {
  it("refuses a project with CodeBuild's aarch64 image in LINUX_CONTAINER, and its x86 image in ARM_CONTAINER, with CodeBuild's message", async () => {
    const arm = await rejectionOf(project("wrong-arm", { type: "LINUX_CONTAINER", image: ARM_IMAGE, computeType: "BUILD_GENERAL1_LARGE" }));
    expect(arm).toBeInstanceOf(InvalidInputException);
    expect(arm.message).toBe(`AWS CodeBuild curated image ${ARM_IMAGE} is not supported for projects with environment type LINUX_CONTAINER and compute type BUILD_GENERAL1_LARGE`);
    const x86 = await rejectionOf(project("wrong-x86", { type: "ARM_CONTAINER", image: "aws/codebuild/standard:7.0", computeType: "BUILD_GENERAL1_SMALL" }));
    expect(x86).toBeInstanceOf(InvalidInputException);
    expect(codebuild.projects().map((p) => p.name)).not.toContain("wrong-arm");
    expect(codebuild.projects().map((p) => p.name)).not.toContain("wrong-x86");
  });

  it("refuses an ARM image override that keeps the x86 project's environment type, and starts no build", async () => {
    const before = codebuild.builds().length;
    const error = await rejectionOf(start({ projectName: "runner-x86", imageOverride: ARM_IMAGE }));
    expect(error).toBeInstanceOf(InvalidInputException);
    expect(error.message).toContain("is not supported for projects with environment type LINUX_CONTAINER");
    // The reverse: an x86 image in the ARM project.
    await expect(start({ projectName: "runner-arm", imageOverride: X86_IMAGE })).rejects.toThrow(/environment type ARM_CONTAINER/);
    expect(codebuild.builds()).toHaveLength(before);
  });

  it("runs an ARM image override that says ARM_CONTAINER, in the project's VPC, and an x86 one in the ARM project that says LINUX_CONTAINER", async () => {
    const { build: arm } = await start({ projectName: "runner-x86", imageOverride: ARM_IMAGE, environmentTypeOverride: "ARM_CONTAINER", computeTypeOverride: "BUILD_GENERAL1_LARGE" });
    expect(arm?.environment).toMatchObject({ type: "ARM_CONTAINER", image: ARM_IMAGE, computeType: "BUILD_GENERAL1_LARGE" });
    expect(arm?.vpcConfig).toEqual(VPC);
    const { build: x86 } = await start({ projectName: "runner-arm", imageOverride: X86_IMAGE, environmentTypeOverride: "LINUX_CONTAINER" });
    expect(x86?.environment).toMatchObject({ type: "LINUX_CONTAINER", image: X86_IMAGE, computeType: "BUILD_GENERAL1_SMALL" });
    expect(x86?.vpcConfig).toBeUndefined();
  });

  it("refuses a compute type the environment type does not offer (a Lambda size in a container)", async () => {
    const error = await rejectionOf(start({ projectName: "runner-arm", computeTypeOverride: "BUILD_LAMBDA_2GB" }));
    expect(error).toBeInstanceOf(InvalidInputException);
    expect(error.message).toContain("BUILD_LAMBDA_2GB");
  });

  it("leaves a custom image's architecture to the build, as CodeBuild does", async () => {
    const image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/runner:arm64";
    const { build } = await start({ projectName: "runner-x86", imageOverride: image, imagePullCredentialsTypeOverride: "SERVICE_ROLE" });
    expect(build?.environment).toMatchObject({ type: "LINUX_CONTAINER", image });
  });
});
