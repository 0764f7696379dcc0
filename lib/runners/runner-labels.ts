/**
 * CodeBuild's runner-label syntax, read from a job's `runs-on` labels: `image:…`,
 * `instance-size:…`, `fleet:…` and `buildspec-override:true` become `StartBuild` overrides, but
 * only those the environment's `codebuild.allowOverrides` lists. A job asking for one that is not
 * allowed is refused with the reason rather than run on something it did not ask for.
 */
import type { ComputeType, EnvironmentType, ImagePullCredentialsType } from "@aws-sdk/client-codebuild";
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

/**
 * An image override and how CodeBuild pulls it: CodeBuild's curated images (`aws/codebuild/…`) with
 * its own credentials, which they require; any other image (a private ECR repository) with the
 * project's service role, since a project whose own image is curated has CODEBUILD set and would
 * otherwise try to pull a private image without the role's rights. The same rule as the template's
 * (lib/build/serverless-runner-role.cjs `pullCredentials`).
 */
function imageOverrides(type: EnvironmentType, image: string): BuildOverrides {
  return { environmentTypeOverride: type, imageOverride: image, imagePullCredentialsTypeOverride: image.startsWith("aws/codebuild/") ? "CODEBUILD" : "SERVICE_ROLE" };
}

/**
 * The overrides the labels ask for.
 *
 * @throws PermanentLaunchError for an override the environment does not allow, or one it cannot read.
 * @example
 * buildOverrides(["self-hosted", "instance-size:large"], ["instance-size"]);
 * // { computeTypeOverride: "BUILD_GENERAL1_LARGE" }
 */
export function buildOverrides(labels: readonly string[], allowed: readonly string[]): BuildOverrides {
  const overrides: BuildOverrides = {};
  for (const label of labels) {
    const colon = label.indexOf(":");
    if (colon < 0) continue;
    const kind = label.slice(0, colon);
    const value = label.slice(colon + 1);
    if (!["image", "instance-size", "fleet", "buildspec-override"].includes(kind)) continue;
    if (!allowed.includes(kind)) {
      throw new PermanentLaunchError(`the job asks for "${label}" but this environment does not allow ${kind} overrides (add it to codebuild.allowOverrides)`);
    }
    if (kind === "instance-size") {
      const size = SIZES[value];
      if (!size) throw new PermanentLaunchError(`"${label}": instance-size is one of ${Object.keys(SIZES).join(", ")}`);
      overrides.computeTypeOverride = size;
    } else if (kind === "image") {
      const custom = /^custom-(linux|arm)-(.+)$/.exec(value);
      const known = IMAGES[value];
      if (custom) Object.assign(overrides, imageOverrides(custom[1] === "arm" ? "ARM_CONTAINER" : "LINUX_CONTAINER", custom[2]!));
      else if (known) Object.assign(overrides, imageOverrides(known.type, known.image));
      else throw new PermanentLaunchError(`"${label}": image is one of ${Object.keys(IMAGES).join(", ")}, or custom-linux-<image> / custom-arm-<image>`);
    } else if (kind === "fleet") {
      if (!value) throw new PermanentLaunchError(`"${label}": name the fleet (fleet:<name or ARN>)`);
      overrides.fleetOverride = { fleetArn: value };
    }
    // buildspec-override:true is accepted where allowed and changes nothing: Runway's builds always
    // run the project's own buildspec (which hosts the runner), so there is nothing to override.
  }
  return overrides;
}
