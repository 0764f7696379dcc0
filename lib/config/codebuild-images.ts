/** What Runway knows of CodeBuild's images without asking CodeBuild: the architecture of its curated ones. */

/** What a CodeBuild environment type runs on. */
export type Architecture = "x86_64" | "arm64";

/**
 * The architecture of one of CodeBuild's curated images (`aws/codebuild/…`), whose names say it:
 * the aarch64 ones (`amazonlinux-aarch64-standard:3.0`, `amazonlinux2-aarch64-standard:2.0`, the
 * `-aarch64-lambda-` ones) run only in ARM environment types, every other Linux one only in x86
 * ones. Undefined for any other image: only whoever built it knows.
 *
 * @example
 * curatedImageArchitecture("aws/codebuild/amazonlinux-aarch64-standard:3.0"); // "arm64"
 * curatedImageArchitecture("123456789012.dkr.ecr.eu-west-1.amazonaws.com/runner:1"); // undefined
 */
export function curatedImageArchitecture(image: string): Architecture | undefined {
  if (!image.startsWith("aws/codebuild/") || image.startsWith("aws/codebuild/windows")) return undefined;
  return image.includes("aarch64") ? "arm64" : "x86_64";
}
