/**
 * Workflow filter groups, shaped like CodeBuild's webhook filter groups so that people who know
 * those read these without a manual: a job matches when ANY group matches; inside a group EVERY
 * filter must match; a filter is a regular expression in RE2 syntax (lib/config/pattern.ts) over
 * one field of the `workflow_job` delivery and may be an exclusion (`excludeMatchedPattern: true`).
 */
import * as z from "zod";
import { FILTER_FIELDS, type FilterField } from "./filter-fields.ts";
import { compilePattern, PatternError, type Pattern } from "./pattern.ts";

const fieldNames = Object.keys(FILTER_FIELDS) as [FilterField, ...FilterField[]];

/**
 * A pattern is compiled when the configuration loads, so a broken one (or one RE2 cannot match in
 * linear time) is reported with its line, never found by a delivery.
 */
const pattern = z.string().min(1, "a pattern cannot be empty").transform((source, ctx): Pattern => {
  try {
    return compilePattern(source);
  } catch (error) {
    if (!(error instanceof PatternError)) throw error;
    ctx.addIssue({ code: "custom", message: error.message });
    return z.NEVER;
  }
});

export const filterSchema = z.strictObject({
  type: z.enum(fieldNames, { error: () => `expected one of ${fieldNames.join(", ")}` }),
  pattern,
  excludeMatchedPattern: z.boolean().default(false),
});

export const filterGroupSchema = z.array(filterSchema).min(1, "a filter group needs at least one filter");

export type Filter = z.infer<typeof filterSchema>;
export type FilterGroup = z.infer<typeof filterGroupSchema>;
