/**
 * Evaluates one environment's filter groups against a delivery, keeping a trace of every filter so
 * that a decision can be explained ("why did my job not run in stg?").
 *
 * Semantics, as CodeBuild's webhook filter groups: the environment matches when ANY group matches;
 * a group matches when EVERY filter in it passes; an include filter passes when its pattern matches
 * the field; an exclusion (`excludeMatchedPattern: true`) passes when it does not. A field the
 * delivery lacks matches no pattern: an include filter on it fails, an exclusion passes. A value
 * longer than `MAX_FIELD_LENGTH` fails closed: its filter fails whether it includes or excludes,
 * so a long name can neither match an include nor slip past an exclusion.
 */
import type { JobFacts } from "../github/job-facts.ts";
import type { Filter, FilterGroup } from "../config/filter-schema.ts";
import { matches } from "../config/pattern.ts";
import { fieldValue, MAX_FIELD_LENGTH, shownValue } from "./fields.ts";

export interface FilterTrace {
  type: Filter["type"];
  pattern: string;
  exclude: boolean;
  /** The value the filter saw (its start, when too long); null when the delivery lacks the field. */
  value: string | null;
  /** The value's length, present only when it is over `MAX_FIELD_LENGTH` and the filter failed for it. */
  tooLong?: number;
  passed: boolean;
}

export interface GroupTrace {
  /** 1-based, as a person counts the groups in the file. */
  group: number;
  matched: boolean;
  filters: FilterTrace[];
}

/**
 * Evaluate one filter against the delivery.
 *
 * @example
 * evaluateFilter(config.environments.dev!.workflows[0]![0]!, jobFacts(payload));
 * // { type: "WORKFLOW_NAME", pattern: "^(action.*dev-deploy)$", exclude: false, value: "deploy-web", passed: false }
 */
export function evaluateFilter(filter: Filter, job: JobFacts): FilterTrace {
  const value = fieldValue(filter.type, job);
  if (value !== undefined && value.length > MAX_FIELD_LENGTH) {
    // Fail closed, and before the pattern runs: no legitimate name is this long.
    return {
      type: filter.type,
      pattern: filter.pattern.source,
      exclude: filter.excludeMatchedPattern,
      value: shownValue(value),
      tooLong: value.length,
      passed: false,
    };
  }
  const hit = value !== undefined && matches(filter.pattern, value);
  return {
    type: filter.type,
    pattern: filter.pattern.source,
    exclude: filter.excludeMatchedPattern,
    value: value ?? null,
    passed: filter.excludeMatchedPattern ? !hit : hit,
  };
}

/** Evaluate every group (no short-circuit: the trace explains all of them). */
export function evaluateGroups(groups: FilterGroup[], job: JobFacts): GroupTrace[] {
  return groups.map((filters, index) => {
    const traces = filters.map((filter) => evaluateFilter(filter, job));
    return { group: index + 1, matched: traces.every((t) => t.passed), filters: traces };
  });
}

/**
 * One line a person reads.
 *
 * @example
 * describeFilter(trace); // WORKFLOW_NAME "deploy-web" !~ ^(action.*dev-deploy)$
 * describeFilter(long); // WORKFLOW_NAME "aaaa…" is too long (10240 characters, limit 1024): fails closed against ^(action.*dev-deploy)$
 */
export function describeFilter(trace: FilterTrace): string {
  if (trace.tooLong !== undefined) {
    const against = trace.exclude ? `excluded ${trace.pattern}` : trace.pattern;
    return `${trace.type} ${JSON.stringify(trace.value)} is too long (${trace.tooLong} characters, limit ${MAX_FIELD_LENGTH}): fails closed against ${against}`;
  }
  const seen = trace.value === null ? "(missing)" : JSON.stringify(trace.value);
  const hit = trace.exclude ? !trace.passed : trace.passed;
  const op = trace.exclude ? (hit ? "matches excluded" : "avoids excluded") : hit ? "~" : "!~";
  return `${trace.type} ${seen} ${op} ${trace.pattern}`;
}
