/**
 * The launcher's GitHub side: JIT runner registrations and removals spread over the stage's GitHub
 * Apps (lib/github/app-pool.ts), job and runner status through the webhook App, with GitHub's
 * errors turned into the launcher's (retry later, with GitHub's hint; or park with the reason).
 */
import { withRegistrationApp } from "../github/app-pool.ts";
import { GitHubAppConfigError, GitHubApiError, RunnerNameConflictError } from "../github/errors.ts";
import { deleteRunner, findRunnerByName, generateJitConfig } from "../github/jit-config.ts";
import { getJob } from "../github/jobs.ts";
import { githubClient } from "../github/octokit.ts";
import { getRunner } from "../github/runner-status.ts";
import { DEFAULT_RUNNER_GROUP_ID, runnerGroupId } from "../github/runner-groups.ts";
import { PermanentLaunchError, RetryLaterError } from "./errors.ts";
import type { GitHubJobs, RunnerRegistry } from "./launch.ts";
import type { GitHubRunners } from "./reconcile.ts";

export function githubRegistry(): RunnerRegistry {
  return {
    async register(request) {
      const org = request.runners.scope === "org";
      try {
        const jit = await withRegistrationApp({ owner: request.owner, repo: request.repo, installationId: request.installationId }, async (octokit) =>
          generateJitConfig(octokit, {
            owner: request.owner,
            repo: request.repo,
            name: request.name,
            scope: request.runners.scope,
            runnerGroupId: org ? await runnerGroupId(octokit, request.owner, request.runners.group) : DEFAULT_RUNNER_GROUP_ID,
            labels: request.labels,
          }),
        );
        return { runnerId: jit.runnerId, encodedJitConfig: jit.encodedJitConfig };
      } catch (error) {
        throw asLaunchError(error);
      }
    },

    // Any App may remove a runner another registered: GitHub checks the permission on the scope only.
    async unregister(request) {
      const ref = { owner: request.owner, repo: request.repo, scope: request.scope };
      try {
        await withRegistrationApp({ owner: request.owner, repo: request.repo, installationId: request.installationId }, async (octokit) => {
          const runnerId = request.runnerId ?? (await findRunnerByName(octokit, { ...ref, name: request.name }))?.id;
          if (runnerId !== undefined) await deleteRunner(octokit, { ...ref, runnerId });
        });
      } catch (error) {
        throw asLaunchError(error);
      }
    },
  };
}

/** GitHub's own record of jobs, through the App. */
export function githubJobs(): GitHubJobs {
  return {
    async job(request) {
      try {
        const octokit = await githubClient({ owner: request.owner, repo: request.repo, installationId: request.installationId });
        return await getJob(octokit, request);
      } catch (error) {
        throw asLaunchError(error);
      }
    },
  };
}

/** GitHub's own record of runners (connected? busy?), through the App. */
export function githubRunners(): GitHubRunners {
  return {
    async runner(request) {
      try {
        const octokit = await githubClient({ owner: request.owner, repo: request.repo, installationId: request.installationId });
        return await getRunner(octokit, request);
      } catch (error) {
        throw asLaunchError(error);
      }
    },
  };
}

function asLaunchError(error: unknown): Error {
  // A taken name is not a launch failure: launch() unregisters the orphan and registers again.
  if (error instanceof RunnerNameConflictError) return error;
  if (error instanceof GitHubApiError) {
    // The cause keeps GitHub's hint (GitHubRateLimitError.retryAfterSeconds): the queue waits that long.
    return error.retryable ? new RetryLaterError(error.message, { cause: error }) : new PermanentLaunchError(error.message, { cause: error });
  }
  if (error instanceof GitHubAppConfigError) return new PermanentLaunchError(error.message, { cause: error });
  return error as Error;
}
