/**
 * What Runway does with a verified delivery: answer `ping`, route `workflow_job` and hand routed
 * jobs to the job queue, queue `deployment_protection_rule` requests for a decision (lib/protection),
 * and acknowledge every other event with the reason it is ignored. It never waits on CodeBuild or
 * GitHub's API: the only I/O is one queue write for a routed job or a protection request.
 */
import type { RunwayConfig } from "../config/schema.ts";
import { sqsProtectionSink, type ProtectionSink } from "../protection/queue.ts";
import { receiveProtectionRule } from "../protection/receive.ts";
import { isJobAction, jobMessage, type JobAction } from "../jobs/job-message.ts";
import { environmentOfRunner } from "../jobs/runner-name.ts";
import type { JobSink } from "../jobs/job-queue.ts";
import type { RouteDecision } from "../routing/decision.ts";
import { environmentDecision, routeJob, type ServedEnvironments } from "../routing/route.ts";
import { isKnownEvent, type Delivery } from "./read-delivery.ts";
import { jobFacts, type JobFacts } from "./job-facts.ts";
import { stringAt } from "./workflow-job.ts";

/** The answer to a delivery and the facts its log line records. */
export interface DeliveryOutcome {
  statusCode: number;
  body: Record<string, unknown>;
  /** For the log line: what was decided, and the job it was about. */
  summary: {
    decision: "pong" | "ignored" | "routed" | "queued" | "recorded";
    reason: string;
    environment?: string;
    jobId?: number;
    runAttempt?: number;
    repository?: string;
  };
}

export interface DispatchDeps {
  config: RunwayConfig;
  served: ServedEnvironments;
  jobs: JobSink;
  /** Where protection-rule requests go; the queue `RUNWAY_PROTECTION_QUEUE_URL` names by default. */
  protection?: ProtectionSink;
  now?: () => Date;
}

/**
 * Decide and act on one verified delivery.
 *
 * @example
 * const outcome = await dispatch(delivery, { config, served: "all", jobs: sqsJobSink() });
 * outcome.statusCode; // 202
 */
export async function dispatch(delivery: Delivery, deps: DispatchDeps): Promise<DeliveryOutcome> {
  const repository = stringAt(delivery.payload, "repository", "full_name");
  if (delivery.event === "ping") {
    const reason = "pong: the webhook reaches Runway and its signature verifies";
    return { statusCode: 200, body: { ok: true, event: "ping", message: reason }, summary: { decision: "pong", reason, repository } };
  }
  if (delivery.event === "deployment_protection_rule") {
    return receiveProtectionRule(delivery, { ...deps, protection: deps.protection ?? sqsProtectionSink() });
  }
  if (delivery.event !== "workflow_job") {
    // GitHub adds event types before Octokit lists them: a signed one is acknowledged all the same.
    const reason = isKnownEvent(delivery.event)
      ? `event ${delivery.event} is not one Runway acts on (it acts on workflow_job)`
      : `event ${delivery.event} is not one Runway knows (not in Octokit's list of GitHub events; it acts on workflow_job)`;
    return ignored(delivery, reason, repository);
  }

  const job = jobFacts(delivery.payload);
  const key = job.key;
  if (!key) return ignored(delivery, "the workflow_job delivery has no job or run id", repository);

  const decision = routeJob(job, deps.config, deps.served);
  const facts = { jobId: key.jobId, runAttempt: key.runAttempt, repository };
  if (decision.outcome === "ignored") {
    const watch = runnerEnvironment(delivery.action, job, deps);
    if (!watch) return answer(delivery, decision, false, { decision: "ignored", reason: decision.reason, ...facts });
    // Not a job Runway routed, yet one of its runners took it: the launcher must catch that.
    const routed = environmentDecision(deps.config, watch, job.labels, decision.reason);
    await deps.jobs.send(jobMessage(delivery.id, delivery.action as JobAction, job, key, routed, (deps.now ?? (() => new Date()))(), decision.reason));
    const reason = `a ${watch} runner took a job Runway did not route (${decision.reason}): sent to the launcher to stop it`;
    return answer(delivery, decision, true, { decision: "recorded", reason, environment: watch, ...facts });
  }
  if (!isJobAction(delivery.action)) {
    const reason = `action ${delivery.action ?? "(none)"} needs nothing: a runner is launched on queued`;
    return answer(delivery, decision, false, { decision: "routed", reason, environment: decision.environment, ...facts });
  }

  const message = jobMessage(delivery.id, delivery.action, job, key, decision, (deps.now ?? (() => new Date()))());
  await deps.jobs.send(message);
  const queued = delivery.action === "queued";
  return answer(delivery, decision, true, {
    decision: queued ? "queued" : "recorded",
    reason: queued ? `launch requested in ${decision.environment}: ${decision.reason}` : `${delivery.action} recorded for ${decision.environment}`,
    environment: decision.environment,
    ...facts,
  });
}

/**
 * The served environment whose Runway runner an `in_progress` / `completed` names, if any. Events
 * of jobs no environment routed are followed only then: GitHub may hand any job to a runner whose
 * labels cover it.
 */
function runnerEnvironment(action: string | undefined, job: JobFacts, deps: DispatchDeps): string | undefined {
  if (action !== "in_progress" && action !== "completed") return undefined;
  const runner = job.runnerName;
  const environment = runner === undefined ? undefined : environmentOfRunner(runner);
  if (environment === undefined || !Object.hasOwn(deps.config.environments, environment)) return undefined;
  return deps.served === "all" || deps.served.has(environment) ? environment : undefined;
}

function ignored(delivery: Delivery, reason: string, repository: string | undefined): DeliveryOutcome {
  return {
    statusCode: 202,
    body: { ok: true, event: delivery.event, action: delivery.action ?? null, ignored: reason },
    summary: { decision: "ignored", reason, repository },
  };
}

function answer(delivery: Delivery, decision: RouteDecision, queued: boolean, summary: DeliveryOutcome["summary"]): DeliveryOutcome {
  const { trace: _trace, ...shown } = decision;
  return {
    statusCode: 202,
    body: { ok: true, event: delivery.event, action: delivery.action ?? null, jobId: summary.jobId, queued, decision: shown },
    summary,
  };
}
