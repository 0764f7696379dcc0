/**
 * The configuration file's schema (`runway.yml`). The `RunwayConfig` type is inferred from it, so
 * the file, its validation and the code that reads it cannot drift apart.
 */
import * as z from "zod";
import { filterGroupSchema } from "./filter-schema.ts";
import { deploySchema } from "./deploy-schema.ts";
import { notifySchema } from "./notify-schema.ts";

const environmentName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}$/, "environment names are lower-case letters, digits and dashes, like dev or prd-eu");

const roleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, "expected an IAM role ARN like arn:aws:iam::123456789012:role/runway-launcher");

export const codebuildSchema = z.strictObject({
  /** The CodeBuild project that hosts this environment's runners. */
  project: z.string().min(2).max(255),
  /** Region of the project; defaults to the function's own region. */
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "expected an AWS region like eu-west-1").optional(),
  /** Role to assume to start builds in another account. */
  roleArn: roleArn.optional(),
  /** Which CodeBuild runner-label overrides (`image:`, `instance-size:`, `fleet:`, `buildspec-override:`) jobs may use. */
  allowOverrides: z.array(z.enum(["image", "instance-size", "fleet", "buildspec-override"])).default([]),
});

export const environmentSchema = z.strictObject({
  description: z.string().optional(),
  /** Filter groups: the job is this environment's when any group matches. */
  workflows: z.array(filterGroupSchema).min(1, "an environment needs at least one filter group"),
  /** Every one of these labels must be in the job's `runs-on` labels. */
  labels: z.array(z.string().min(1)).default(["self-hosted"]),
  codebuild: codebuildSchema,
  /** Runner group the JIT runners join (GitHub's default group is 1). */
  runnerGroupId: z.number().int().positive().default(1),
  /** At most this many runner builds at once for this environment; more wait and are retried. */
  concurrency: z.number().int().positive().max(10_000).default(10),
  slack: z.strictObject({ channel: z.string().min(1) }).optional(),
});

/**
 * Which environments a deployed stage serves: a list (one account per environment, the usual
 * dev/stg/prd layout), or `all` (one stage serves every environment, as `npm start` does).
 */
export const stageSchema = z.union([z.literal("all"), z.array(environmentName).min(1)]);

export const runwayConfigSchema = z
  .strictObject({
    environments: z.record(environmentName, environmentSchema).refine((envs) => Object.keys(envs).length > 0, {
      message: "define at least one environment",
    }),
    stages: z.record(z.string().regex(/^[a-zA-Z0-9-]+$/, "stage names are letters, digits and dashes"), stageSchema).default({}),
    deploy: deploySchema.optional(),
    notify: notifySchema.optional(),
  })
  .superRefine((config, ctx) => {
    for (const [stage, served] of Object.entries(config.stages)) {
      if (served === "all") continue;
      served.forEach((name, index) => {
        if (!(name in config.environments)) {
          ctx.addIssue({
            code: "custom",
            path: ["stages", stage, index],
            message: `stage ${stage} serves "${name}", which is not an environment (known: ${Object.keys(config.environments).join(", ")})`,
          });
        }
      });
    }
  });

export type RunwayConfig = z.infer<typeof runwayConfigSchema>;
export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type CodeBuildTarget = z.infer<typeof codebuildSchema>;
