/**
 * The `deploy:` section of runway.yml: which checks decide each CodeDeploy lifecycle hook, per
 * application, deployment group and hook — the hook functions of ECS blue/green and Lambda
 * deployments, and the appspec hook scripts of EC2/on-premises ones (`runway validate`). The
 * checks themselves are in deploy-checks-schema.ts.
 *
 * Everything a person can get wrong is rejected when the file loads, with the path of the
 * offending key, rather than when a deployment is half way through.
 *
 * @example
 * deploy:
 *   reportMargin: 10s
 *   applications:
 *     shop:
 *       deploymentGroups:
 *         "*":
 *           hooks:
 *             AfterAllowTestTraffic:
 *               checks:
 *                 - type: http
 *                   url: http://internal-shop-alb:8080/health
 *                   expect: { status: 200, bodyContains: '"ok"' }
 *                   count: 3
 *                   interval: 5s
 */
import * as z from "zod";
import { HOOK_NAMES, LAMBDA_ONLY_HOOK_NAMES, SERVER_HOOK_NAMES, SERVER_ONLY_HOOK_NAMES } from "./deploy-names.ts";
import { checkSchema, duration, scriptCheckSchema } from "./deploy-checks-schema.ts";
import { ecsHooksSchema } from "./ecs-hooks-schema.ts";
import { nameChecks } from "./check-names.ts";
import { hookVpcSchema } from "./vpc-schema.ts";

export { HOOK_NAMES, SERVER_HOOK_NAMES, type HookName, type LambdaHookName, type ServerHookName } from "./deploy-names.ts";
export { PLACEHOLDERS, parseDurationMs } from "./deploy-checks-schema.ts";
export type * from "./deploy-checks-schema.ts";

/** Check kinds that need the replacement task set, which CodeDeploy creates only after BeforeInstall. */
const NEEDS_REPLACEMENT = new Set(["ecs", "targetHealth"]);

/** A hook's checks, of a kind `checks` accepts (ECS/Lambda checks, or the longer ones of a script). */
function hookSchemaOf<T extends typeof checkSchema | typeof scriptCheckSchema>(checks: T) {
  return z
    .strictObject({
      /** Every check must pass for the hook to pass; an empty list passes (an explicit "nothing to check"). */
      checks: z.array(checks),
    })
    .superRefine((hook, ctx) => {
      const seen = new Set<string>();
      hook.checks.forEach((check, index) => {
        if (check.name === undefined) return;
        if (seen.has(check.name)) {
          ctx.addIssue({
            code: "custom",
            path: ["checks", index, "name"],
            message: `two checks are named "${check.name}": names identify checks in the evidence, make them unique`,
          });
        }
        seen.add(check.name);
      });
    })
    .transform((hook) => ({ checks: nameChecks(hook.checks) }));
}

export const hookSchema = hookSchemaOf(checkSchema);

/**
 * A hook only EC2/on-premises deployments have (ValidateService …), decided by `runway validate`
 * on the instance: no task set, no new function version, and up to an hour.
 */
export const serverHookSchema = hookSchemaOf(scriptCheckSchema).superRefine((hook, ctx) => {
  hook.checks.forEach((check, index) => {
    const at = ["checks", index];
    if (check.type === "ecs") {
      ctx.addIssue({ code: "custom", path: [...at, "type"], message: "ecs checks look at an ECS task set; an EC2/on-premises deployment has none" });
    } else if (check.type === "targetHealth" && check.targetGroup === undefined) {
      ctx.addIssue({ code: "custom", path: [...at, "targetGroup"], message: "name the target group: an EC2/on-premises deployment has no replacement task set to take it from" });
    } else if (check.type === "lambda" && check.functionName === undefined) {
      ctx.addIssue({ code: "custom", path: [...at, "functionName"], message: "name the function to invoke: an EC2/on-premises deployment has no new function version to default to" });
    }
  });
});

