/**
 * Reads the value a filter looks at from a `workflow_job` delivery's facts (lib/github/job-facts.ts). Each field says where it comes
 * from in `FILTER_FIELDS` (lib/config/filter-fields.ts); this is the one place that knows how.
 */
import type { FilterField } from "../config/filter-fields.ts";
import type { JobFacts } from "../github/job-facts.ts";

/**
 * The longest value a filter reads, in UTF-16 code units; a longer one fails its filter, include
 * and exclusion alike (lib/routing/match.ts). GitHub keeps repository names to 100 characters and
 * logins to 39; branch names are git refs, each `/`-separated part at most 255 bytes where refs
 * are files, and real ones are far shorter; workflow and job names are one line of the Actions UI.
 * 1,024 refuses no real name, and bounds what matching, logs and traces ever handle of a name an
 * attacker chooses.
 */
export const MAX_FIELD_LENGTH = 1024;

/** How much of an over-long value a trace shows: enough to recognise it, not its 10 KB. */
const SHOWN_LENGTH = 64;

/**
 * The value as a trace or log line shows it: whole, or its first characters and an ellipsis.
 *
 * @example
 * shownValue("deploy-web"); // "deploy-web"
 * shownValue("a".repeat(10_000)); // the first 64 "a"s, then "…"
 */
export function shownValue(value: string): string {
  if (value.length <= SHOWN_LENGTH) return value;
  // Do not cut a surrogate pair in half: JSON would show a lone "\ud83d".
  const last = value.charCodeAt(SHOWN_LENGTH - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? SHOWN_LENGTH - 1 : SHOWN_LENGTH;
  return `${value.slice(0, end)}…`;
}

/** The field's value, or undefined when the delivery does not carry it. */
export function fieldValue(field: FilterField, job: JobFacts): string | undefined {
  switch (field) {
    case "WORKFLOW_NAME":
      return job.workflowName;
    case "JOB_NAME":
      return job.name;
    case "REPOSITORY":
      return job.repository;
    case "REPOSITORY_NAME":
      return job.repositoryName;
    case "ORGANIZATION_NAME":
      return job.ownerLogin;
    case "HEAD_BRANCH":
      return job.headBranch;
    case "ACTOR":
      return job.actor;
  }
}
