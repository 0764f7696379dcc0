/**
 * Reads the value a filter looks at from a `workflow_job` delivery. Each field says where it comes
 * from in `FILTER_FIELDS` (lib/config/filter-schema.ts); this is the one place that knows how.
 */
import type { FilterField } from "../config/filter-schema.ts";
import { stringAt } from "../github/workflow-job.ts";

/** The field's value, or undefined when the delivery does not carry it. */
export function fieldValue(field: FilterField, payload: unknown): string | undefined {
  switch (field) {
    case "WORKFLOW_NAME":
      return stringAt(payload, "workflow_job", "workflow_name");
    case "JOB_NAME":
      return stringAt(payload, "workflow_job", "name");
    case "REPOSITORY":
      return stringAt(payload, "repository", "full_name");
    case "REPOSITORY_NAME":
      return stringAt(payload, "repository", "name");
    case "ORGANIZATION_NAME":
      return stringAt(payload, "repository", "owner", "login");
    case "HEAD_BRANCH":
      return stringAt(payload, "workflow_job", "head_branch");
    case "ACTOR":
      return stringAt(payload, "sender", "login");
  }
}
