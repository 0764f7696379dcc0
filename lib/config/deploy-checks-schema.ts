/**
 * The checks a CodeDeploy hook runs (part of the `deploy:` section of runway.yml). Each check has
 * a `type` (http, ecs, targetHealth, alarms, lambda) and the analysis settings shared by all kinds.
 * Durations are numbers of seconds or strings such as "500ms", "5s", "1m"; they come out of the
 * schema as milliseconds. Regular expressions are compiled here, so a broken one is reported with
 * its line when the file loads.
 */
import * as z from "zod";
import { PLACEHOLDER_PATTERN, PLACEHOLDERS } from "./deploy-names.ts";

export { PLACEHOLDER_PATTERN, PLACEHOLDERS, type Placeholder } from "./deploy-names.ts";

const LAMBDA_MAX_MS = 15 * 60_000;

/**
 * Milliseconds in a duration: a number of seconds, or a string such as `500ms`, `5s`, `1.5m`, `1h`.
 * Returns undefined when the value is not a duration.
 *
 * @example parseDurationMs("1.5m") // 90000
 */
export function parseDurationMs(value: number | string): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(value);
  if (!match) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h"];
  return Math.round(Number(match[1]) * unit);
}

const DURATION_HINT = 'expected a duration like "500ms", "5s" or "1m", or a number of seconds';

/** A duration in the file; milliseconds once parsed. */
export const duration = z
  .union([z.number(), z.string()], { error: DURATION_HINT })
  .transform((value, ctx) => {
    const ms = parseDurationMs(value);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)} is not a duration: ${DURATION_HINT}` });
      return z.NEVER;
    }
    return ms;
  });

/** A string whose `{placeholder}`s must all be known ones. */
const templated = z.string().superRefine((text, ctx) => {
  for (const [, name] of text.matchAll(PLACEHOLDER_PATTERN)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name ?? "")) {
      ctx.addIssue({ code: "custom", message: `unknown placeholder {${name}}; known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}` });
    }
  }
});

const regex = z.string().min(1).transform((source, ctx) => {
  try {
    return new RegExp(source, "u");
  } catch (error) {
    ctx.addIssue({ code: "custom", message: `not a valid regular expression (${(error as Error).message}); use JavaScript syntax` });
    return z.NEVER;
  }
});

/** Shared by every check kind: how often, how many times, how many failures are tolerated. */
const analysisShape = {
  /** Identifies the check in logs and Slack; defaults to its type (with a number when repeated). */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._:/-]{0,63}$/, "check names are up to 64 letters, digits, spaces and ._:/-").optional(),
  /** Wait before the first measurement (e.g. for caches to warm up). */
  initialDelay: duration.default(0),
  /** Time between the start of one measurement and the next. */
  interval: duration.default(10_000),
  /** How many measurements to take. */
  count: z.number().int().min(1).max(1_000).default(1),
  /** How many failed measurements are tolerated; one more and the check fails at once. */
  failureLimit: z.number().int().min(0).default(0),
  /** Longest one measurement may take before it counts as failed. */
  timeout: duration.default(10_000),
};

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

const CHECK_TYPES = ["http", "ecs", "targetHealth", "alarms", "lambda"] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

export const checkSchema = z
  .discriminatedUnion("type", [httpCheckSchema, ecsCheckSchema, targetHealthCheckSchema, alarmsCheckSchema, lambdaCheckSchema], {
    error: (issue) =>
      issue.code === "invalid_union" ? `expected type: to be one of ${CHECK_TYPES.join(", ")}` : undefined,
  })
  .superRefine((check, ctx) => {
    if (check.type === "http" && check.body !== undefined && (check.method === "GET" || check.method === "HEAD")) {
      ctx.addIssue({ code: "custom", path: ["body"], message: `a ${check.method} request cannot carry a body: set method: POST (or PUT, PATCH)` });
    }
    if (check.failureLimit >= check.count) {
      ctx.addIssue({
        code: "custom",
        path: ["failureLimit"],
        message: `failureLimit (${check.failureLimit}) must be lower than count (${check.count}), or the check could never fail`,
      });
    }
    const plannedMs = check.initialDelay + check.interval * (check.count - 1);
    if (plannedMs > LAMBDA_MAX_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["count"],
        message: `this check needs at least ${Math.round(plannedMs / 1000)}s, longer than a Lambda function can run (900s): lower count or interval`,
      });
    }
  });

export type CheckConfig = z.infer<typeof checkSchema>;
export type HttpCheckConfig = z.infer<typeof httpCheckSchema>;
export type EcsCheckConfig = z.infer<typeof ecsCheckSchema>;
export type TargetHealthCheckConfig = z.infer<typeof targetHealthCheckSchema>;
export type AlarmsCheckConfig = z.infer<typeof alarmsCheckSchema>;
export type LambdaCheckConfig = z.infer<typeof lambdaCheckSchema>;
