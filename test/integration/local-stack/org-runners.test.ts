/**
 * An environment with `runners: { scope: org, group: … }` registers its JIT runners on the
 * organisation, in the runner group named in runway.yml (resolved by name through GitHub's API),
 * and the job runs there. The shipped configuration's prd does so, in group runway-prd.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../../lib/local/stack.ts";
import { SAMPLE_CONFIG_FILE } from "../../support/config.ts";
import { workflowJob } from "../../support/payloads.ts";

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, config: SAMPLE_CONFIG_FILE, stage: "local", webhookSecret: "org-secret", print: () => {}, runnerStepMs: 20, reconcileEveryMs: 3_600_000 });
});
afterAll(async () => {
  await stack?.stop();
});

describe("organisation runners in a named runner group", () => {
  it("registers prd's runner on the organisation in group runway-prd, and the job runs on it", async () => {
    const group = stack.github.state.runnerGroups.find((g) => g.name === "runway-prd")!;
    expect(group).toBeDefined();
    const payload = workflowJob({ id: 8801, runId: 880, workflowName: "action-payments-prd-deploy", labels: ["self-hosted", "runway-prd", "runway-run-880-1"], repository: "acme/payments" });
    // prd's project is in another account (roleArn): the local emulator plays that account too.
    await stack.github.actions.queueJob(payload);
    await expect.poll(() => stack.github.state.job(8801)?.status, { timeout: 15_000 }).toBe("completed");

    const job = stack.github.state.job(8801)!;
    expect(job).toMatchObject({ conclusion: "success", runnerName: expect.stringMatching(/^runway-prd-8801-1-[0-9a-f]{8}$/) });
    const registration = stack.github.state.calls.find((c) => c.route === "generate-jitconfig" && c.status === 201);
    expect(registration?.path).toBe("/orgs/acme/actions/runners/generate-jitconfig");
    expect(stack.github.state.calls.some((c) => c.route === "list-runner-groups" || c.path === "/orgs/acme/actions/runner-groups")).toBe(true);
    const runner = stack.github.state.deliveries.find((d) => d.jobId === 8801 && d.action === "in_progress")?.request.payload.workflow_job;
    expect(runner).toMatchObject({ runner_name: job.runnerName, runner_group_id: group.id, runner_group_name: "runway-prd" });
  });
});
