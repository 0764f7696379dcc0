/**
 * One protection request from decision to answer: decide (decide.ts), tell GitHub through the
 * run's callback (lib/github/deployment-callback.ts), then tell the run's Slack thread. An answer
 * that fails for a passing cause (GitHub down, rate limited, or not yet showing the rule as
 * pending) is tried again, deciding again as of then; one that keeps failing, or fails for a
 * cause a person must fix, is parked with the reason. Nothing is dropped: every request ends
 * answered or parked, and Slack hears of both.
 */
import type { Octokit } from "@octokit/core";
import type { RunwayConfig } from "../config/schema.ts";
import { reviewDeploymentProtectionRule } from "../github/deployment-callback.ts";
import { GitHubApiError } from "../github/errors.ts";
import { githubServerUrl } from "../github/web-url.ts";
import type { NotificationInputOf } from "../notify/event-keys.ts";
import { retryHintSeconds } from "../runners/visibility.ts";
import { decide, type DecideDeps } from "./decide.ts";
import type { Park } from "./park.ts";
import type { ProtectionRequest } from "./request.ts";
import { protectionRuleFor, type ResolvedRule } from "./rules.ts";
import type { ConditionResult, ProtectionDecision, ProtectionState } from "./types.ts";

/** Attempts (SQS receives) before a request that keeps failing is parked. */
export const DEFAULT_MAX_ATTEMPTS = 10;

export interface AnswerDeps {
  config: RunwayConfig;
  now: () => Date;
  /** The installation client of the request's repository. */
  github: (request: ProtectionRequest) => Promise<Pick<Octokit, "request">>;
  alarms?: DecideDeps["alarms"];
  /** Queues a Slack notification; never throws (lib/notify/publish.ts). */
  notify: (event: NotificationInputOf<"deploy.protection">) => Promise<unknown>;
  park: Park;
  maxAttempts?: number;
}

export type AnswerOutcome =
  | { kind: "answered"; state: ProtectionState; comment: string }
  | { kind: "retry"; reason: string; retryAfterSeconds?: number | undefined }
  | { kind: "parked"; reason: string; state?: ProtectionState | undefined };

/**
 * Decide and answer one request, on its `attempt`-th receive.
 *
 * @throws ProtectionParkError when it must be parked and the dead-letter queue refuses (retry the record).
 * @example
 * const outcome = await answerProtectionRequest(request, 1, deps);
 * outcome.kind; // "answered"
 */
export async function answerProtectionRequest(request: ProtectionRequest, attempt: number, deps: AnswerDeps): Promise<AnswerOutcome> {
  const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const final = attempt >= maxAttempts;
  const resolved = protectionRuleFor(deps.config, request.environment);
  const evaluation = await decide(request, resolved, { now: deps.now, github: () => deps.github(request), alarms: deps.alarms }, { final });
  if (!evaluation.decided) {
    return { kind: "retry", reason: evaluation.conditions.filter((c) => c.status === "error").map((c) => c.summary).join("; ") };
  }
  const { decision } = evaluation;

  try {
    const octokit = await deps.github(request);
    await reviewDeploymentProtectionRule(octokit, { owner: request.owner, repo: request.repo, runId: request.runId, environment: request.environment, state: decision.state, comment: decision.comment });
  } catch (error) {
    const reason = (error as Error).message;
    // 422 may be GitHub not showing the rule as pending yet, just after the delivery: worth retrying.
    const mustFix = error instanceof GitHubApiError && !error.retryable && error.status !== 422;
    if (!mustFix && !final) return { kind: "retry", reason, retryAfterSeconds: retryHintSeconds(error) };
    const why = `${reason}${mustFix ? "" : ` (after ${attempt} attempts)`}`;
    await deps.park(request, why);
    const replay = "parked in the protection dead-letter queue: once fixed, redrive it (SQS → Start DLQ redrive) to decide and answer again; GitHub keeps the job waiting for up to 30 days";
    await deps.notify(notice(request, resolved, deps.config, decision, { delivered: false, note: `${why}; ${replay}` }));
    return { kind: "parked", reason: why, state: decision.state };
  }
  await deps.notify(notice(request, resolved, deps.config, decision, { delivered: true }));
  return { kind: "answered", state: decision.state, comment: decision.comment };
}

const MARK: Record<ConditionResult["status"], string> = { pass: "✓", fail: "✗", error: "?" };

/** The run thread's reply: the decision, one line per condition. */
function notice(
  request: ProtectionRequest,
  resolved: ResolvedRule | undefined,
  config: RunwayConfig,
  decision: ProtectionDecision,
  delivery: { delivered: boolean; note?: string },
): NotificationInputOf<"deploy.protection"> {
  const environment = resolved?.runwayEnvironment;
  const channel = environment ? config.environments[environment]?.slack?.channel : undefined;
  // The repository's own page when the delivery carried it: the host that sent the request.
  const repositoryUrl = request.repositoryUrl ?? `${githubServerUrl()}/${request.repository}`;
  return {
    type: "deploy.protection",
    ...(channel ? { channel } : {}),
    run: {
      repository: request.repository,
      runId: request.runId,
      url: `${repositoryUrl}/actions/runs/${request.runId}`,
      sha: request.sha,
      ...(environment ? { environment } : {}),
      ...(request.sender ? { actor: request.sender } : {}),
    },
    environment: request.environment,
    state: decision.state,
    delivered: delivery.delivered,
    evidence: decision.conditions.map((c) => `${MARK[c.status]} ${c.summary}`),
    ...(delivery.note ? { note: delivery.note } : {}),
    ...(request.deploymentId ? { deploymentId: request.deploymentId } : {}),
  };
}
