/**
 * Workflow jobs as GitHub keeps them: known from the moment their `queued` delivery goes out,
 * then in progress on one runner, then completed; a finished job stays queryable. Each keeps the
 * queued delivery's body, from which its later deliveries are built, as GitHub's carry the same
 * repository, sender and installation.
 */
import type { components } from "@octokit/openapi-types";

export type JobStatus = "queued" | "in_progress" | "completed";

export interface JobStep {
  name: string;
  number: number;
  status: JobStatus;
  conclusion: string | null;
}

export interface FakeJob {
  id: number;
  runId: number;
  runAttempt: number;
  owner: string;
  repo: string;
  repositoryId: number | null;
  /** GitHub's runner groups can refuse public repositories; a payload without the flag reads as private. */
  private: boolean;
  installationId: number | null;
  labels: string[];
  name: string;
  workflowName: string | null;
  /** `owner/repo/<workflow file>@<ref>`: what a runner group's selected workflows are matched against. */
  workflowRef: string;
  headBranch: string | null;
  status: JobStatus;
  conclusion: string | null;
  runnerId: number | null;
  runnerName: string | null;
  runnerGroupId: number | null;
  runnerGroupName: string | null;
  steps: JobStep[];
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  /** The `queued` delivery's body. */
  payload: Record<string, any>;
}

/**
 * The job a `queued` delivery describes, or undefined when it is not one.
 *
 * A `workflow_job` payload does not say which workflow file the job comes from, yet a runner
 * group's selected workflows name files. The fake takes the file from the payload's `workflow.path`
 * when present (tests add it; `workflow_run` deliveries carry one), else from
 * `workflow_job.workflow_path`, else `.github/workflows/<workflow_name>.yml`; the ref is
 * `refs/heads/<head_branch>`.
 */
export function jobFromQueued(payload: unknown): FakeJob | undefined {
  const body = payload as Record<string, any> | null;
  const job = body?.workflow_job;
  if (!body || body.action !== "queued" || typeof job?.id !== "number" || typeof job.run_id !== "number") return undefined;
  const [owner = "", repo = ""] = String(body.repository?.full_name ?? "/").split("/");
  const workflowName = typeof job.workflow_name === "string" ? job.workflow_name : null;
  const headBranch = typeof job.head_branch === "string" ? job.head_branch : null;
  const file = stringOr(body.workflow?.path, stringOr(job.workflow_path, `.github/workflows/${workflowName ?? job.name ?? "workflow"}.yml`));
  return {
    id: job.id,
    runId: job.run_id,
    runAttempt: typeof job.run_attempt === "number" ? job.run_attempt : 1,
    owner,
    repo,
    repositoryId: typeof body.repository?.id === "number" ? body.repository.id : null,
    private: body.repository?.private !== false,
    installationId: typeof body.installation?.id === "number" ? body.installation.id : null,
    labels: Array.isArray(job.labels) ? job.labels.filter((l: unknown): l is string => typeof l === "string") : [],
    name: typeof job.name === "string" ? job.name : "job",
    workflowName,
    workflowRef: `${owner}/${repo}/${file}@refs/heads/${headBranch ?? "main"}`,
    headBranch,
    status: "queued",
    conclusion: null,
    runnerId: null,
    runnerName: null,
    runnerGroupId: null,
    runnerGroupName: null,
    steps: [],
    createdAt: new Date().toISOString(),
    startedAt: null,
    completedAt: null,
    payload: structuredClone(body),
  };
}

const stringOr = (value: unknown, otherwise: string) => (typeof value === "string" && value !== "" ? value : otherwise);

/**
 * The steps GitHub reports for the simulated job: set-up and checkout done while it runs; at the
 * end every step concluded, the failing one `failure` and the rest after it `skipped`.
 */
export function jobSteps(status: "in_progress" | "completed", failedStep?: string, stoppedBy?: "cancelled"): JobStep[] {
  const names = ["Set up job", "Checkout", "Deploy", "Complete job"];
  const failedAt = failedStep === undefined ? -1 : names.indexOf(failedStep);
  return names.map((name, i) => {
    if (status === "in_progress") return { name, number: i + 1, status: i < 2 ? "completed" : "in_progress", conclusion: i < 2 ? "success" : null };
    if (stoppedBy) return { name, number: i + 1, status: "completed", conclusion: i < 2 ? "success" : "cancelled" };
    const conclusion = failedAt < 0 || i < failedAt ? "success" : i === failedAt ? "failure" : "skipped";
    return { name, number: i + 1, status: "completed", conclusion };
  });
}

/** The body of a delivery about the job as it is now, built from its queued delivery. */
export function jobDelivery(job: FakeJob): Record<string, any> {
  const action = job.status;
  return {
    ...job.payload,
    action,
    workflow_job: {
      ...job.payload.workflow_job,
      status: job.status,
      conclusion: job.conclusion,
      // Every delivery of a job carries when it was queued, as GitHub's do (and as jobJson answers).
      created_at: job.createdAt,
      started_at: job.startedAt ?? job.createdAt,
      completed_at: job.completedAt,
      runner_id: job.runnerId,
      runner_name: job.runnerName,
      runner_group_id: job.runnerGroupId,
      runner_group_name: job.runnerGroupName,
      steps: job.steps,
    },
  };
}

type JobJson = components["schemas"]["job"];

/** GitHub's `job` object (`GET /repos/{owner}/{repo}/actions/jobs/{job_id}`). */
export function jobJson(job: FakeJob, apiUrl: string): JobJson {
  const repoApi = `${apiUrl}/repos/${job.owner}/${job.repo}`;
  const queued = job.payload.workflow_job as Record<string, unknown>;
  return {
    id: job.id,
    run_id: job.runId,
    run_url: `${repoApi}/actions/runs/${job.runId}`,
    run_attempt: job.runAttempt,
    node_id: Buffer.from(`CheckRun${job.id}`).toString("base64"),
    head_sha: typeof queued.head_sha === "string" ? queued.head_sha : "0".repeat(40),
    url: `${repoApi}/actions/jobs/${job.id}`,
    html_url: typeof queued.html_url === "string" ? queued.html_url : `https://github.com/${job.owner}/${job.repo}/actions/runs/${job.runId}/job/${job.id}`,
    status: job.status,
    conclusion: job.conclusion as JobJson["conclusion"],
    created_at: job.createdAt,
    started_at: job.startedAt ?? job.createdAt,
    completed_at: job.completedAt,
    name: job.name,
    steps: job.steps.map((s) => ({ ...s, conclusion: s.conclusion })),
    check_run_url: `${repoApi}/check-runs/${job.id}`,
    labels: [...job.labels],
    runner_id: job.runnerId,
    runner_name: job.runnerName,
    runner_group_id: job.runnerGroupId,
    runner_group_name: job.runnerGroupName,
    workflow_name: job.workflowName,
    head_branch: job.headBranch,
  };
}
