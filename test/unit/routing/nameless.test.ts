/**
 * Deliveries without `workflow_name` (GitHub Enterprise Server before 3.7): never routed to an
 * environment whose filter needs the name, with a reason that says the delivery lacks it and which
 * filters still work; routed as usual by repository, branch, labels and the run label.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../lib/config/load.ts";
import { route } from "../../../lib/routing/route.ts";
import { sampleConfig } from "../../support/config.ts";
import { workflowJob } from "../../support/payloads.ts";

const ghes = parseConfig(
  `
environments:
  apps:
    workflows:
      - - { type: REPOSITORY, pattern: "^acme/(payments|web)$" }
        - { type: HEAD_BRANCH, pattern: "^main$" }
    labels: [self-hosted, runway-apps]
    codebuild: { project: runway-runner-apps }
  prd:
    workflows:
      - - { type: WORKFLOW_NAME, pattern: "^deploy-prd$" }
      - - { type: WORKFLOW_NAME, pattern: "^hotfix-prd$" }
        - { type: REPOSITORY, pattern: "^acme/" }
    labels: [self-hosted, runway-prd]
    codebuild: { project: runway-runner-prd }
`,
  "ghes.yml",
);

const nameless = (o: Parameters<typeof workflowJob>[0]) => workflowJob({ workflowName: null, ...o });

describe("a delivery without workflow_name", () => {
  it("is routed by repository, branch, labels and the run label", () => {
    const decision = route(nameless({ repository: "acme/web", headBranch: "main", labels: ["self-hosted", "runway-apps", "runway-run-940463255-1"] }), ghes);
    expect(decision).toMatchObject({ outcome: "routed", environment: "apps", codebuild: { project: "runway-runner-apps" } });
  });

  it("never goes to an environment whose filter needs the name, and the reason says why and what still works", () => {
    const decision = route(nameless({ repository: "acme/api", labels: ["self-hosted", "runway-prd", "runway-run-940463255-1"] }), ghes);
    expect(decision.outcome).toBe("ignored");
    expect(decision.reason).toBe(
      "the delivery has no workflow_name (GitHub Enterprise Server before 3.7 sends workflow_job deliveries without it), so no WORKFLOW_NAME filter can match it: " +
        "prd group 1, prd group 2 need the workflow's name; " +
        "filters that still work on this delivery: JOB_NAME, REPOSITORY, REPOSITORY_NAME, ORGANIZATION_NAME, HEAD_BRANCH, ACTOR, labels and the run label",
    );
    const prd = decision.trace.find((t) => t.environment === "prd")!;
    expect(prd.groups.map((g) => g.filters[0])).toEqual([
      expect.objectContaining({ type: "WORKFLOW_NAME", value: null, passed: false }),
      expect.objectContaining({ type: "WORKFLOW_NAME", value: null, passed: false }),
    ]);
  });

  it("names only the filters whose field the delivery carries (GHES 3.5 deliveries have no head_branch either)", () => {
    const payload = nameless({ repository: "acme/api" });
    delete (payload.workflow_job as Record<string, unknown>).head_branch;
    const { reason } = route(payload, ghes);
    expect(reason).toContain("filters that still work on this delivery: JOB_NAME, REPOSITORY, REPOSITORY_NAME, ORGANIZATION_NAME, ACTOR, labels and the run label");
  });

  it("says first what matters more: an environment its filters matched whose labels the job lacks", () => {
    const decision = route(nameless({ repository: "acme/web", headBranch: "main", labels: ["self-hosted"] }), ghes);
    expect(decision.reason).toMatch(/matched apps, but the job's runs-on labels \(self-hosted\) lack runway-apps, runway-run-/);
  });

  it("keeps the shipped dev/stg/prd configuration's reason to one line naming every environment that needs the name", () => {
    const { reason } = route(nameless({}), sampleConfig());
    expect(reason).toContain("dev group 1, stg group 1, prd group 1 need the workflow's name");
    expect(reason.split("\n")).toHaveLength(1);
  });

  it("leaves a delivery with a name alone: the usual reason, no mention of Enterprise Server", () => {
    const { reason } = route(workflowJob({ workflowName: "deploy-web", repository: "acme/api" }), ghes);
    expect(reason).toBe(`no environment's workflow filter matched "deploy-web"`);
  });
});
