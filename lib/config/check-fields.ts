/**
 * Fields every check kind shares (`deploy:` checks in runway.yml): durations, placeholders,
 * regular expressions and the analysis settings. Apart from the check kinds' schemas so that each
 * kind's file can use them without importing the union of all kinds.
 */
import * as z from "zod";
import { PLACEHOLDER_PATTERN, PLACEHOLDERS } from "./deploy-names.ts";

/** Longest a Lambda function runs: the bound of every ECS/Lambda hook's checks. */
export const LAMBDA_MAX_MS = 15 * 60_000;
/** Longest an appspec hook script may run (its `timeout`): the bound of `runway validate`. */
export const SCRIPT_MAX_MS = 60 * 60_000;

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
export const templated = z.string().superRefine((text, ctx) => {
  for (const [, name] of text.matchAll(PLACEHOLDER_PATTERN)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name ?? "")) {
      ctx.addIssue({ code: "custom", message: `unknown placeholder {${name}}; known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}` });
    }
  }
});

export const regex = z.string().min(1).transform((source, ctx) => {
  try {
    return new RegExp(source, "u");
  } catch (error) {
    ctx.addIssue({ code: "custom", message: `not a valid regular expression (${(error as Error).message}); use JavaScript syntax` });
    return z.NEVER;
  }
});

/** Shared by every check kind: how often, how many times, how many failures are tolerated. */
export const analysisShape = {
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
  /**
   * Measured and reported like any other check, but never decides the hook: its failure neither
   * fails the hook nor stops the other checks (Argo Rollouts' dry-run metrics). For trying a
   * check out on real deployments before trusting it.
   */
  dryRun: z.boolean().default(false),
};