const hooksSchema = z.strictObject(
  {
    // ECS blue/green and Lambda deployments (hook functions); BeforeInstall, AfterInstall and the
    // two traffic hooks are EC2/on-premises script hooks too.
    BeforeInstall: hookSchema.optional(),
    AfterInstall: hookSchema.optional(),
    AfterAllowTestTraffic: hookSchema.optional(),
    BeforeAllowTraffic: hookSchema.optional(),
    AfterAllowTraffic: hookSchema.optional(),
    // EC2/on-premises deployments only (appspec hook scripts running `runway validate`).
    ApplicationStop: serverHookSchema.optional(),
    ApplicationStart: serverHookSchema.optional(),
    ValidateService: serverHookSchema.optional(),
    BeforeBlockTraffic: serverHookSchema.optional(),
    AfterBlockTraffic: serverHookSchema.optional(),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown hook ${issue.keys.join(", ")}: ECS and Lambda hooks are ${HOOK_NAMES.join(", ")}; EC2/on-premises hooks are ${SERVER_HOOK_NAMES.join(", ")}`
        : undefined,
  },
);

export const deploymentGroupSchema = z.strictObject({ hooks: hooksSchema }).superRefine((group, ctx) => {
  group.hooks.BeforeInstall?.checks.forEach((check, index) => {
    if (NEEDS_REPLACEMENT.has(check.type)) {
      ctx.addIssue({
        code: "custom",
        path: ["hooks", "BeforeInstall", "checks", index, "type"],
        message: `${check.type} checks look at the replacement task set, which does not exist yet at BeforeInstall: move this one to AfterInstall or later`,
      });
    }
  });
});

const awsName = z.string().regex(/^[A-Za-z0-9._+@=,-]{1,100}$/, "expected a CodeDeploy name (letters, digits and ._+@=,-)");

export const applicationSchema = z
  .strictObject({
    /** By deployment group name; `"*"` applies to every group without an entry of its own. */
    deploymentGroups: z.record(z.union([z.literal("*"), awsName]), deploymentGroupSchema).refine((groups) => Object.keys(groups).length > 0, {
      message: 'name at least one deployment group (or "*" for all of them)',
    }),
  })
  .superRefine((application, ctx) => {
    // A CodeDeploy application has one compute platform: its hooks are all ECS/Lambda or all EC2/on-premises.
    const uses = (names: readonly string[]) =>
      Object.entries(application.deploymentGroups).flatMap(([group, { hooks }]) =>
        Object.keys(hooks).filter((hook) => names.includes(hook) && hooks[hook as keyof typeof hooks] !== undefined).map((hook) => ({ group, hook })),
      );
    const server = uses(SERVER_ONLY_HOOK_NAMES);
    const lambda = uses(LAMBDA_ONLY_HOOK_NAMES);
    if (server.length > 0 && lambda.length > 0) {
      const [first] = server;
      ctx.addIssue({
        code: "custom",
        path: ["deploymentGroups", first!.group, "hooks", first!.hook],
        message:
          `${first!.hook} is an EC2/on-premises hook, but this application also has ${lambda[0]!.hook} (ECS) checks: ` +
          "a CodeDeploy application deploys to one compute platform, so one of them is misplaced",
      });
    }
  });

export const deploySchema = z.strictObject({
  /** By CodeDeploy application name. */
  applications: z.record(awsName, applicationSchema).default({}),
  /** ECS deployment controller (blue/green, linear, canary): checks per cluster, service and lifecycle stage (ecs-hooks-schema.ts). */
  ecs: ecsHooksSchema.optional(),
  /**
   * The subnets and security groups of the hook functions (the five CodeDeploy hooks and
   * ecs-hook), for checks of targets inside a VPC. One for the stage: those functions serve
   * every environment it serves (lib/config/vpc-schema.ts).
   */
  vpc: hookVpcSchema.optional(),
  /**
   * Time kept back before the function's own timeout to stop checking and report Failed, so a
   * slow check never leaves CodeDeploy waiting for an hour. Milliseconds once parsed.
   */
  reportMargin: duration
    .refine((ms) => ms >= 1_000 && ms <= 300_000, "reportMargin must be between 1s and 5m (default 10s)")
    .default(10_000),
});

export type DeployConfig = z.infer<typeof deploySchema>;
export type HookConfig = z.infer<typeof hookSchema>;
export type DeploymentGroupConfig = z.infer<typeof deploymentGroupSchema>;
/** A check as the analysis sees it: parsed, with its name filled in. */
export type NamedCheck = HookConfig["checks"][number];
