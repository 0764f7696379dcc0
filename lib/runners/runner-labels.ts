/**
 * CodeBuild's runner-label overrides, read from a job's `runs-on` labels in any of the ways
 * CodeBuild reads them (lib/github/codebuild-labels.ts: separate labels, folded into the run label,
 * or its single-label suffix): `image:…`, `instance-size:…`, `fleet:…` and
 * `buildspec-override:true` become `StartBuild` overrides, but only those the environment's
 * `codebuild.allowOverrides` lists. A job asking for one that is not allowed, one Runway cannot
 * honour or one written in a way CodeBuild does not document, is refused with the reason rather
 * than run on something it did not ask for.
 */
import type { ComputeType, EnvironmentType, ImagePullCredentialsType } from "@aws-sdk/client-codebuild";
import { codeBuildRequest, type CodeBuildOverride } from "../github/codebuild-labels.ts";
import { curatedImageArchitecture, type Architecture } from "../config/codebuild-images.ts";
import { PermanentLaunchError } from "./errors.ts";

export interface BuildOverrides {
  environmentTypeOverride?: EnvironmentType;
  imageOverride?: string;
  /** Set with every image override: the project's own setting fits the project's image only. */
  imagePullCredentialsTypeOverride?: ImagePullCredentialsType;
  computeTypeOverride?: ComputeType;
  fleetOverride?: { fleetArn: string };
}

const SIZES: Record<string, ComputeType> = {
  small: "BUILD_GENERAL1_SMALL",
  medium: "BUILD_GENERAL1_MEDIUM",
  large: "BUILD_GENERAL1_LARGE",
  xlarge: "BUILD_GENERAL1_XLARGE",
  "2xlarge": "BUILD_GENERAL1_2XLARGE",
};

/** CodeBuild's curated images by their runner-label names. */
const IMAGES: Record<string, { type: EnvironmentType; image: string }> = {
  "linux-5.0": { type: "LINUX_CONTAINER", image: "aws/codebuild/amazonlinux-x86_64-standard:5.0" },
  "arm-3.0": { type: "ARM_CONTAINER", image: "aws/codebuild/amazonlinux-aarch64-standard:3.0" },
  "ubuntu-7.0": { type: "LINUX_CONTAINER", image: "aws/codebuild/standard:7.0" },
};

const ARCHITECTURE_OF: Partial<Record<EnvironmentType, Architecture>> = {
  LINUX_CONTAINER: "x86_64",
  LINUX_GPU_CONTAINER: "x86_64",
  LINUX_LAMBDA_CONTAINER: "x86_64",
  ARM_CONTAINER: "arm64",
  ARM_LAMBDA_CONTAINER: "arm64",
};

/**
 * An image override and how CodeBuild pulls it: CodeBuild's curated images (`aws/codebuild/…`) with
 * its own credentials, which they require; any other image (a private ECR repository) with the
 * project's service role, since a project whose own image is curated has CODEBUILD set and would
 * otherwise try to pull a private image without the role's rights. The same rule as the template's
 * (lib/build/serverless-runner-role.cjs `pullCredentials`).
 */
function imageOverrides(type: EnvironmentType, image: string, written: string): BuildOverrides {
  // CodeBuild refuses a curated image in an environment type of the other architecture
  // (InvalidInputException, "… is not supported for projects with environment type …"): say
  // which label to write instead of letting StartBuild fail.
  const curated = curatedImageArchitecture(image);
  if (curated !== undefined && curated !== ARCHITECTURE_OF[type]) {
    throw new PermanentLaunchError(`"${written}": ${image} is CodeBuild's ${curated} image, which runs only in ${curated === "arm64" ? "an ARM" : "an x86"} environment; write image:custom-${curated === "arm64" ? "arm" : "linux"}-${image}`);
  }
  // Every image override carries its environment type: the project's own type fits the project's
  // image only (an ARM image in the project's LINUX_CONTAINER is refused, and the reverse). The
  // compute type stays the project's, or the job's instance-size: CodeBuild offers each of
  // BUILD_GENERAL1_SMALL … 2XLARGE in both ARM_CONTAINER and LINUX_CONTAINER (user guide, "About
  // on-demand environment types"), so a change of architecture never needs another one.
  return { environmentTypeOverride: type, imageOverride: image, imagePullCredentialsTypeOverride: image.startsWith("aws/codebuild/") ? "CODEBUILD" : "SERVICE_ROLE" };
}

