/**
 * Just-in-time runner registrations: create one for a queued job, find and delete one left behind.
 *
 * `generate-jitconfig` registers a runner that takes exactly one job and returns its configuration
 * (`encoded_jit_config`), a credential: whoever holds it can run a job as that runner. It stays
 * inside the returned object's private field, out of `JSON.stringify` and `util.inspect`, so a
 * careless log line shows the runner's id and name only; read `encodedJitConfig` to hand it on.
 *
 * Permissions of the GitHub App: repository scope needs Administration: Read and write;
 * organisation scope needs Organization → Self-hosted runners: Read and write.
 */
import type { Octokit } from "@octokit/core";
import { githubRequestId, githubStatus, toGitHubApiError } from "./api-error.ts";
import { GitHubApiError, RunnerNameConflictError } from "./errors.ts";

/** Where runners are registered: the repository itself, or its organisation (`owner`). */
export type RunnerScope = "repo" | "org";

type Requester = Pick<Octokit, "request">;

export interface JitConfigRequest {
  owner: string;
  repo: string;
  /** Unique among the scope's runners; GitHub answers 409 otherwise. */
  name: string;
  runnerGroupId: number;
  /** 1 to 100 non-empty labels; a job runs on a runner whose labels cover its `runs-on`. */
  labels: string[];
  /** Relative to the runner's directory; GitHub's default is `_work`. */
  workFolder?: string | undefined;
  /** `repo` (default) or `org`, for a runner registered on the organisation `owner`. */
  scope?: RunnerScope | undefined;
}

/** A registered runner and its one-time configuration; serialises without the configuration. */
export class JitRunnerConfig {
  readonly runnerId: number;
  readonly runnerName: string;
  readonly #encoded: string;

  constructor(runnerId: number, runnerName: string, encodedJitConfig: string) {
    this.runnerId = runnerId;
    this.runnerName = runnerName;
    this.#encoded = encodedJitConfig;
  }

  /** The value for `run.sh --jitconfig`: a secret, never to be logged or put in plain text. */
  get encodedJitConfig(): string {
    return this.#encoded;
  }
}

export interface RunnerRef {
  owner: string;
  repo: string;
  scope?: RunnerScope | undefined;
}

/** A registered self-hosted runner as GitHub lists it. */
export interface RegisteredRunner {
  id: number;
  name: string;
  status: string;
  busy: boolean;
  labels: string[];
}

const PER_PAGE = 100;
const MAX_PAGES = 10;

/**
 * Register a JIT runner and get its configuration.
 *
 * @throws RunnerNameConflictError when the name is taken (retry under another name);
 *   GitHubApiError otherwise, `retryable` for 5xx, rate limits and network errors.
 * @example
 * const jit = await generateJitConfig(octokit, { owner: "acme", repo: "api", name: "runway-dev-123-1", runnerGroupId: 1, labels: ["runway-dev"] });
 * await startRunnerBuild({ runnerName: jit.runnerName, jitConfig: jit.encodedJitConfig });
 */
