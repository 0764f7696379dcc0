/**
 * ARM runners through the launcher, against the AWS emulator's CodeBuild over real sockets: an
 * `image:arm-3.0` job on an x86 project starts a build that StartBuild tells to run in
 * ARM_CONTAINER (and an x86 image on an ARM project in LINUX_CONTAINER), which CodeBuild accepts;
 * the same image without its environment type is refused by CodeBuild, so a launcher that forgot
 * it would fail here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch } from "../../../lib/runners/launch.ts";
import { codeBuildStarter } from "../../../lib/runners/aws-ports.ts";
import { PermanentLaunchError } from "../../../lib/runners/errors.ts";
import { PROJECT, queuedJob, startHarness, type Harness } from "./harness.ts";

const ARM_PROJECT = "runway-runner-arm";
const ARM_IMAGE = "aws/codebuild/amazonlinux-aarch64-standard:3.0";

let h: Harness;
let nextJob = 7_000;
const job = () => ++nextJob;

beforeAll(async () => {
  h = await startHarness({ table: "runway-arm-test" });
  h.codebuild.createProject({ name: ARM_PROJECT, concurrentBuildLimit: 10, environment: { type: "ARM_CONTAINER", image: ARM_IMAGE, computeType: "BUILD_GENERAL1_LARGE" } });
});
afterAll(async () => {
  await h?.stop();
});

const allowingImages = (project: string) => ({ codebuild: { project, region: "eu-west-1", allowOverrides: ["image", "instance-size"] } });
const startBuildOf = (jobId: number) =>
  h.aws.calls.find((c) => c.operation === "StartBuild" && JSON.stringify(c.input).includes(`"name":"RUNWAY_JOB_ID","value":"${jobId}"`))?.input as Record<string, unknown> | undefined;
const buildOf = (buildId: string) => h.codebuild.build(buildId)!;

describe("ARM runners", () => {
  it("runs an image:arm-3.0 job of an x86 project in ARM_CONTAINER, on the project's compute type", async () => {
    const id = job();
    const result = await launch(queuedJob(id, { ...allowingImages(PROJECT), labels: ["self-hosted", "runway", "image:arm-3.0"] }), h.deps);
    expect(result).toMatchObject({ outcome: "launched" });
    expect(startBuildOf(id)).toMatchObject({ environmentTypeOverride: "ARM_CONTAINER", imageOverride: ARM_IMAGE, imagePullCredentialsTypeOverride: "CODEBUILD" });
    expect(buildOf((result as { buildId: string }).buildId).environment).toMatchObject({ type: "ARM_CONTAINER", image: ARM_IMAGE, computeType: "BUILD_GENERAL1_SMALL" });
  });

  it("takes the job's instance size with the ARM image, in the folded-label form too", async () => {
    const id = job();
    const result = await launch(queuedJob(id, { ...allowingImages(PROJECT), labels: ["self-hosted", "runway", `codebuild-${PROJECT}-42-1 image:arm-3.0 instance-size:xlarge`] }), h.deps);
    expect(startBuildOf(id)).toMatchObject({ environmentTypeOverride: "ARM_CONTAINER", computeTypeOverride: "BUILD_GENERAL1_XLARGE" });
    expect(buildOf((result as { buildId: string }).buildId).environment).toMatchObject({ type: "ARM_CONTAINER", computeType: "BUILD_GENERAL1_XLARGE" });
  });

  it("runs an x86 image job of an ARM project in LINUX_CONTAINER", async () => {
    const id = job();
    const result = await launch(queuedJob(id, { ...allowingImages(ARM_PROJECT), labels: ["self-hosted", "runway", "image:linux-5.0"] }), h.deps);
    expect(result).toMatchObject({ outcome: "launched" });
    expect(startBuildOf(id)).toMatchObject({ environmentTypeOverride: "LINUX_CONTAINER", imageOverride: "aws/codebuild/amazonlinux-x86_64-standard:5.0" });
    expect(buildOf((result as { buildId: string }).buildId).environment).toMatchObject({ type: "LINUX_CONTAINER", computeType: "BUILD_GENERAL1_LARGE" });
  });

  it("is refused by CodeBuild, as a permanent error, when the ARM image goes without its environment type", async () => {
    const error = await codeBuildStarter()
      .start({
        target: { region: "eu-west-1" },
        environment: "dev",
        project: PROJECT,
        idempotencyToken: "arm-without-type",
        runnerName: "runway-dev-arm-without-type",
        jitParameter: "/runway/test/jit/dev/arm-without-type",
        jobId: job(),
        runAttempt: 1,
        overrides: { imageOverride: ARM_IMAGE, imagePullCredentialsTypeOverride: "CODEBUILD" },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentLaunchError);
    expect((error as Error).message).toContain(`InvalidInputException: AWS CodeBuild curated image ${ARM_IMAGE} is not supported for projects with environment type LINUX_CONTAINER`);
  });

  it("refuses CodeBuild's ARM image written as a linux one before registering a runner, saying what to write", async () => {
    const id = job();
    const result = await launch(queuedJob(id, { ...allowingImages(PROJECT), labels: ["self-hosted", "runway", `image:custom-linux-${ARM_IMAGE}`] }), h.deps);
    expect(result).toMatchObject({ outcome: "failed", reason: expect.stringContaining(`write image:custom-arm-${ARM_IMAGE}`) });
    expect(startBuildOf(id)).toBeUndefined();
    expect([...h.registry.registered.keys()].some((name) => name.includes(`-${id}-`))).toBe(false);
  });
});