/**
 * The overrides the labels ask for.
 *
 * @throws PermanentLaunchError for an override the environment does not allow, one it cannot read,
 *   or one written in a case CodeBuild does not document (`Image:`).
 * @example
 * buildOverrides(["self-hosted", "instance-size:large"], ["instance-size"]);
 * // { computeTypeOverride: "BUILD_GENERAL1_LARGE" }
 * buildOverrides(["codebuild-web-${{ github.run_id }}-1 image:arm-3.0 instance-size:small"], ["image", "instance-size"]);
 * // { environmentTypeOverride: "ARM_CONTAINER", …, computeTypeOverride: "BUILD_GENERAL1_SMALL" }
 */
export function buildOverrides(labels: readonly string[], allowed: readonly string[]): BuildOverrides {
  const { overrides, problems } = codeBuildRequest(labels);
  if (problems[0] !== undefined) throw new PermanentLaunchError(problems[0]);
  return startBuildOverrides(overrides, allowed);
}

/**
 * `StartBuild`'s overrides for overrides already read from the labels (`codeBuildRequest`).
 *
 * @throws PermanentLaunchError as `buildOverrides` does.
 */
export function startBuildOverrides(overrides: readonly CodeBuildOverride[], allowed: readonly string[]): BuildOverrides {
  const result: BuildOverrides = {};
  const seen = new Map<string, CodeBuildOverride>();
  for (const override of overrides) {
    checkAllowed(override, allowed);
    const earlier = seen.get(override.key);
    if (earlier && earlier.value !== override.value) {
      throw new PermanentLaunchError(`the job asks for both "${earlier.written}" and "${override.written}": give one ${override.key}`);
    }
    seen.set(override.key, override);
    const { key, value, written } = override;
    if (key === "instance-size") {
      const size = SIZES[value];
      if (!size) throw new PermanentLaunchError(`"${written}": instance-size is one of ${Object.keys(SIZES).join(", ")}`);
      result.computeTypeOverride = size;
    } else if (key === "image") {
      const custom = /^custom-(linux|arm)-(.+)$/.exec(value);
      const known = IMAGES[value];
      if (custom) Object.assign(result, imageOverrides(custom[1] === "arm" ? "ARM_CONTAINER" : "LINUX_CONTAINER", custom[2]!, written));
      else if (known) Object.assign(result, imageOverrides(known.type, known.image, written));
      else throw new PermanentLaunchError(`"${written}": image is one of ${Object.keys(IMAGES).join(", ")}, or custom-linux-<image> / custom-arm-<image>`);
    } else if (key === "fleet") {
      if (!value) throw new PermanentLaunchError(`"${written}": name the fleet (fleet:<name or ARN>)`);
      result.fleetOverride = { fleetArn: value };
    }
    // buildspec-override:true is accepted where allowed and changes nothing: Runway's builds always
    // run the project's own buildspec (which hosts the runner), so there is nothing to override.
  }
  return result;
}

/**
 * Refuse an override the environment does not allow, or one Runway never honours: where a runner
 * registers (organisation, enterprise, runner group) is the environment's `runners:` setting,
 * never the job's to choose.
 *
 * @throws PermanentLaunchError naming the override and what to change.
 */
export function checkAllowed(override: CodeBuildOverride, allowed: readonly string[]): void {
  const { key, written } = override;
  if (key === "organization-registration-name" || key === "enterprise-registration-name" || key === "registration-group-id") {
    throw new PermanentLaunchError(`the job asks for "${written}", but Runway registers runners where the environment's runners: setting in runway.yml says, never where a label asks; remove the label`);
  }
  if (!allowed.includes(key)) {
    throw new PermanentLaunchError(`the job asks for "${written}" but this environment does not allow ${key} overrides (add it to codebuild.allowOverrides)`);
  }
}
