/**
 * The `protection:` section of runway.yml: Runway as a GitHub custom deployment protection rule.
 * Per GitHub environment (the name in a workflow's `environment:`, not a Runway environment), the
 * conditions under which Runway approves a job waiting to deploy there; it rejects otherwise,
 * saying which condition failed. Every condition declared must hold.
 *
 * - `validatedIn`: the same commit was deployed to each of these GitHub environments and that
 *   deployment succeeded (GitHub's own deployment statuses), at least `soak` ago.
 * - `alarms`: none of these CloudWatch alarms is in ALARM (the `alarms` check of deploy hooks).
 * - `window`: now is inside the deploy window: days and hours in a time zone.
 *
 * @example
 * protection:
 *   environments:
 *     production:
 *       environment: prd            # the Runway environment: its Slack channel, the stage that decides
 *       validatedIn:
 *         - environment: staging
 *           soak: 30m
 *       alarms: { names: [shop-5xx, shop-p99] }
 *       window: { timeZone: Europe/Berlin, days: [mon, tue, wed, thu], hours: "09:00-16:00" }
 */
import * as z from "zod";
import { duration } from "./deploy-checks-schema.ts";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** GitHub's own limit on environment names; GitHub compares them without regard to case. */
const githubEnvironment = z.string().trim().min(1, "name the GitHub environment").max(255, "GitHub environment names are at most 255 characters");

/** "09:00-16:00" → minutes after midnight, `to` exclusive; "22:00-02:00" runs past midnight. */
const hourRange = z
  .string()
  .regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/, 'expected hours like "09:00-16:00" (24-hour clock, local time of the window\'s timeZone)')
  .transform((text, ctx) => {
    const [from, to] = text.split("-").map(minutesOf) as [number | undefined, number | undefined];
    if (from === undefined || to === undefined || from === 24 * 60) {
      ctx.addIssue({ code: "custom", message: `"${text}" is not a range of times of day: use 00:00 to 23:59, and 24:00 only as an end` });
      return z.NEVER;
    }
    if (from === to) {
      ctx.addIssue({ code: "custom", message: `"${text}" is empty: for the whole day write "00:00-24:00"` });
      return z.NEVER;
    }
    return { from, to, text };
  });

function minutesOf(hhmm: string): number | undefined {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  if (m > 59 || h > 24 || (h === 24 && m !== 0)) return undefined;
  return h * 60 + m;
}

const timeZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { error: (issue) => `${JSON.stringify(issue.input)} is not an IANA time zone: use a name like Europe/Berlin, America/New_York or UTC` },
);

export const windowSchema = z.strictObject({
  /** IANA time zone of `days` and `hours` (daylight saving included). */
  timeZone: timeZone.default("UTC"),
  /** The days a window opens on; a window past midnight belongs to the day it opened. */
  days: z
    .array(z.enum(WEEKDAYS, { error: () => `days are ${WEEKDAYS.join(", ")}` }))
    .min(1, "name at least one day")
    .default([...WEEKDAYS]),
  /** One range or several ("09:00-12:00", "13:00-16:00"); the whole day by default. */
  hours: z.preprocess((hours) => (hours === undefined ? ["00:00-24:00"] : typeof hours === "string" ? [hours] : hours), z.array(hourRange).min(1, "name at least one range of hours")),
});

/** A name alone (`staging`) is that environment with the defaults. */
const validatedInSchema = z.preprocess(
  (item) => (typeof item === "string" ? { environment: item } : item),
  z.strictObject({
    /** The GitHub environment the same commit must have been deployed to, successfully. */
    environment: githubEnvironment,
    /** At least this long since that deployment succeeded (milliseconds once parsed). */
    soak: duration.default(0),
    /**
     * Whose deployments count (`deployment.creator.login`). GitHub Actions creates the deployment
     * of every job that names an environment as github-actions[bot]; anyone with write access can
     * create one through the API, so a deployment made by hand does not count unless named here.
     */
    creators: z.array(z.string().min(1)).min(1).default(["github-actions[bot]"]),
  }),
);

/** A list alone (`[shop-5xx]`) is those names with the defaults. */
const alarmsSchema = z.preprocess(
  (alarms) => (Array.isArray(alarms) ? { names: alarms } : alarms),
  z.strictObject({
    names: z.array(z.string().min(1).max(255)).min(1, "name at least one CloudWatch alarm").max(100),
    /** An alarm without enough data yet is not evidence of a fault, unless you say so. */
    insufficientData: z.enum(["pass", "fail"]).default("pass"),
  }),
);

export const protectionRuleSchema = z
  .strictObject({
    description: z.string().optional(),
    /**
     * The Runway environment this GitHub environment deploys to: its Slack channel gets the
     * decision, and only a stage serving it decides. Defaults to the Runway environment of the same
     * name, if there is one.
     */
    environment: z.string().optional(),
    validatedIn: z.array(validatedInSchema).default([]),
    alarms: alarmsSchema.optional(),
    window: windowSchema.optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.validatedIn.length === 0 && !rule.alarms && !rule.window) {
      ctx.addIssue({ code: "custom", message: "declare at least one condition (validatedIn, alarms or window): a rule without one would approve every deployment" });
    }
  });

export const protectionSchema = z
  .strictObject({
    /** By GitHub environment name (as GitHub compares them: without regard to case). */
    environments: z.record(githubEnvironment, protectionRuleSchema).refine((envs) => Object.keys(envs).length > 0, {
      message: "name at least one GitHub environment",
    }),
  })
  .superRefine((protection, ctx) => {
    const seen = new Map<string, string>();
    for (const [name, rule] of Object.entries(protection.environments)) {
      const key = name.toLowerCase();
      const other = seen.get(key);
      if (other !== undefined) {
        ctx.addIssue({ code: "custom", path: ["environments", name], message: `GitHub environment names ignore case: ${name} and ${other} are the same environment` });
      }
      seen.set(key, name);
      rule.validatedIn.forEach((item, index) => {
        if (item.environment.toLowerCase() === key) {
          ctx.addIssue({ code: "custom", path: ["environments", name, "validatedIn", index], message: `${name} cannot require a deployment to itself: name the environment it is promoted from, e.g. staging` });
        }
      });
    }
  });

/**
 * Refinement for the whole file: an `environment:` a rule names must be a Runway environment.
 * Called from the root schema's superRefine (lib/config/schema.ts).
 */
export function checkProtectionEnvironments(
  protection: ProtectionConfig | undefined,
  environments: Record<string, unknown>,
  ctx: z.RefinementCtx,
): void {
  for (const [name, rule] of Object.entries(protection?.environments ?? {})) {
    if (rule.environment !== undefined && !Object.hasOwn(environments, rule.environment)) {
      ctx.addIssue({
        code: "custom",
        path: ["protection", "environments", name, "environment"],
        message: `"${rule.environment}" is not a Runway environment (known: ${Object.keys(environments).join(", ")})`,
      });
    }
  }
}

export type ProtectionConfig = z.infer<typeof protectionSchema>;
export type ProtectionRule = z.infer<typeof protectionRuleSchema>;
export type DeployWindow = z.infer<typeof windowSchema>;
export type ValidatedIn = ProtectionRule["validatedIn"][number];
