/**
 * CodeBuild's runner-label overrides: what `image:`, `instance-size:` and `fleet:` labels become in
 * StartBuild, and that an image override always says how CodeBuild pulls it.
 */
import { describe, expect, it } from "vitest";
import { PermanentLaunchError } from "../../../lib/runners/errors.ts";
import { curatedImageArchitecture } from "../../../lib/config/codebuild-images.ts";
import { buildOverrides } from "../../../lib/runners/runner-labels.ts";

const ALL = ["image", "instance-size", "fleet", "buildspec-override"];

describe("buildOverrides", () => {
  it("pulls a custom image with the project's service role, so a private ECR image can be pulled", () => {
    expect(buildOverrides(["self-hosted", "image:custom-linux-123456789012.dkr.ecr.eu-west-1.amazonaws.com/runners:gpu"], ALL)).toEqual({
      environmentTypeOverride: "LINUX_CONTAINER",
      imageOverride: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/runners:gpu",
      imagePullCredentialsTypeOverride: "SERVICE_ROLE",
    });
    expect(buildOverrides(["image:custom-arm-123456789012.dkr.ecr.eu-west-1.amazonaws.com/runners:arm"], ALL)).toMatchObject({
      environmentTypeOverride: "ARM_CONTAINER",
      imagePullCredentialsTypeOverride: "SERVICE_ROLE",
    });
  });

  it("pulls CodeBuild's own images with CodeBuild's credentials, which they require, whatever the project's image", () => {
    expect(buildOverrides(["image:linux-5.0"], ALL)).toEqual({
      environmentTypeOverride: "LINUX_CONTAINER",
      imageOverride: "aws/codebuild/amazonlinux-x86_64-standard:5.0",
      imagePullCredentialsTypeOverride: "CODEBUILD",
    });
    expect(buildOverrides(["image:custom-linux-aws/codebuild/standard:7.0"], ALL)).toMatchObject({ imagePullCredentialsTypeOverride: "CODEBUILD" });
  });

  it("sets no pull credentials when no image is overridden", () => {
    expect(buildOverrides(["self-hosted", "instance-size:large", "fleet:warm"], ALL)).toEqual({ computeTypeOverride: "BUILD_GENERAL1_LARGE", fleetOverride: { fleetArn: "warm" } });
    expect(buildOverrides(["self-hosted", "runway-dev"], [])).toEqual({});
  });

  it("refuses an image override the environment does not allow, and an image it cannot read", () => {
    expect(() => buildOverrides(["image:custom-linux-evil/image"], ["instance-size"])).toThrow(PermanentLaunchError);
    expect(() => buildOverrides(["image:windows-2019"], ALL)).toThrow(/image is one of/);
  });

  it("reads overrides folded into CodeBuild's run label, as CodeBuild does, instead of ignoring them", () => {
    expect(buildOverrides(["codebuild-runner-dev-42-1 image:arm-3.0 instance-size:small"], ALL)).toEqual({
      environmentTypeOverride: "ARM_CONTAINER",
      imageOverride: "aws/codebuild/amazonlinux-aarch64-standard:3.0",
      imagePullCredentialsTypeOverride: "CODEBUILD",
      computeTypeOverride: "BUILD_GENERAL1_SMALL",
    });
    // Folded or not, an override the environment does not allow is refused, not dropped.
    expect(() => buildOverrides(["codebuild-runner-dev-42-1 instance-size:2xlarge"], ["image"])).toThrow(/does not allow instance-size overrides/);
  });

  it("reads the single-label suffix form (…-<type>-<image>-<size>, -fleet-<name>, -with-buildspec)", () => {
    expect(buildOverrides(["codebuild-runner-dev-42-1-arm-3.0-large"], ALL)).toMatchObject({ environmentTypeOverride: "ARM_CONTAINER", computeTypeOverride: "BUILD_GENERAL1_LARGE" });
    expect(buildOverrides(["codebuild-runner-dev-42-1-fleet-warm-with-buildspec"], ALL)).toEqual({ fleetOverride: { fleetArn: "warm" } });
    expect(() => buildOverrides(["codebuild-runner-dev-42-1-small"], [])).toThrow(/"-small" but this environment does not allow instance-size overrides/);
  });

  it("refuses an override key in a case CodeBuild does not document, rather than run the job on the project's default", () => {
    expect(() => buildOverrides(["self-hosted", "Image:arm-3.0"], ALL)).toThrow(PermanentLaunchError);
    expect(() => buildOverrides(["codebuild-runner-dev-42-1 Instance-Size:large"], ALL)).toThrow(/written in lower case .*write instance-size:large/);
  });

  it("refuses registration overrides: where a runner registers is the environment's to say", () => {
    expect(() => buildOverrides(["codebuild-runner-dev-42-1 registration-group-id:3"], ALL)).toThrow(/runners: setting in runway\.yml/);
  });

  it("gives every image override the environment type of its architecture, ARM or x86, whatever the project's", () => {
    expect(buildOverrides(["image:arm-3.0"], ALL)).toMatchObject({ environmentTypeOverride: "ARM_CONTAINER", imageOverride: "aws/codebuild/amazonlinux-aarch64-standard:3.0" });
    expect(buildOverrides(["image:ubuntu-7.0"], ALL)).toMatchObject({ environmentTypeOverride: "LINUX_CONTAINER", imageOverride: "aws/codebuild/standard:7.0" });
    // The job's instance size goes with it: CodeBuild offers every general size in ARM_CONTAINER too.
    expect(buildOverrides(["image:arm-3.0", "instance-size:2xlarge"], ALL)).toMatchObject({ environmentTypeOverride: "ARM_CONTAINER", computeTypeOverride: "BUILD_GENERAL1_2XLARGE" });
  });

  it("refuses CodeBuild's own image written with the other architecture's type, naming the label to write", () => {
    expect(() => buildOverrides(["image:custom-linux-aws/codebuild/amazonlinux-aarch64-standard:3.0"], ALL)).toThrow(
      /is CodeBuild's arm64 image.*write image:custom-arm-aws\/codebuild\/amazonlinux-aarch64-standard:3\.0/,
    );
    expect(() => buildOverrides(["image:custom-arm-aws/codebuild/standard:7.0"], ALL)).toThrow(/x86_64 image.*image:custom-linux-aws\/codebuild\/standard:7\.0/);
    // An image CodeBuild does not curate is taken at its word.
    expect(buildOverrides(["image:custom-linux-123456789012.dkr.ecr.eu-west-1.amazonaws.com/arm64:1"], ALL)).toMatchObject({ environmentTypeOverride: "LINUX_CONTAINER" });
  });

  it("knows the architecture of CodeBuild's curated images only", () => {
    expect(curatedImageArchitecture("aws/codebuild/amazonlinux2-aarch64-standard:2.0")).toBe("arm64");
    expect(curatedImageArchitecture("aws/codebuild/amazonlinux-x86_64-standard:5.0")).toBe("x86_64");
    expect(curatedImageArchitecture("aws/codebuild/standard:7.0")).toBe("x86_64");
    expect(curatedImageArchitecture("public.ecr.aws/codebuild/amazonlinux-aarch64-standard:3.0")).toBeUndefined();
    expect(curatedImageArchitecture("aws/codebuild/windows-base:2019-3.0")).toBeUndefined();
  });

  it("refuses two different values for one override", () => {
    expect(() => buildOverrides(["codebuild-runner-dev-42-1-small", "instance-size:large"], ALL)).toThrow(/both "-small" and "instance-size:large"/);
    expect(buildOverrides(["codebuild-runner-dev-42-1 instance-size:large", "instance-size:large"], ALL)).toEqual({ computeTypeOverride: "BUILD_GENERAL1_LARGE" });
  });
});
