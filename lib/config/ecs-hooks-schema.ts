/**
 * The `deploy.ecs:` section of runway.yml: which checks decide each lifecycle stage of services
 * deployed by ECS's own deployment controller (blue/green, linear, canary), per cluster, service
 * and stage. The checks are the kinds CodeDeploy hooks use (deploy-checks-schema.ts); `ecs` and
 * `targetHealth` look at the deployment's green service revision.
 *
 * A stage's analysis spans as many invocations of the hook as it needs (ECS invokes again after an
 * IN_PROGRESS answer) and must end within the stage's `maxDuration`, counted from the moment ECS
 * started the hook.
 *
 * @example
 * deploy:
 *   ecs:
 *     clusters:
 *       prod:
 *         services:
 *           shop:
 *             stages:
 *               POST_SCALE_UP:
 *                 checks:
 *                   - type: ecs
 *                   - type: targetHealth
 *               POST_TEST_TRAFFIC_SHIFT:
 *                 maxDuration: 15m
 *                 checks:
 *                   - type: http
 *                     url: http://internal-shop-alb.example.com:9000/health   # the test listener
 *                     expect: { status: 200, bodyContains: '"ok"' }
 *                     count: 10
 *                     interval: 30s
 *                     failureLimit: 1
 *               PRODUCTION_TRAFFIC_SHIFT:
 *                 checks:
 *                   - type: alarms
 *                     names: [shop-5xx, shop-p99-latency]
 */
import * as z from "zod";
import { BEFORE_GREEN_STAGES, ECS_HOOK_STAGES, type EcsHookStage } from "../deploy/ecs-native/stages.ts";
import { checkSchema, duration } from "./deploy-checks-schema.ts";
import { nameChecks } from "./check-names.ts";

/** Each check's progress travels in hookDetails between invocations: ten keep it small. */
const MAX_CHECKS = 10;
/** ECS waits at most 24 hours for a hook (timeoutConfiguration.timeoutInMinutes 1440). */
const MAX_DURATION_MS = 24 * 3_600_000;

const stageSchema = z
  .strictObject({
    /** Every check must pass for the stage to pass; an empty list passes (an explicit "nothing to check"). */
    checks: z.array(checkSchema).max(MAX_CHECKS, `at most ${MAX_CHECKS} checks per stage: their progress travels in the hook's hookDetails`),
    /**
     * Longest the stage's analysis may take, from the moment ECS started the hook: past it the hook
     * answers FAILED. Keep it below the lifecycle hook's own timeoutConfiguration.timeoutInMinutes.
     */
    maxDuration: duration
      .refine((ms) => ms >= 10_000 && ms <= MAX_DURATION_MS, "maxDuration must be between 10s and 24h (the longest ECS waits for a hook)")
      .default(30 * 60_000),
  })
  .superRefine((stage, ctx) => {
    const seen = new Set<string>();
    stage.checks.forEach((check, index) => {
      if (check.name !== undefined && seen.has(check.name)) {
        ctx.addIssue({ code: "custom", path: ["checks", index, "name"], message: `two checks are named "${check.name}": names identify checks in the evidence, make them unique` });
      }
      if (check.name !== undefined) seen.add(check.name);
      // ECS calls back in whole seconds: a second of slack per measurement.
      const plannedMs = check.initialDelay + check.interval * (check.count - 1) + check.timeout + check.count * 1_000;
      if (plannedMs > stage.maxDuration) {
        ctx.addIssue({
          code: "custom",
          path: ["checks", index, "count"],
          message: `this check needs up to ${Math.round(plannedMs / 1000)}s, longer than the stage's maxDuration (${Math.round(stage.maxDuration / 1000)}s): lower count or interval, or raise maxDuration`,
        });
      }
    });
  })
  .transform((stage) => ({ checks: nameChecks(stage.checks), maxDuration: stage.maxDuration }));

const stagesSchema = z.strictObject(
  {
    RECONCILE_SERVICE: stageSchema.optional(),
    PRE_SCALE_UP: stageSchema.optional(),
    POST_SCALE_UP: stageSchema.optional(),
    TEST_TRAFFIC_SHIFT: stageSchema.optional(),
    POST_TEST_TRAFFIC_SHIFT: stageSchema.optional(),
    PRE_PRODUCTION_TRAFFIC_SHIFT: stageSchema.optional(),
    PRODUCTION_TRAFFIC_SHIFT: stageSchema.optional(),
    POST_PRODUCTION_TRAFFIC_SHIFT: stageSchema.optional(),
  } satisfies Record<EcsHookStage, unknown>,
  {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? `unknown lifecycle stage ${issue.keys.join(", ")}: ECS invokes hooks at ${ECS_HOOK_STAGES.join(", ")}` : undefined,
  },
);

export const ecsServiceHooksSchema = z.strictObject({ stages: stagesSchema }).superRefine((service, ctx) => {
  for (const [stage, config] of Object.entries(service.stages)) {
    config?.checks.forEach((check, index) => {
      const at = ["stages", stage, "checks", index];
      if (check.type === "lambda" && check.functionName === undefined) {
        ctx.addIssue({ code: "custom", path: [...at, "functionName"], message: "name the function to invoke: an ECS deployment has no new function version to default to" });
      }
      if (!(BEFORE_GREEN_STAGES as readonly string[]).includes(stage)) return;
      if (check.type === "ecs" || (check.type === "targetHealth" && check.targetGroup === undefined)) {
        ctx.addIssue({
          code: "custom",
          path: [...at, "type"],
          message: `${check.type} checks look at the green service revision, which has no tasks yet at ${stage}: move this one to POST_SCALE_UP or later`,
        });
      }
    });
  }
});

/** ECS cluster and service names: letters, digits, hyphens and underscores, up to 255. */
const ecsName = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, "expected an ECS name (letters, digits, - and _)");

export const ecsClusterHooksSchema = z.strictObject({
  /** By service name; `"*"` applies to every service of the cluster without an entry of its own. */
  services: z.record(z.union([z.literal("*"), ecsName]), ecsServiceHooksSchema).refine((services) => Object.keys(services).length > 0, {
    message: 'name at least one service (or "*" for all of them)',
  }),
});

export const ecsHooksSchema = z.strictObject({
  /** By cluster name; `"*"` applies to every cluster without an entry of its own. */
  clusters: z.record(z.union([z.literal("*"), ecsName]), ecsClusterHooksSchema).refine((clusters) => Object.keys(clusters).length > 0, {
    message: 'name at least one cluster (or "*" for all of them)',
  }),
});

export type EcsHooksConfig = z.infer<typeof ecsHooksSchema>;
export type EcsServiceHooksConfig = z.infer<typeof ecsServiceHooksSchema>;
export type EcsStageConfig = NonNullable<EcsServiceHooksConfig["stages"][EcsHookStage]>;
/** A check of an ECS stage as the analysis sees it: parsed, with its name filled in. */
export type NamedEcsCheck = EcsStageConfig["checks"][number];
