/**
 * CodeBuild's runner-label overrides: what `image:`, `instance-size:` and `fleet:` labels become in
 * StartBuild, and that an image override always says how CodeBuild pulls it.
 */
import { describe, expect, it } from "vitest";
import { PermanentLaunchError } from "../../../lib/runners/errors.ts";
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
});
