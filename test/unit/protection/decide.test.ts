import { describe, expect, it } from "vitest";
import { decide, type DecideDeps } from "../../../lib/protection/decide.ts";
import type { ProtectionRequest } from "../../../lib/protection/request.ts";
import { protectionRuleFor } from "../../../lib/protection/rules.ts";
import { protectionConfig, protectionRequest } from "../../support/protection.ts";
import { alarmFiring, alarmsOk, alarmsUnreadable, stubGitHub, type StubDeployment } from "./support.ts";

const config = protectionConfig();
const rule = protectionRuleFor(config, "Production");
// Tuesday 8 December 2026, 10:00 UTC: inside the window.
const NOW = new Date("2026-12-08T10:00:00Z");
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

const request = protectionRequest({}, NOW);

const succeeded = (id: number, minutesAgo: number, creator?: string): StubDeployment => ({
  id,
  ...(creator ? { creator } : {}),
  statuses: [
    { state: "inactive", created_at: ago(minutesAgo - 1) },
    { state: "success", created_at: ago(minutesAgo) },
    { state: "in_progress", created_at: ago(minutesAgo + 3) },
  ],
});

function deps(staging: StubDeployment[], alarms: DecideDeps["alarms"] = alarmsOk, now = NOW): DecideDeps {
  const github = stubGitHub({ staging });
  return { now: () => now, github: async () => github.client as never, alarms };
}

describe("a protection rule's decision", () => {
  it("approves when the commit succeeded in staging long enough ago, the alarms are OK and the window is open, saying so", async () => {
    const evaluation = await decide(request, rule, deps([succeeded(5, 125)]), { final: false });
    expect(evaluation).toEqual({
      decided: true,
      decision: {
        state: "approved",
        comment:
          "Runway approved the deployment of 0123456 to production: 0123456 succeeded in staging 2 h 5 min ago (deployment 5); alarms OK: shop-5xx OK; inside the deploy window (mon, tue, wed, thu, fri 09:00-17:00 UTC; it is tue 10:00 there).",
        conditions: [
          { name: "validatedIn staging", status: "pass", summary: "0123456 succeeded in staging 2 h 5 min ago (deployment 5)" },
          { name: "alarms", status: "pass", summary: "alarms OK: shop-5xx OK" },
          { name: "window", status: "pass", summary: expect.stringContaining("inside the deploy window") },
        ],
      },
    });
  });

  it("rejects when an alarm fires, naming it first and what held after", async () => {
    const evaluation = await decide(request, rule, deps([succeeded(5, 125)], alarmFiring), { final: false });
    expect(evaluation.decided && evaluation.decision.state).toBe("rejected");
    expect(evaluation.decided && evaluation.decision.comment).toMatch(/^Runway rejected the deployment of 0123456 to production: shop-5xx ALARM: shop-5xx is in ALARM\. Held: 0123456 succeeded in staging/);
  });

  it.each([
    ["was never deployed there", [], "0123456 was never deployed to staging: deploy it there first"],
    ["succeeded there too recently", [succeeded(5, 4)], "0123456 succeeded in staging only 4 min ago (deployment 5); the rule wants 10 min there first: re-run this job in 6 min"],
    ["was deployed there by hand only", [succeeded(5, 60, "mallory")], "0123456 was deployed to staging only by mallory, whose deployments do not count (validatedIn creators: github-actions[bot])"],
    ["failed there", [{ id: 6, statuses: [{ state: "failure", created_at: ago(30) }] }], "0123456's deployment to staging ended in failure (deployment 6): it was not validated there"],
    ["is still deploying there", [{ id: 7, statuses: [{ state: "in_progress", created_at: ago(1) }] }], "0123456's deployment to staging has not succeeded yet: wait for it, then re-run this job"],
  ])("rejects a commit that %s", async (_what, staging, reason) => {
    const evaluation = await decide(request, rule, deps(staging), { final: false });
    expect(evaluation.decided && evaluation.decision.conditions[0]).toEqual({ name: "validatedIn staging", status: "fail", summary: reason });
    expect(evaluation.decided && evaluation.decision.comment).toContain(reason);
  });

  it("takes the newest success among several deployments of the commit", async () => {
    const evaluation = await decide(request, rule, deps([{ id: 8, statuses: [{ state: "failure", created_at: ago(5) }] }, succeeded(5, 90)]), { final: false });
    expect(evaluation.decided && evaluation.decision.state).toBe("approved");
  });

  it("rejects outside the deploy window, saying when it opens", async () => {
    const saturday = new Date("2026-12-12T10:00:00Z");
    const evaluation = await decide(request, rule, deps([succeeded(5, 60 * 24 * 5)], alarmsOk, saturday), { final: false });
    expect(evaluation.decided && evaluation.decision.comment).toContain("outside the deploy window (mon, tue, wed, thu, fri 09:00-17:00 UTC; it is sat 10:00 there): it opens mon 09:00");
  });

  it("never takes a condition it could not evaluate for a pass: undecided while attempts remain, rejected on the last", async () => {
    expect(await decide(request, rule, deps([succeeded(5, 125)], alarmsUnreadable), { final: false })).toMatchObject({ decided: false, conditions: expect.arrayContaining([expect.objectContaining({ status: "error" })]) });
    const last = await decide(request, rule, deps([succeeded(5, 125)], alarmsUnreadable), { final: true });
    expect(last.decided && last.decision.state).toBe("rejected");
    expect(last.decided && last.decision.comment).toMatch(/could not read the alarms shop-5xx \(TimeoutError: timed out\)\. Held: .*\. Re-run the job to ask again\.$/);
  });

  it("rejects at once when a condition fails, even if another could not be evaluated", async () => {
    const evaluation = await decide(request, rule, deps([], alarmsUnreadable), { final: false });
    expect(evaluation.decided && evaluation.decision.state).toBe("rejected");
  });

  it("counts GitHub not answering as not evaluated, and a missing permission as a reason", async () => {
    const down = { now: () => NOW, alarms: alarmsOk, github: async () => ({ request: async () => Promise.reject(Object.assign(new Error("boom"), { status: 502, response: { status: 502, headers: {}, data: {} } })) }) as never };
    expect((await decide(request, rule, down, { final: false })).decided).toBe(false);
    const forbidden = { ...down, github: async () => ({ request: async () => Promise.reject(Object.assign(new Error("no"), { status: 403, response: { status: 403, headers: {}, data: { message: "Resource not accessible by integration" } } })) }) as never };
    const evaluation = await decide(request, rule, forbidden, { final: false });
    expect(evaluation.decided && evaluation.decision.comment).toContain("give the GitHub App the Deployments: Read and write permission");
  });

  it("rejects an environment runway.yml has no rule for, saying how to fix it", async () => {
    const evaluation = await decide({ ...request, environment: "qa" }, protectionRuleFor(config, "qa"), deps([]), { final: false });
    expect(evaluation).toMatchObject({
      decided: true,
      decision: { state: "rejected", comment: "Runway rejected the deployment of 0123456 to qa: runway.yml's protection: section has no rule for qa: add protection.environments.qa, or remove Runway from qa's deployment protection rules." },
    });
  });
});
