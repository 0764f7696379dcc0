/**
 * Deliveries without `workflow_name`. GitHub Enterprise Server added the field to `workflow_job`
 * deliveries in 3.7 (its webhook schema is the first to list it; the 3.3–3.5 documentation shows
 * deliveries without it, and without `head_branch` and `run_attempt`). A WORKFLOW_NAME filter can
 * never match such a delivery, so an environment that needs the name never gets the job, and the
 * reason says so and names the filters that still work: the ones whose field the delivery carries.
 * Only ever computed for a job that is being ignored: routing's hot path pays one field check.
 */
import { FILTER_FIELDS, type FilterField } from "../config/filter-fields.ts";
import type { JobFacts } from "../github/job-facts.ts";
import type { EnvironmentTrace } from "./decision.ts";
import { fieldValue } from "./fields.ts";

/** The first GitHub Enterprise Server release whose `workflow_job` deliveries carry `workflow_name`. */
export const GHES_WORKFLOW_NAME_SINCE = "3.7";

/** Why some deliveries have no name, in the words every message about them uses. */
export const NAMELESS_CAUSE = `GitHub Enterprise Server before ${GHES_WORKFLOW_NAME_SINCE} sends workflow_job deliveries without it`;

/**
 * Why a job whose delivery has no `workflow_name` went to no environment, when some environment
 * filters on the name; undefined when none does (another filter explains it better).
 *
 * @example
 * namelessReason(jobFacts(ghesPayload), decision.trace);
 * // "the delivery has no workflow_name (GitHub Enterprise Server before 3.7 …), so no WORKFLOW_NAME
 * //  filter can match it: stg group 1 needs the workflow's name; filters that still work on this
 * //  delivery: REPOSITORY, …, labels and the run label"
 */
export function namelessReason(job: JobFacts, trace: readonly EnvironmentTrace[]): string | undefined {
  const needing = trace.flatMap((env) =>
    env.groups
      .filter((group) => group.filters.some((f) => f.type === "WORKFLOW_NAME" && !f.exclude && f.value === null))
      .map((group) => `${env.environment} group ${group.group}`),
  );
  if (needing.length === 0) return undefined;
  const still = workingFields(job);
  return (
    `the delivery has no workflow_name (${NAMELESS_CAUSE}), so no WORKFLOW_NAME filter can match it: ${needing.join(", ")} ` +
    `${needing.length === 1 ? "needs" : "need"} the workflow's name; filters that still work on this delivery: ${[...still, "labels and the run label"].join(", ")}`
  );
}

/** The filter fields other than the workflow's name that this delivery carries. */
function workingFields(job: JobFacts): FilterField[] {
  return (Object.keys(FILTER_FIELDS) as FilterField[]).filter((field) => field !== "WORKFLOW_NAME" && fieldValue(field, job) !== undefined);
}
