import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../lib/config/load.ts";
import { jobFacts } from "../../../lib/github/job-facts.ts";
import { MAX_FIELD_LENGTH } from "../../../lib/routing/fields.ts";
import { describeFilter, evaluateGroups } from "../../../lib/routing/match.ts";
import { route } from "../../../lib/routing/route.ts";
import { sampleConfig } from "../../support/config.ts";
import { workflowJob } from "../../support/payloads.ts";

/** Names an attacker who can push a workflow may choose. */
const HOSTILE_10KB = `${"a".repeat(10 * 1024 - 1)}!`;
const HOSTILE_40 = `${"a".repeat(39)}!`;

const nested = parseConfig(
  `
environments:
  dev:
    workflows:
      - - { type: WORKFLOW_NAME, pattern: "^([a-z0-9]+-?)+-deploy$" }
    labels: [self-hosted, runway-dev]
    codebuild: { project: p-dev }
`,
  "inline.yml",
);

describe("route() on names chosen to make a backtracking engine stall", () => {
  it("answers for a nested-quantifier pattern on a 40-character name", () => {
    expect(route(workflowJob({ workflowName: HOSTILE_40 }), nested).outcome).toBe("ignored");
    expect(route(workflowJob({ workflowName: "ab-cd-ef-deploy" }), nested)).toMatchObject({ outcome: "routed", environment: "dev" });
  });

  it("answers for a nested-quantifier pattern on the longest name it reads", () => {
    const almost = `${"a-".repeat(Math.floor((MAX_FIELD_LENGTH - 1) / 2))}!`;
    expect(almost.length).toBeLessThanOrEqual(MAX_FIELD_LENGTH);
    expect(route(workflowJob({ workflowName: almost }), nested).outcome).toBe("ignored");
    const matching = `${"ab-".repeat(300)}deploy`;
    expect(route(workflowJob({ workflowName: matching }), nested)).toMatchObject({ outcome: "routed", environment: "dev" });
  });

  it("refuses a 10 KB name, against the nested pattern and the shipped runway.yml, saying it is too long", () => {
    const decision = route(workflowJob({ workflowName: HOSTILE_10KB }), nested);
    expect(decision.outcome).toBe("ignored");
    expect(decision.trace[0]!.groups[0]!.filters[0]).toMatchObject({ passed: false, tooLong: HOSTILE_10KB.length });

    // A name the shipped dev filter would match, were it not too long.
    const name = `action-${"x".repeat(10 * 1024)}-dev-deploy`;
    const shipped = route(workflowJob({ workflowName: name }), sampleConfig());
    expect(shipped.outcome).toBe("ignored");
    const dev = shipped.trace.find((t) => t.environment === "dev")!;
    expect(describeFilter(dev.groups[0]!.filters[0]!)).toBe(
      `WORKFLOW_NAME "action-${"x".repeat(57)}…" is too long (${name.length} characters, limit 1024): fails closed against ^(action.*dev-deploy)$`,
    );
  });
});

describe("a value longer than MAX_FIELD_LENGTH fails closed", () => {
  const config = parseConfig(
    `
environments:
  dev:
    workflows:
      - - { type: WORKFLOW_NAME, pattern: "^deploy" }
        - { type: WORKFLOW_NAME, pattern: "-test$", excludeMatchedPattern: true }
        - { type: ACTOR, pattern: "^dependabot", excludeMatchedPattern: true }
    labels: [self-hosted, runway-dev]
    codebuild: { project: p-dev }
`,
    "inline.yml",
  );
  const filtersFor = (workflowName: string, actor = "alice") => evaluateGroups(config.environments.dev!.workflows, jobFacts(workflowJob({ workflowName, actor })))[0]!.filters;
  const at = (length: number) => `deploy-${"x".repeat(length - "deploy-".length)}`;

  it("reads a value of exactly the cap as usual", () => {
    expect(filtersFor(at(MAX_FIELD_LENGTH)).map((f) => f.passed)).toEqual([true, true, true]);
    expect(route(workflowJob({ workflowName: at(MAX_FIELD_LENGTH) }), config)).toMatchObject({ outcome: "routed", environment: "dev" });
  });

  it("fails an include filter that the value would match, and an exclusion it would pass", () => {
    const [include, exclusion, actor] = filtersFor(at(MAX_FIELD_LENGTH + 1));
    expect(include).toMatchObject({ passed: false, tooLong: MAX_FIELD_LENGTH + 1 });
    expect(exclusion).toMatchObject({ passed: false, tooLong: MAX_FIELD_LENGTH + 1, exclude: true });
    expect(actor).toMatchObject({ passed: true });
    expect(route(workflowJob({ workflowName: at(MAX_FIELD_LENGTH + 1) }), config).outcome).toBe("ignored");
  });

  it("does not let a long name slip past an exclusion", () => {
    const longBot = `dependabot${"x".repeat(MAX_FIELD_LENGTH)}`;
    const [, , actor] = filtersFor("deploy-web", longBot);
    expect(actor).toMatchObject({ exclude: true, passed: false, tooLong: longBot.length });
    // Without the cap, "dependabotxxx…" would match the exclusion and fail anyway; a long name
    // that avoids the excluded pattern must not pass either.
    const [, , other] = filtersFor("deploy-web", `z${longBot}`);
    expect(other).toMatchObject({ exclude: true, passed: false });
    expect(route(workflowJob({ workflowName: "deploy-web", actor: `z${longBot}` }), config).outcome).toBe("ignored");
  });

  it("keeps the trace readable: the start of the value and its length, not the whole of it", () => {
    const [include, exclusion] = filtersFor(at(10 * 1024));
    expect(include!.value).toBe(`deploy-${"x".repeat(57)}…`);
    expect(describeFilter(include!)).toBe(`WORKFLOW_NAME "deploy-${"x".repeat(57)}…" is too long (10240 characters, limit 1024): fails closed against ^deploy`);
    expect(describeFilter(exclusion!)).toBe(`WORKFLOW_NAME "deploy-${"x".repeat(57)}…" is too long (10240 characters, limit 1024): fails closed against excluded -test$`);
  });

  it("does not cut a character in two when shortening", () => {
    const emoji = `deploy-${"x".repeat(56)}😀${"x".repeat(MAX_FIELD_LENGTH)}`;
    const [include] = filtersFor(emoji);
    expect(include!.value).toBe(`deploy-${"x".repeat(56)}…`);
  });
});
