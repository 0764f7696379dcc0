/**
 * The checks a CodeDeploy hook runs (part of the `deploy:` section of runway.yml). Each check has
 * a `type` (http, ecs, targetHealth, alarms, lambda, cloudwatch) and the analysis settings shared
 * by all kinds, `dryRun` among them.
 * Durations are numbers of seconds or strings such as "500ms", "5s", "1m"; they come out of the
 * schema as milliseconds. Regular expressions are compiled here, so a broken one is reported with
 * its line when the file loads.
 */
import * as z from "zod";
import { analysisShape, duration, LAMBDA_MAX_MS, regex, SCRIPT_MAX_MS, templated } from "./check-fields.ts";
import { cloudWatchCheckSchema } from "./metric-check-schema.ts";

export { PLACEHOLDER_PATTERN, PLACEHOLDERS, type Placeholder } from "./deploy-names.ts";
export { duration, LAMBDA_MAX_MS, parseDurationMs, SCRIPT_MAX_MS } from "./check-fields.ts";
export { cloudWatchCheckSchema } from "./metric-check-schema.ts";

const statusItem = z.union([z.number().int().min(100).max(599), z.string().regex(/^[1-5][0-9x]{2}$/)], {
  error: 'expected an HTTP status such as 200 or a class such as "2xx"',
});

export const httpCheckSchema = z.strictObject({
  type: z.literal("http"),
  ...analysisShape,
  /** Usually the test listener, e.g. http://internal-alb.example.com:8080/health. */
  url: templated.refine((url) => /^https?:\/\/[^/]/.test(url), "expected an absolute http:// or https:// URL"),
  method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]).default("GET"),
  headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "not a valid HTTP header name"), templated).default({}),
  body: templated.optional(),
  expect: z
    .strictObject({
      /** Accepted statuses: 200, [200, 204] or "2xx". Redirects are not followed, so 3xx is what the service answered. */
      status: z
        .union([statusItem, z.array(statusItem).min(1)])
        .default("2xx")
        .transform((status) => (Array.isArray(status) ? status : [status]).map(String)),
      /** Every one of these texts must occur in the body. */
      bodyContains: z
        .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
        .transform((texts) => (Array.isArray(texts) ? texts : [texts]))
        .optional(),
      bodyMatches: regex.optional(),
      maxLatency: duration.optional(),
    })
    .default({ status: ["2xx"] }),
});

export const ecsCheckSchema = z.strictObject({
  type: z.literal("ecs"),
  ...analysisShape,
  /** Containers whose image is compared with the task definition; all of them when omitted. */
  containers: z.array(z.string().min(1)).min(1).optional(),
  /** Tasks whose containers define no health check report UNKNOWN; accept that only when you mean it. */
  allowUnknownHealth: z.boolean().default(false),
  /** A task set scaled to zero is not a release that can take traffic. */
  minRunning: z.number().int().min(1).default(1),
});

export const targetHealthCheckSchema = z.strictObject({
  type: z.literal("targetHealth"),
  ...analysisShape,
  /** The target group to look at; the replacement task set's when omitted. */
  targetGroup: templated.optional(),
  minHealthy: z.number().int().min(1).default(1),
});

export const alarmsCheckSchema = z.strictObject({
  type: z.literal("alarms"),
  ...analysisShape,
  names: z.array(z.string().min(1).max(255)).min(1, "name at least one CloudWatch alarm").max(100),
  /** An alarm without enough data yet is not evidence of a fault, unless you say so. */
  insufficientData: z.enum(["pass", "fail"]).default("pass"),
});

const jsonValue: z.ZodType<unknown> = z.json();

export const lambdaCheckSchema = z.strictObject({
  type: z.literal("lambda"),
  ...analysisShape,
  /** Smoke-test function (name, ARN, or name:qualifier); the deployment's new version when omitted. */
  functionName: templated.optional(),
  /** Sent as the event; a summary of the deployment when omitted. Strings may use placeholders. */
  payload: jsonValue.optional(),
  expect: z
    .strictObject({
      /** Every one of these texts must occur in the function's answer. */
      contains: z
        .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
        .transform((texts) => (Array.isArray(texts) ? texts : [texts]))
        .optional(),
      matches: regex.optional(),
      /** The answer, parsed as JSON, must contain these keys with these values (a subset match). */
      json: z.record(z.string(), jsonValue).optional(),
    })
    .default({}),
});

const CHECK_TYPES = ["http", "ecs", "targetHealth", "alarms", "lambda", "cloudwatch"] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

const checkKinds = z.discriminatedUnion(
  "type",
  [httpCheckSchema, ecsCheckSchema, targetHealthCheckSchema, alarmsCheckSchema, lambdaCheckSchema, cloudWatchCheckSchema],
  { error: (issue) => (issue.code === "invalid_union" ? `expected type: to be one of ${CHECK_TYPES.join(", ")}` : undefined) },
);

/** What bounds a check's duration: the longest its runner may take, and what to call that runner. */
interface Bound {
  ms: number;
  runner: string;
}

function refineCheck(check: z.infer<typeof checkKinds>, ctx: z.RefinementCtx, bound: Bound): void {
  if (check.type === "http" && check.body !== undefined && (check.method === "GET" || check.method === "HEAD")) {
    ctx.addIssue({ code: "custom", path: ["body"], message: `a ${check.method} request cannot carry a body: set method: POST (or PUT, PATCH)` });
  }
  if (check.failureLimit >= check.count) {
    ctx.addIssue({
      code: "custom",
      path: ["failureLimit"],
      message: `failureLimit (${check.failureLimit}) must be lower than count (${check.count}), or the check could never fail`,
    });
  } else if (check.type === "cloudwatch" && check.failureLimit + check.inconclusiveLimit >= check.count) {
    ctx.addIssue({
      code: "custom",
      path: ["inconclusiveLimit"],
      message:
        `failureLimit + inconclusiveLimit (${check.failureLimit} + ${check.inconclusiveLimit}) must be lower than count (${check.count}), ` +
        "or the check could pass without a single passing measurement",
    });
  }
  const plannedMs = check.initialDelay + check.interval * (check.count - 1);
  if (plannedMs > bound.ms) {
    ctx.addIssue({
      code: "custom",
      path: ["count"],
      message: `this check needs at least ${Math.round(plannedMs / 1000)}s, longer than ${bound.runner} can run (${bound.ms / 1000}s): lower count or interval`,
    });
  }
}

/** A check of an ECS/Lambda hook, run by a Lambda function (at most 15 minutes). */
export const checkSchema = checkKinds.superRefine((check, ctx) => refineCheck(check, ctx, { ms: LAMBDA_MAX_MS, runner: "a Lambda function" }));

/** A check of an EC2/on-premises hook, run by `runway validate` within the appspec script's timeout (at most an hour). */
export const scriptCheckSchema = checkKinds.superRefine((check, ctx) =>
  refineCheck(check, ctx, { ms: SCRIPT_MAX_MS, runner: "an appspec hook script (timeout at most 3600)" }),
);

export type CheckConfig = z.infer<typeof checkSchema>;
export type HttpCheckConfig = z.infer<typeof httpCheckSchema>;
export type EcsCheckConfig = z.infer<typeof ecsCheckSchema>;
export type TargetHealthCheckConfig = z.infer<typeof targetHealthCheckSchema>;
export type AlarmsCheckConfig = z.infer<typeof alarmsCheckSchema>;
export type LambdaCheckConfig = z.infer<typeof lambdaCheckSchema>;
export type CloudWatchCheckConfig = z.infer<typeof cloudWatchCheckSchema>;