export async function generateJitConfig(octokit: Requester, request: JitConfigRequest): Promise<JitRunnerConfig> {
  const { owner, repo, name, runnerGroupId, labels, workFolder } = request;
  checkLabels(labels);
  const org = request.scope === "org";
  const where = org ? `organization ${owner}` : `${owner}/${repo}`;
  const body = { name, runner_group_id: runnerGroupId, labels, ...(workFolder ? { work_folder: workFolder } : {}) };
  let data: { runner?: { id?: number; name?: string }; encoded_jit_config?: unknown };
  try {
    ({ data } = org
      ? await octokit.request("POST /orgs/{org}/actions/runners/generate-jitconfig", { org: owner, ...body })
      : await octokit.request("POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig", { owner, repo, ...body }));
  } catch (error) {
    if (githubStatus(error) === 409) {
      throw new RunnerNameConflictError(
        `a runner named ${name} is already registered on ${where}: pick another name and retry (an orphaned registration can be removed with findRunnerByName and deleteRunner)`,
        { status: 409, runnerName: name, requestId: githubRequestId(error), cause: error },
      );
    }
    throw toGitHubApiError(error, {
      action: `generate a JIT runner config on ${where}`,
      hints: {
        404: org
          ? `the GitHub App is not installed on organization ${owner}, or lacks the Organization → Self-hosted runners: Read and write permission, or runner group ${runnerGroupId} is not available to it`
          : `the GitHub App is not installed on ${owner}/${repo}, or lacks the Administration: Read and write (self-hosted runners) permission, or runner group ${runnerGroupId} is not available to it`,
        403: org
          ? `give the GitHub App the Organization → Self-hosted runners: Read and write permission (and accept it on the installation), and check that runner group ${runnerGroupId} is one the App may use`
          : `give the GitHub App the Administration: Read and write permission (and accept it on the installation), and check that runner group ${runnerGroupId} is one the App may use`,
        422: `runner group ${runnerGroupId} does not exist or the labels are invalid (1 to 100 non-empty labels): check runnerGroupId and labels in runway.yml`,
      },
    });
  }
  const runnerId = data.runner?.id;
  if (typeof data.encoded_jit_config !== "string" || data.encoded_jit_config === "" || typeof runnerId !== "number") {
    throw new GitHubApiError(`GitHub's answer to generate-jitconfig on ${where} has no runner id or configuration; retry`, { status: 201, retryable: true });
  }
  return new JitRunnerConfig(runnerId, data.runner?.name ?? name, data.encoded_jit_config);
}

/**
 * Remove a runner registration. A runner that is already gone (404: JIT runners remove themselves
 * after their job) is not an error. Any App with the runner permission on the scope may remove it,
 * whichever App registered it: GitHub checks the permission, not the registering App.
 *
 * @returns true when this call deleted it, false when it was already gone.
 */
export async function deleteRunner(octokit: Requester, ref: RunnerRef & { runnerId: number }): Promise<boolean> {
  const { owner, repo, runnerId } = ref;
  const org = ref.scope === "org";
  try {
    if (org) await octokit.request("DELETE /orgs/{org}/actions/runners/{runner_id}", { org: owner, runner_id: runnerId });
    else await octokit.request("DELETE /repos/{owner}/{repo}/actions/runners/{runner_id}", { owner, repo, runner_id: runnerId });
    return true;
  } catch (error) {
    if (githubStatus(error) === 404) return false;
    throw toGitHubApiError(error, {
      action: `delete runner ${runnerId} on ${org ? `organization ${owner}` : `${owner}/${repo}`}`,
      hints: { 422: "the runner is still running a job; delete it once the job has ended" },
    });
  }
}

/**
 * The registered runner with exactly this name, if any (`GET …/actions/runners?name=`), to clean
 * up a registration whose build never started.
 */
export async function findRunnerByName(octokit: Requester, ref: RunnerRef & { name: string }): Promise<RegisteredRunner | undefined> {
  const { owner, repo, name } = ref;
  const org = ref.scope === "org";
  try {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const query = { name, per_page: PER_PAGE, page };
      const { data } = org
        ? await octokit.request("GET /orgs/{org}/actions/runners", { org: owner, ...query })
        : await octokit.request("GET /repos/{owner}/{repo}/actions/runners", { owner, repo, ...query });
      const found = data.runners.find((runner) => runner.name === name);
      if (found) {
        return { id: found.id, name: found.name, status: found.status, busy: found.busy, labels: found.labels.map((label) => label.name) };
      }
      if (data.runners.length < PER_PAGE) return undefined;
    }
    return undefined;
  } catch (error) {
    throw toGitHubApiError(error, { action: `list runners named ${name} on ${org ? `organization ${owner}` : `${owner}/${repo}`}` });
  }
}

function checkLabels(labels: string[]): void {
  if (labels.length < 1 || labels.length > 100 || labels.some((label) => typeof label !== "string" || label.trim() === "")) {
    throw new RangeError(`a JIT runner needs 1 to 100 non-empty labels, got ${labels.length}`);
  }
}
