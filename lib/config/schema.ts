/**
 * The configuration file's schema (`runway.yml`). The `RunwayConfig` type is inferred from it, so
 * the file, its validation and the code that reads it cannot drift apart.
 */
import * as z from "zod";
import { filterGroupSchema } from "./filter-schema.ts";
import { deploySchema } from "./deploy-schema.ts";
import { notifySchema } from "./notify-schema.ts";
import { checkProtectionEnvironments, protectionSchema } from "./protection-schema.ts";
import { isGitHubHostedLabel } from "../github/hosted-labels.ts";
import { parseRunLabel } from "../github/run-label.ts";
import { curatedImageArchitecture } from "./codebuild-images.ts";
import { runnerVpcSchema } from "./vpc-schema.ts";

const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,30}$/;

/** `Prod` → `prod`, `PRD_EU` → `prd-eu`: the name a person most likely meant, when there is one. */
function environmentNameFor(input: unknown): string | undefined {
  if (typeof input !== "string" || !/^[\w .-]+$/.test(input)) return undefined;
  const name = input.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[^a-z]+|-+$/g, "");
  return ENVIRONMENT_NAME.test(name) && !isReservedName(name) ? name : undefined;
}

/**
 * Names every JavaScript object already has (`constructor`, `toString`…): as a key of the parsed
 * file they would shadow, or be shadowed by, Object.prototype (`__proto__` is refused when the
 * file is read, lib/config/load.ts, because records drop it before any check sees it).
 */
function isReservedName(name: string): boolean {
  return name in Object.prototype;
}

function reservedName(kind: string, name: unknown): string {
  return `"${String(name)}" cannot be ${kind} name: every JavaScript object already has a "${String(name)}"; choose another name`;
}

const environmentName = z
  .string()
  .regex(ENVIRONMENT_NAME, {
    error: (issue) => {
      const suggestion = environmentNameFor(issue.input);
      return `environment names are lower-case letters, digits and dashes, like dev or prd-eu${suggestion ? `: did you mean ${suggestion}?` : ""}`;
    },
  })
  .refine((name) => !isReservedName(name), { error: (issue) => reservedName("an environment", issue.input) });

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
  /**
   * What the image runs on: arm64 gets an ARM_CONTAINER project, x86_64 a LINUX_CONTAINER one.
   * CodeBuild's own images say it in their names; a private image must say it here when built
   * for arm64 (see checkArchitecture).
   */
  architecture: z.enum(["x86_64", "arm64"], { error: () => "architecture is x86_64 or arm64 (what the runner image was built for)" }).optional(),
  /** The VPC the runner builds join (lib/config/vpc-schema.ts). */
  vpc: runnerVpcSchema.optional(),
}).superRefine(checkArchitecture);

/**
 * The project's environment type follows the image's architecture, and CodeBuild refuses an image
 * in a type of the other one. A curated image's architecture is known, so a contradicting
 * `architecture` is refused; an image whose name says arm64 but which CodeBuild does not curate
 * must say so, rather than be guessed either way.
 */
function checkArchitecture(codebuild: { image?: string | undefined; architecture?: "x86_64" | "arm64" | undefined }, ctx: z.RefinementCtx): void {
  if (codebuild.image === undefined) return;
  const curated = curatedImageArchitecture(codebuild.image);
  if (curated !== undefined && codebuild.architecture !== undefined && codebuild.architecture !== curated) {
    ctx.addIssue({ code: "custom", path: ["architecture"], message: `${codebuild.image} is CodeBuild's ${curated} image: remove architecture, or write ${curated}` });
  } else if (curated === undefined && codebuild.architecture === undefined && /aarch64|arm64/i.test(codebuild.image)) {
    ctx.addIssue({ code: "custom", path: ["architecture"], message: `missing: ${codebuild.image} looks like an arm64 image; write architecture: arm64 (an ARM_CONTAINER project) or architecture: x86_64` });
  }
}

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
export const stageSchema = z.union(
  [z.literal("all"), z.array(environmentName).min(1, "a stage serves at least one environment: list them, like [dev], or write all")],
  {
    error: (issue) =>
      `a stage is the list of environment names it serves, like [dev] or [stg, prd], or all (every environment)${
        typeof issue.input === "string" && ENVIRONMENT_NAME.test(issue.input) ? `: write [${issue.input}]` : ""
      }`,
  },
);

export const runwayConfigSchema = z
  .strictObject({
    environments: z.record(environmentName, environmentSchema).refine((envs) => Object.keys(envs).length > 0, {
      message: "define at least one environment",
    }),
    stages: z
      .record(
        z
          .string()
          .regex(/^[a-zA-Z0-9-]+$/, "stage names are letters, digits and dashes")
          .refine((name) => !isReservedName(name), { error: (issue) => reservedName("a stage", issue.input) }),
        stageSchema,
      )
      .default({}),
    deploy: deploySchema.optional(),
    notify: notifySchema.optional(),
    /** Runway as a GitHub custom deployment protection rule (lib/config/protection-schema.ts). */
    protection: protectionSchema.optional(),
  })
  .superRefine((config, ctx) => {
    checkRunnerIsolation(config.environments, ctx);
    checkProtectionEnvironments(config.protection, config.environments, ctx);
    for (const [stage, served] of Object.entries(config.stages)) {
      if (served === "all") continue;
      served.forEach((name, index) => {
        if (!Object.hasOwn(config.environments, name)) {
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
