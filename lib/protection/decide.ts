/**
 * A protection rule's decision: evaluate every condition the rule declares (at once), approve when
 * all of them hold, reject when any fails, and say why either way. A condition that could not be
 * evaluated (GitHub or CloudWatch not answering) is never taken for a pass: the request is tried
 * again while attempts remain, and on the last one it is rejected with that reason.
 */
import type { Octokit } from "@octokit/core";
import type { ProtectionRequest } from "./request.ts";
import type { ResolvedRule } from "./rules.ts";
import type { ConditionResult, ProtectionDecision } from "./types.ts";
import { alarmsCondition, type AlarmsRule } from "./alarms.ts";
import { validatedInCondition } from "./validated.ts";
import { windowCondition } from "./window.ts";

/** All conditions together get this long; one still waiting then counts as not evaluated. */
const EVALUATION_TIMEOUT_MS = 20_000;

export interface DecideDeps {
  /** The moment the decision is made as of. */
  now: () => Date;
  /** The installation's client, for GitHub's deployments. */
  github: () => Promise<Pick<Octokit, "request">>;
  /** CloudWatch alarms (lib/deploy/checks/alarms.ts by default). */
  alarms?: (alarms: AlarmsRule, signal: AbortSignal) => Promise<ConditionResult>;
}

export type Evaluation = { decided: true; decision: ProtectionDecision } | { decided: false; conditions: ConditionResult[] };

/**
 * Decide one request. With `final`, a condition that could not be evaluated rejects; without it,
 * such a request comes back undecided, to be tried again.
 *
 * @example
 * const evaluation = await decide(request, protectionRuleFor(config, request.environment), deps, { final: false });
 * if (evaluation.decided) await answer(evaluation.decision);
 */
export async function decide(request: ProtectionRequest, resolved: ResolvedRule | undefined, deps: DecideDeps, options: { final: boolean }): Promise<Evaluation> {
  const subject = `the deployment of ${request.sha.slice(0, 7)} to ${request.environment}`;
  if (!resolved) {
    const summary = `runway.yml's protection: section has no rule for ${request.environment}: add protection.environments.${request.environment}, or remove Runway from ${request.environment}'s deployment protection rules`;
    return { decided: true, decision: { state: "rejected", comment: `Runway rejected ${subject}: ${summary}.`, conditions: [{ name: "rule", status: "fail", summary }] } };
  }
  const conditions = await evaluate(request, resolved, deps);
  const failed = conditions.filter((c) => c.status === "fail");
  const unknown = conditions.filter((c) => c.status === "error");
  if (failed.length === 0 && unknown.length > 0 && !options.final) return { decided: false, conditions };

  if (failed.length === 0 && unknown.length === 0) {
    return { decided: true, decision: { state: "approved", comment: `Runway approved ${subject}: ${conditions.map((c) => c.summary).join("; ")}.`, conditions } };
  }
  const why = [...failed, ...unknown].map((c) => c.summary).join("; ");
  const held = conditions.filter((c) => c.status === "pass").map((c) => c.summary);
  const retry = failed.length === 0 ? " Re-run the job to ask again." : "";
  return {
    decided: true,
    decision: { state: "rejected", comment: `Runway rejected ${subject}: ${why}.${held.length > 0 ? ` Held: ${held.join("; ")}.` : ""}${retry}`, conditions },
  };
}

async function evaluate(request: ProtectionRequest, { rule }: ResolvedRule, deps: DecideDeps): Promise<ConditionResult[]> {
  const now = deps.now();
  const signal = AbortSignal.timeout(EVALUATION_TIMEOUT_MS);
  const alarms = deps.alarms ?? alarmsCondition;
  const commit = { owner: request.owner, repo: request.repo, sha: request.sha };
  const pending: Array<{ name: string; result: Promise<ConditionResult> }> = [
    ...rule.validatedIn.map((wanted) => ({ name: `validatedIn ${wanted.environment}`, result: deps.github().then((octokit) => validatedInCondition(octokit, commit, wanted, now)) })),
    ...(rule.alarms ? [{ name: "alarms", result: alarms(rule.alarms, signal) }] : []),
    ...(rule.window ? [{ name: "window", result: Promise.resolve(windowCondition(rule.window, now)) }] : []),
  ];
  const timedOut = new Promise<"timeout">((resolve) => signal.addEventListener("abort", () => resolve("timeout"), { once: true }));
  return Promise.all(
    pending.map(async ({ name, result }): Promise<ConditionResult> => {
      try {
        const settled = await Promise.race([result, timedOut]);
        return settled === "timeout" ? { name, status: "error", summary: `${name} was not evaluated within ${EVALUATION_TIMEOUT_MS / 1000} s` } : settled;
      } catch (error) {
        return { name, status: "error", summary: `${name} could not be evaluated (${(error as Error).name}: ${(error as Error).message})` };
      }
    }),
  );
}
