/**
 * Issue 12, GitHub Enterprise Server: the local stack talks to the GitHub fake playing an
 * Enterprise Server older than 3.7 on a host:port of its own (API under /api/v3, web pages at its
 * root, workflow_job deliveries without workflow_name). A job routed by repository and labels is
 * launched through it (JIT config generated at /api/v3, the runner registered there, the job run
 * on it) and Slack links the run on the server's host; a job meant for an environment that filters
 * on the workflow's name is refused, with the reason explained.
 */
import { describe, expect, it } from "vitest";
import { workflowJob } from "../../support/payloads.ts";
import { buildForJob, useLocalStack } from "./harness.ts";

const CONFIG = `stages:
  local: all
environments:
  apps:
    workflows:
      - - type: REPOSITORY
          pattern: ^acme/payments$
    labels: [self-hosted, runway-apps]
    codebuild:
      project: runway-runner-apps
      region: eu-west-1
    slack:
      channel: "#deploys-apps"
  prd:
    workflows:
      - - type: WORKFLOW_NAME
          pattern: ^deploy-prd$
    labels: [self-hosted, runway-prd]
    codebuild:
      project: runway-runner-prd
      region: eu-west-1
`;

const local = useLocalStack({ yaml: CONFIG, webhookSecret: "ghes-secret", enterpriseServer: { withoutFields: ["workflow_name"] } });

/**
 * A queued job as an older Enterprise Server describes it: its pages and API on its own host, the
 * job's page in the check-run form `…/runs/<job id>` (GitHub's GHES 3.5 documentation shows it so).
 */
function enterpriseJob(o: { id: number; runId: number; repository: string; workflowName: string; labels: string[] }) {
  const payload = workflowJob(o);
  const job = payload.workflow_job as Record<string, unknown>;
  job.html_url = `${local.stack.githubServerUrl}/${o.repository}/runs/${o.id}`;
  job.run_url = `${local.stack.githubApiUrl}/repos/${o.repository}/actions/runs/${o.runId}`;
  return payload;
}

describe("a GitHub Enterprise Server at its own host", () => {
  it("is what the functions are pointed at, derived as serverless.yml derives params.githubUrl", () => {
    const { githubServerUrl, githubApiUrl, url } = local.stack;
    expect(githubServerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(githubServerUrl).not.toBe(url);
    expect(githubApiUrl).toBe(`${githubServerUrl}/api/v3`);
    expect({ server: process.env.GITHUB_SERVER_URL, api: process.env.GITHUB_API_URL }).toEqual({ server: githubServerUrl, api: githubApiUrl });
  });

  it("launches a job routed by repository and labels through the server's /api/v3, and Slack links the run on its host", async () => {
    const { stack } = local;
    await stack.github.actions.queueJob(enterpriseJob({ id: 9101, runId: 910, repository: "acme/payments", workflowName: "deploy-apps", labels: ["self-hosted", "runway-apps", "runway-run-910-1"] }));
    await expect.poll(() => stack.github.state.job(9101)?.status, { timeout: 20_000 }).toBe("completed");
    await stack.github.actions.settled();

    // The server sent what an older release sends: no workflow_name, in any of the job's deliveries.
    const deliveries = stack.github.state.deliveries.filter((d) => d.jobId === 9101);
    expect(deliveries.map((d) => d.action)).toEqual(["queued", "in_progress", "completed"]);
    expect(deliveries.map((d) => "workflow_name" in d.request.payload.workflow_job)).toEqual([false, false, false]);
    const answer = JSON.parse(deliveries[0]!.response.payload!) as { decision: { outcome: string; environment: string; reason: string } };
    expect(answer.decision).toMatchObject({ outcome: "routed", environment: "apps", reason: `a workflow with no name (the delivery has no workflow_name) matched apps (group 1: REPOSITORY "acme/payments" ~ ^acme\\/payments$)` });

    // Registered through the Enterprise Server's API, the only place the fake answers.
    const registration = stack.github.state.calls.find((c) => c.route === "generate-jitconfig");
    expect(registration).toMatchObject({ method: "POST", path: "/repos/acme/payments/actions/runners/generate-jitconfig", status: 201 });
    const job = stack.github.state.job(9101)!;
    expect(job).toMatchObject({ conclusion: "success", runnerName: expect.stringMatching(/^runway-apps-9101-1-[0-9a-f]{8}$/) });
    await expect.poll(() => buildForJob(stack, 9101)?.buildStatus, { timeout: 20_000 }).toBe("SUCCEEDED");
    expect(buildForJob(stack, 9101)?.projectName).toBe("runway-runner-apps");

    // The run's thread links the run on the server's host, built from the job page's host.
    const runPage = `${stack.githubServerUrl}/acme/payments/actions/runs/910`;
    const parent = () => stack.slack.channel("#deploys-apps").find((m) => m.threadTs === undefined && m.text.startsWith("acme/payments · run 910"));
    await expect.poll(() => parent()?.text, { timeout: 20_000 }).toBe("acme/payments · run 910: succeeded (apps)");
    const blocks = JSON.stringify(parent()!.blocks);
    expect(blocks).toContain(`<${runPage}|acme/payments · run 910>`);
    expect(blocks).toContain(`"text":"GitHub run","emoji":true},"url":"${runPage}"`);
    expect(JSON.stringify(stack.slack.channel("#deploys-apps"))).not.toContain("github.com/acme");
  }, 45_000);

  it("refuses a job meant for an environment that filters on the workflow's name, explaining why", async () => {
    const { stack } = local;
    await stack.github.actions.queueJob(enterpriseJob({ id: 9201, runId: 920, repository: "acme/web", workflowName: "deploy-prd", labels: ["self-hosted", "runway-prd", "runway-run-920-1"] }));
    await stack.github.actions.settled();

    const queued = stack.github.state.deliveries.find((d) => d.jobId === 9201 && d.action === "queued")!;
    expect(queued.status_code).toBe(202);
    const answer = JSON.parse(queued.response.payload!) as { queued: boolean; decision: { outcome: string; reason: string } };
    expect(answer).toMatchObject({ queued: false, decision: { outcome: "ignored" } });
    expect(answer.decision.reason).toBe(
      "the delivery has no workflow_name (GitHub Enterprise Server before 3.7 sends workflow_job deliveries without it), so no WORKFLOW_NAME filter can match it: " +
        "prd group 1 needs the workflow's name; filters that still work on this delivery: JOB_NAME, REPOSITORY, REPOSITORY_NAME, ORGANIZATION_NAME, HEAD_BRANCH, ACTOR, labels and the run label",
    );
    expect(buildForJob(stack, 9201)).toBeUndefined();
    expect(stack.github.state.job(9201)?.status).toBe("queued");
  });
});
