/**
 * The fields of a `workflow_job` delivery that a filter can look at: plain data, apart from the
 * schema (filter-schema.ts), so that routing reads it without loading the schema library into the
 * webhook's cold start.
 */

export const FILTER_FIELDS = {
  WORKFLOW_NAME: "workflow_job.workflow_name: the workflow's `name:` (missing on older GitHub Enterprise Server)",
  JOB_NAME: "workflow_job.name: the job's name as shown in the run",
  REPOSITORY: "repository.full_name: `owner/name`",
  REPOSITORY_NAME: "repository.name: the name without its owner, as CodeBuild's REPOSITORY_NAME",
  ORGANIZATION_NAME: "repository.owner.login: the organisation or user that owns the repository",
  HEAD_BRANCH: "workflow_job.head_branch: the branch (or tag) name the run is for, without `refs/heads/`",
  ACTOR: "sender.login: who triggered the delivery",
} as const;

export type FilterField = keyof typeof FILTER_FIELDS;

