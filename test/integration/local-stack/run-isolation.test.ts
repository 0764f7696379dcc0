/**
 * Issue 9: with a label per environment and the run label required, a runner launched for one
 * run is never handed another run's job, though the local GitHub hands a job to ANY idle runner
 * whose labels cover it. Two dev runs and a stg run, several jobs each, queued interleaved: every
 * job runs on a runner launched for its own run and environment, and each job has exactly one build.
 */
import { describe, expect, it } from "vitest";
import { workflowJob } from "../../support/payloads.ts";
import { buildVariable, useLocalStack } from "./harness.ts";

const local = useLocalStack({ webhookSecret: "isolation-secret" });

const env = buildVariable;

const RUNS = [
  { runId: 501, environment: "dev", jobs: [5011, 5012, 5013] },
  { runId: 502, environment: "dev", jobs: [5021, 5022, 5023] },
  { runId: 503, environment: "stg", jobs: [5031, 5032] },
];

describe("runners bound to their run", () => {
  it("runs every job on a runner launched for its own run, one build per job", async () => {
    const jobs = RUNS.flatMap((run) =>
      run.jobs.map((id, i) => ({
        id,
        run,
        payload: workflowJob({ id, runId: run.runId, jobName: `deploy-${i}`, workflowName: `action-payments-${run.environment}-deploy`, labels: ["self-hosted", `runway-${run.environment}`, `runway-run-${run.runId}-1`] }),
      })),
    );
    // Interleaved, as parallel runs queue: 5011, 5021, 5031, 5012, …
    const order = [0, 1, 2].flatMap((i) => jobs.filter((j) => j.run.jobs[i] === j.id));
    for (const job of order) await local.stack.github.actions.queueJob(job.payload);

    const all = jobs.map((j) => j.id);
    await expect.poll(() => all.every((id) => local.stack.github.state.job(id)?.status === "completed"), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => local.stack.codebuild.builds().every((b) => b.buildStatus !== "IN_PROGRESS"), { timeout: 15_000 }).toBe(true);

    const builds = local.stack.codebuild.builds();
    expect(builds.map((b) => Number(env(b, "RUNWAY_JOB_ID"))).sort()).toEqual([...all].sort());
    expect(builds.map((b) => b.buildStatus)).toEqual(builds.map(() => "SUCCEEDED"));
    const runOf = new Map(jobs.map((j) => [j.id, j.run.runId]));
    for (const { id, run } of jobs) {
      const job = local.stack.github.state.job(id)!;
      expect(job).toMatchObject({ conclusion: "success", runnerName: expect.any(String) });
      const build = builds.find((b) => env(b, "RUNWAY_RUNNER_NAME") === job.runnerName)!;
      expect({ job: id, ranOnRunnerLaunchedForRun: runOf.get(Number(env(build, "RUNWAY_JOB_ID"))) }).toEqual({ job: id, ranOnRunnerLaunchedForRun: run.runId });
      expect(build.projectName).toBe(`runway-runner-${run.environment}`);
    }
    // Each runner ran one job, and the fake's in_progress deliveries name those runners.
    expect(new Set(all.map((id) => local.stack.github.state.job(id)!.runnerName)).size).toBe(all.length);
    const started = local.stack.github.state.deliveries.filter((d) => d.action === "in_progress" && d.status === "OK");
    expect(started.map((d) => d.jobId).sort()).toEqual([...all].sort());
  });
});
