/**
 * The configuration file's schema (`runway.yml`). The `RunwayConfig` type is inferred from it, so
 * the file, its validation and the code that reads it cannot drift apart.
 */
import * as z from "zod";
import { filterGroupSchema } from "./filter-schema.ts";
import { deploySchema } from "./deploy-schema.ts";
import { notifySchema } from "./notify-schema.ts";
import { isGitHubHostedLabel } from "../github/hosted-labels.ts";
import { parseRunLabel } from "../github/run-label.ts";

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
  /**
   * The runner image of this environment's project (default: the stage's `runnerImage` param). A
   * private ECR image is pulled with the project's service role, which the template allows.
   */
  image: z.string().min(1).max(512).optional(),
});

const policyArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/.+$/, "expected a managed policy ARN like arn:aws:iam::123456789012:policy/deploy-web");

/**
 * Where the environment's JIT runners are registered. Repository runners are visible to that
 * repository only; organisation runners join a runner group, whose access rules (selected
 * repositories, selected workflows at selected refs) GitHub itself enforces.
 */
export const runnersSchema = z
  .strictObject({
    scope: z.enum(["repo", "org"], { error: () => "runners.scope is repo (the job's repository) or org (its organisation)" }).default("repo"),
    /** The runner group, by name or id; repository runners always join the Default group (1). */
    group: z.union([z.string().min(1).max(255), z.number().int().positive()]).optional(),
  })
  .superRefine((runners, ctx) => {
    if (runners.scope === "repo" && runners.group !== undefined && runners.group !== 1 && runners.group !== "Default") {
      ctx.addIssue({ code: "custom", path: ["group"], message: "runner groups are an organisation feature: set runners.scope: org to use one (repository runners join the Default group)" });
    }
  });

export const environmentSchema = z.strictObject({
  description: z.string().optional(),
  /** Filter groups: the job is this environment's when any group matches. */
  workflows: z.array(filterGroupSchema).min(1, "an environment needs at least one filter group"),
  /**
   * Every one of these labels must be in the job's `runs-on` labels. At least one, and a set that
   * no other environment's set contains or is contained in (checked below): GitHub hands a job to
   * any runner whose labels cover it, so environments must not be able to share runners.
   */
  labels: z
    .array(z.string().trim().min(1, "a label cannot be empty"), { error: () => "labels is a list, e.g. [self-hosted, runway-dev]" })
    .min(1, "an environment needs at least one label of its own, e.g. [self-hosted, runway-dev]: without one, any job, even one GitHub would run on its own hosted runners, could land on this environment's runner"),
  /**
   * Require the run label (`runway-run-${{ github.run_id }}-${{ github.run_attempt }}`, or CodeBuild's
   * `codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}`) in `runs-on`, so that a
   * runner launched for one run can never be handed another run's job.
   */
  requireRunLabel: z.boolean().default(true),
  codebuild: codebuildSchema,
  runners: runnersSchema.default({ scope: "repo" }),
  /** Managed policies the runner's own role gets (prefer GitHub OIDC per job; see README, "Security model"). */
  runnerPolicyArns: z.array(policyArn).max(10, "CloudFormation allows at most 10 managed policies on a role").default([]),
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
    checkRunnerIsolation(config.environments, ctx);
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

/**
 * Environments must not be able to share runners. A JIT runner registers with the job's labels,
 * which include every label its environment requires; GitHub hands a job to any idle runner whose
 * labels cover the job's. So when every label environment A requires is also required by B, a
 * runner launched for B can be handed A's job, with B's role. Refuse that, naming both.
 */
function checkRunnerIsolation(environments: Record<string, z.infer<typeof environmentSchema>>, ctx: z.RefinementCtx): void {
  const entries = Object.entries(environments);
  for (const [name, env] of entries) {
    env.labels.forEach((label, index) => {
      const path = ["environments", name, "labels", index];
      if (isGitHubHostedLabel(label)) {
        ctx.addIssue({ code: "custom", path, message: `"${label}" is a GitHub-hosted runner image: GitHub runs those jobs itself; give ${name} a label of its own, e.g. runway-${name}` });
      } else if (parseRunLabel(label) || label.includes("${{")) {
        ctx.addIssue({ code: "custom", path, message: `"${label}" changes with every run: put the run label in the workflow's runs-on and set requireRunLabel, not in labels` });
      }
    });
  }
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const [a, envA] = entries[i]!;
      const [b, envB] = entries[j]!;
      const setA = new Set(envA.labels.map((l) => l.toLowerCase()));
      const setB = new Set(envB.labels.map((l) => l.toLowerCase()));
      const aInB = [...setA].every((l) => setB.has(l));
      const bInA = [...setB].every((l) => setA.has(l));
      if (!aInB && !bInA) continue;
      const [small, large] = aInB ? [a, b] : [b, a];
      const shown = (aInB ? envA : envB).labels.join(", ");
      ctx.addIssue({
        code: "custom",
        path: ["environments", large, "labels"],
        message: `environments ${small} and ${large} could share runners: every label ${small} requires (${shown}) is also required by ${large}, so GitHub could hand ${small}'s job to a runner launched for ${large}; give each environment a label of its own, e.g. runway-${small} and runway-${large}`,
      });
    }
  }
}

export type RunwayConfig = z.infer<typeof runwayConfigSchema>;
export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type CodeBuildTarget = z.infer<typeof codebuildSchema>;
