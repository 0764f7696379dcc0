/**
 * The thread's parent message: one line that says what and how it is going, a line per job or per
 * hook, and the links. It is rewritten in place as events arrive, so it must depend only on the
 * thread's state (never on the clock): the same state always renders the same message, which is
 * how the notifier knows when an update is needed.
 */
import { statusOf, type DeploySubject, type ForeignAlert, type JobState, type RunSubject, type ThreadStatus, type ThreadSubject } from "../thread-state.ts";
import { HOOKS, type DeploymentInfo } from "../events.ts";
import { bold, buttons, code, context, esc, link, message, section, truncate, type SlackMessage } from "./blocks.ts";
import { buildConsoleUrl, deploymentConsoleUrl } from "./links.ts";

/** How many jobs the parent lists before summing up the rest. */
const MAX_JOB_LINES = 25;
/** How many foreign-job alerts the parent spells out. */
const MAX_ALERT_LINES = 5;

export const ALERT_EMOJI = ":warning:";

export const STATUS_EMOJI: Record<ThreadStatus | JobState["status"], string> = {
  queued: ":hourglass_flowing_sand:",
  refused: ":no_entry_sign:",
  launched: ":rocket:",
  running: ":large_blue_circle:",
  started: ":rocket:",
  validating: ":mag:",
  succeeded: ":white_check_mark:",
  failed: ":x:",
  cancelled: ":no_entry_sign:",
  skipped: ":fast_forward:",
  rolled_back: ":leftwards_arrow_with_hook:",
  stopped: ":octagonal_sign:",
};

const STATUS_WORD: Record<ThreadStatus, string> = {
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
  started: "started",
  validating: "validating",
  rolled_back: "rolled back",
  stopped: "stopped",
};

const JOB_WORD: Record<JobState["status"], string> = {
  queued: "queued",
  refused: "not launched",
  launched: "runner starting",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
  skipped: "skipped",
};

const PLATFORM = { ECS: "ECS blue/green", Lambda: "Lambda", Server: "EC2/on-premises" } as const;

/** "api / api-prd": how a deployment is named, as far as it is known. */
export function deploymentName(deployment: DeploymentInfo): string {
  return `${deployment.application ?? "deployment"} / ${deployment.deploymentGroup ?? "?"}`;
}

/** The parent message for a thread's current state. */
export function renderParent(subject: ThreadSubject): SlackMessage {
  return subject.kind === "run" ? renderRunParent(subject) : renderDeployParent(subject);
}

/** "acme/api · deploy-dev": how a run is named in every message of its thread. */
export function runTitle(subject: Pick<RunSubject, "run">): string {
  return `${subject.run.repository} · ${subject.run.workflowName ?? `run ${subject.run.runId}`}`;
}

function renderRunParent(subject: RunSubject): SlackMessage {
  const status = statusOf(subject);
  const { run } = subject;
  const headline = `${STATUS_EMOJI[status]} ${link(run.url, runTitle(subject))} ${bold(STATUS_WORD[status])}`;
  const facts = [
    run.environment ? `env ${bold(run.environment)}` : "",
    run.headBranch ? `branch \`${esc(run.headBranch)}\`` : "",
    run.sha ? `\`${esc(run.sha.slice(0, 7))}\`` : "",
    run.actor ? `by ${esc(run.actor)}` : "",
    `run ${run.runId}${run.runAttempt > 1 ? `, attempt ${run.runAttempt}` : ""}`,
  ].filter(Boolean);
  const jobs = Object.values(subject.jobs).sort((a, b) => a.id - b.id);
  const lines = jobs.slice(0, MAX_JOB_LINES).map(jobLine);
  if (jobs.length > MAX_JOB_LINES) lines.push(`…and ${jobs.length - MAX_JOB_LINES} more jobs`);
  const blocks = [section(headline), context(facts.join(" · "))];
  const alerts = subject.foreign ?? [];
  if (alerts.length > 0) blocks.push(section(alertLines(alerts)));
  if (lines.length > 0) blocks.push(section(lines.join("\n")));
  blocks.push(...buttons([{ label: "GitHub run", url: run.url }]));
  const attention = alerts.length > 0 || jobs.some((job) => job.status === "refused") ? ", needs attention" : "";
  const text = `${runTitle(subject)}: ${STATUS_WORD[status]}${run.environment ? ` (${run.environment})` : ""}${attention}`;
  return message(text, blocks);
}

/** The run needs attention: which of its runners ran whose job. */
function alertLines(alerts: ForeignAlert[]): string {
  const runners = alerts.length === 1 ? "a runner of this run took another job" : `${alerts.length} runners of this run took other jobs`;
  const lines = alerts.slice(0, MAX_ALERT_LINES).map((alert) => {
    const { foreign } = alert;
    const where = foreign.environment ? `env ${bold(foreign.environment)}` : "not routed by Runway";
    const meant = alert.launchedFor ? ` (launched for ${bold(alert.launchedFor)})` : "";
    return `• ${code(alert.runner)}${meant} ran ${link(foreign.url, foreign.name)} of ${esc(foreign.repository)} run ${foreign.runId} (${where})`;
  });
  if (alerts.length > MAX_ALERT_LINES) lines.push(`…and ${alerts.length - MAX_ALERT_LINES} more`);
  return [`${ALERT_EMOJI} ${bold(runners)} (see the thread)`, ...lines].join("\n");
}

function jobLine(job: JobState): string {
  const parts = [`${STATUS_EMOJI[job.status]} ${link(job.url, job.name)} ${JOB_WORD[job.status]}`];
  if (job.status === "failed" && job.failedStep) parts.push(`at ${bold(job.failedStep)}`);
  if (job.status === "refused" && job.refusal) parts.push(`· _${esc(truncate(job.refusal, 200))}_`);
  if (job.build) parts.push(`· ${link(buildConsoleUrl(job.build), "build")}`);
  if (job.note) parts.push(`· _${esc(job.note)}_`);
  return parts.join(" ");
}

function renderDeployParent(subject: DeploySubject): SlackMessage {
  const status = statusOf(subject);
  const { deployment } = subject;
  const name = deploymentName(deployment);
  const headline = `${STATUS_EMOJI[status]} Deployment ${link(deploymentConsoleUrl(deployment), `${name} ${deployment.id}`)} ${bold(STATUS_WORD[status])}`;
  const facts = [
    deployment.environment ? `env ${bold(deployment.environment)}` : "",
    deployment.platform ? PLATFORM[deployment.platform] : "",
    deployment.region ? esc(deployment.region) : "",
    subject.reason ? esc(subject.reason) : "",
  ].filter(Boolean);
  // Hooks in lifecycle order, any other name after them.
  const order = (hook: string) => {
    const index = (HOOKS as readonly string[]).indexOf(hook);
    return index === -1 ? HOOKS.length : index;
  };
  const hooks = Object.keys(subject.hooks)
    .sort((a, b) => order(a) - order(b))
    .map((hook) => `${subject.hooks[hook] === "Failed" ? STATUS_EMOJI.failed : STATUS_EMOJI.succeeded} ${esc(hook)}`);
  const blocks = [section(headline), context(facts.join(" · "))];
  if (hooks.length > 0) blocks.push(section(hooks.join("\n")));
  blocks.push(...buttons([{ label: "CodeDeploy", url: deploymentConsoleUrl(deployment) }, { label: "GitHub run", url: deployment.runUrl }]));
  return message(`Deployment ${name} ${deployment.id}: ${STATUS_WORD[status]}`, blocks);
}
