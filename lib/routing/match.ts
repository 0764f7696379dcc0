/**
 * Evaluates one environment's filter groups against a delivery, keeping a trace of every filter so
 * that a decision can be explained ("why did my job not run in stg?").
 *
 * Semantics, as CodeBuild's webhook filter groups: the environment matches when ANY group matches;
 * a group matches when EVERY filter in it passes; an include filter passes when its pattern matches
 * the field; an exclusion (`excludeMatchedPattern: true`) passes when it does not. A field the
 * delivery lacks matches no pattern: an include filter on it fails, an exclusion passes.
 */
import type { Filter, FilterGroup } from "../config/filter-schema.ts";
import { fieldValue } from "./fields.ts";

export interface FilterTrace {
  type: Filter["type"];
  pattern: string;
  exclude: boolean;
  /** The value the filter saw; null when the delivery lacks the field. */
  value: string | null;
  passed: boolean;
}

export interface GroupTrace {
  /** 1-based, as a person counts the groups in the file. */
  group: number;
  matched: boolean;
  filters: FilterTrace[];
}

/** Evaluate one filter against the delivery. */
export function evaluateFilter(filter: Filter, payload: unknown): FilterTrace {
  const value = fieldValue(filter.type, payload);
  const hit = value !== undefined && filter.pattern.test(value);
  return {
    type: filter.type,
    pattern: filter.pattern.source,
    exclude: filter.excludeMatchedPattern,
    value: value ?? null,
    passed: filter.excludeMatchedPattern ? !hit : hit,
  };
}

/** Evaluate every group (no short-circuit: the trace explains all of them). */
export function evaluateGroups(groups: FilterGroup[], payload: unknown): GroupTrace[] {
  return groups.map((filters, index) => {
    const traces = filters.map((filter) => evaluateFilter(filter, payload));
    return { group: index + 1, matched: traces.every((t) => t.passed), filters: traces };
  });
}

/** One line a person reads: `WORKFLOW_NAME "deploy-web" !~ ^(action.*dev-deploy)$`. */
export function describeFilter(trace: FilterTrace): string {
  const seen = trace.value === null ? "(missing)" : JSON.stringify(trace.value);
  const hit = trace.exclude ? !trace.passed : trace.passed;
  const op = trace.exclude ? (hit ? "matches excluded" : "avoids excluded") : hit ? "~" : "!~";
  return `${trace.type} ${seen} ${op} ${trace.pattern}`;
}
