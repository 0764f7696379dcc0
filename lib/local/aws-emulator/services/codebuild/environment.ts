/**
 * Which build environments CodeBuild accepts, as its user guide describes them ("Build
 * environment compute modes and types", "Docker images provided by CodeBuild"): a curated image
 * (`aws/codebuild/…`) runs only in environment types of its architecture — the aarch64 images in
 * ARM_CONTAINER (ARM_LAMBDA_CONTAINER for the `-lambda-` ones), the x86 ones in LINUX_CONTAINER
 * and its GPU and Lambda siblings — and each environment type offers its own compute types.
 *
 * CodeBuild checks this on CreateProject and on StartBuild with overrides, and refuses with
 * InvalidInputException. The curated-image message is CodeBuild's own text, as CloudFormation and
 * the CLI report it; the compute-type one is this emulator's wording. A custom image is not
 * checked: CodeBuild cannot see its architecture either, and a wrong one fails inside the build
 * ("exec format error"). Reserved-capacity fleets are not modelled, so a build on one is not checked.
 */
import type { ComputeType, EnvironmentType, EnvironmentVariable, ProjectEnvironment } from "@aws-sdk/client-codebuild";

const GENERAL: readonly ComputeType[] = ["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE", "BUILD_GENERAL1_XLARGE", "BUILD_GENERAL1_2XLARGE"];
const LAMBDA: readonly ComputeType[] = ["BUILD_LAMBDA_1GB", "BUILD_LAMBDA_2GB", "BUILD_LAMBDA_4GB", "BUILD_LAMBDA_8GB", "BUILD_LAMBDA_10GB"];

/** On-demand compute types per environment type; types not listed here are not checked. */
const COMPUTE_TYPES: Partial<Record<EnvironmentType, readonly ComputeType[]>> = {
  LINUX_CONTAINER: GENERAL,
  ARM_CONTAINER: GENERAL,
  LINUX_GPU_CONTAINER: ["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_LARGE"],
  LINUX_LAMBDA_CONTAINER: LAMBDA,
  ARM_LAMBDA_CONTAINER: LAMBDA,
};

/** The environment types a curated image runs in, from its name; undefined for any other image. */
function curatedImageTypes(image: string): readonly EnvironmentType[] | undefined {
  if (!image.startsWith("aws/codebuild/") || image.startsWith("aws/codebuild/windows")) return undefined;
  const lambda = image.includes("-lambda-");
  if (image.includes("aarch64")) return lambda ? ["ARM_LAMBDA_CONTAINER"] : ["ARM_CONTAINER"];
  return lambda ? ["LINUX_LAMBDA_CONTAINER"] : ["LINUX_CONTAINER", "LINUX_GPU_CONTAINER"];
}

/** A build environment as CodeBuild would run it: the project's, with any overrides applied. */
export interface BuildEnvironment {
  type?: EnvironmentType | string | undefined;
  image?: string | undefined;
  computeType?: ComputeType | string | undefined;
}

/**
 * Why CodeBuild would refuse this environment, or undefined when it would run it.
 *
 * @example
 * environmentProblem({ type: "LINUX_CONTAINER", image: "aws/codebuild/amazonlinux-aarch64-standard:3.0", computeType: "BUILD_GENERAL1_SMALL" });
 * // "AWS CodeBuild curated image aws/codebuild/amazonlinux-aarch64-standard:3.0 is not supported for projects with environment type LINUX_CONTAINER and compute type BUILD_GENERAL1_SMALL"
 */
export function environmentProblem({ type, image, computeType }: BuildEnvironment): string | undefined {
  if (type === undefined || image === undefined || computeType === undefined) return undefined;
  const types = curatedImageTypes(image);
  if (types !== undefined && !types.includes(type as EnvironmentType)) {
    return `AWS CodeBuild curated image ${image} is not supported for projects with environment type ${type} and compute type ${computeType}`;
  }
  const computeTypes = COMPUTE_TYPES[type as EnvironmentType];
  if (computeTypes !== undefined && !computeTypes.includes(computeType as ComputeType)) {
    return `Invalid compute type ${computeType} for environment type ${type}: it supports ${computeTypes.join(", ")}`;
  }
  return undefined;
}

/**
 * The environment a build runs in: the project's, with StartBuild's overrides applied one by one.
 * An image override without its environment type keeps the project's type, which is how an ARM
 * image lands in an x86 project and is refused.
 */
export function withOverrides(env: ProjectEnvironment, input: Record<string, unknown>, variables: EnvironmentVariable[]): ProjectEnvironment {
  return {
    ...env,
    ...(input.imageOverride ? { image: input.imageOverride as string } : {}),
    ...(input.computeTypeOverride ? { computeType: input.computeTypeOverride as ComputeType } : {}),
    ...(input.environmentTypeOverride ? { type: input.environmentTypeOverride as EnvironmentType } : {}),
    ...(input.privilegedModeOverride !== undefined ? { privilegedMode: input.privilegedModeOverride as boolean } : {}),
    environmentVariables: variables,
  };
}
