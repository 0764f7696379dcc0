/**
 * The webhook follows `in_progress` and `completed` of every job a Runway runner took, routed or
 * not, so that the launcher can catch a runner running a job it must not run.
 */
import { describe, expect, it } from "vitest";
import { dispatch } from "../../../lib/github/dispatch.ts";
import type { JobMessage } from "../../../lib/jobs/job-message.ts";
import { sampleConfig } from "../../support/config.ts";
import { workflowJob, type JobOptions } from "../../support/payloads.ts";

const config = sampleConfig();

async function deliver(options: JobOptions, served: "all" | Set<string> = "all") {
  const sent: JobMessage[] = [];
  const payload = workflowJob(options);
  const outcome = await dispatch(
    { event: "workflow_job", id: "d-1", action: String(payload.action), payload } as never,
    { config, served, jobs: { send: async (message) => void sent.push(message) } },
  );
  return { outcome, sent };
}

const runner = "runway-dev-2832853555-1-0a1b2c3d";

describe("dispatch of jobs Runway did not route", () => {
  it("sends an ignored job's in_progress to the launcher when a Runway runner took it, with why it was ignored", async () => {
    const { outcome, sent } = await deliver({ action: "in_progress", workflowName: "ci", runnerName: runner });
    expect(outcome.statusCode).toBe(202);
    expect(outcome.summary).toMatchObject({ decision: "recorded", environment: "dev" });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ action: "in_progress", environment: "dev", codebuild: { project: "runway-runner-dev" }, unrouted: expect.stringContaining(`"ci"`) });
    expect(sent[0]!.job.runnerName).toBe(runner);
  });

  it("also sends its completed, for when the in_progress was lost", async () => {
    const { sent } = await deliver({ action: "completed", conclusion: "success", workflowName: "ci", runnerName: runner });
    expect(sent[0]).toMatchObject({ action: "completed", unrouted: expect.any(String) });
  });

  it("drops an ignored job's events when no Runway runner took it, or one of an environment this stage does not serve", async () => {
    expect((await deliver({ action: "in_progress", workflowName: "ci", runnerName: "GitHub Actions 12" })).sent).toEqual([]);
    expect((await deliver({ action: "in_progress", workflowName: "ci", runnerName: "runway-qa-1-1-0a1b2c3d" })).sent).toEqual([]);
    expect((await deliver({ action: "in_progress", workflowName: "ci", runnerName: runner }, new Set(["prd"]))).sent).toEqual([]);
    expect((await deliver({ action: "queued", workflowName: "ci" })).sent).toEqual([]);
  });

  it("launches nothing for a job whose run label names another run", async () => {
    const { outcome, sent } = await deliver({ runId: 5, labels: ["self-hosted", "runway-dev", "runway-run-6-1"] });
    expect(sent).toEqual([]);
    expect(outcome.summary.decision).toBe("ignored");
    expect(outcome.summary.reason).toContain("its run label runway-run-6-1 names run 6 attempt 1, but the job is run 5 attempt 1");
  });
});
