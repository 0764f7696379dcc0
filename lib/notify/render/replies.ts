/**
 * One reply per event in the thread: what happened, in one line a person can read on a phone,
 * then the evidence (failing step, log excerpt, verdict lines) and the links to go further.
 */
import { runPageUrl } from "../../github/web-url.ts";
import type { ArtifactLink, BuildInfo, Conclusion, EventOf, NotificationEvent } from "../events.ts";
import { jobStatusOf } from "../thread-state.ts";
import { bold, buttons, code, codeBlock, context, esc, link, message, section, truncate, type Block, type SlackMessage } from "./blocks.ts";
import { buildConsoleUrl, buildLogsUrl, deploymentConsoleUrl } from "./links.ts";
import { ALERT_EMOJI, STATUS_EMOJI } from "./parent.ts";

/** Evidence lines shown per verdict; the rest are counted. */
const MAX_EVIDENCE = 15;
/** Artifact buttons per message; the rest are listed as links. */
const MAX_ARTIFACT_BUTTONS = 5;
/** Actions listed on a foreign-job alert; the rest are counted. */
const MAX_ACTIONS = 10;

export interface ReplyOptions {
  /** Slack mention syntax (`<!here>`) or the config's `@here` / `@channel`, put first. */
  mention?: string;
}

/** GitHub's conclusions as a sentence says them. */
const CONCLUSION_WORD: Record<Conclusion, string> = {
  success: "succeeded",
  failure: "failed",
  cancelled: "was cancelled",
  skipped: "was skipped",
  timed_out: "timed out",
  action_required: "needs approval",
  neutral: "finished (neutral)",
  stale: "went stale",
  startup_failure: "failed to start",
};

/** Slack's syntax for a configured mention. */
export function mentionSyntax(mention: string): string {
  if (mention === "@here") return "<!here>";
  if (mention === "@channel") return "<!channel>";
  return mention;
}

/** The reply an event posts in its thread. */
export function renderReply(event: NotificationEvent, options: ReplyOptions = {}): SlackMessage {
  const { line, blocks, text } = replyParts(event);
  const mention = options.mention ? `${mentionSyntax(options.mention)} ` : "";
  return message(text, [section(`${mention}${line}`), ...blocks], mention);
}

export interface ReplyParts {
  /** The first line, mrkdwn. */
  line: string;
  /** Plain fallback text. */
  text: string;
  blocks: Block[];
}

/** What a reply says: its first line, its plain fallback and the blocks after the first line. */
export function replyParts(event: NotificationEvent): ReplyParts {
  switch (event.type) {
    case "run.queued":
      return { line: `${STATUS_EMOJI.queued} Run queued`, text: "Run queued", blocks: [] };
    case "run.completed": {
      const status = jobStatusOf(event.conclusion);
      const word = CONCLUSION_WORD[event.conclusion];
      return { line: `${STATUS_EMOJI[status]} Run ${bold(word)}`, text: `Run ${word}`, blocks: [] };
    }
    case "job.queued": {
      const labels = event.labels.length > 0 ? ` (runs-on: ${event.labels.map((l) => `\`${esc(l)}\``).join(", ")})` : "";
      return { line: `${STATUS_EMOJI.queued} ${jobName(event)} queued${labels}`, text: `${event.job.name} queued`, blocks: [] };
    }
    case "job.launched":
      return {
        line: `${STATUS_EMOJI.launched} ${jobName(event)}: runner build ${link(buildConsoleUrl(event.build), event.build.id)} started in ${esc(event.build.region)}`,
        text: `${event.job.name}: runner build ${event.build.id} started in ${event.build.region}`,
        blocks: buildButtons(event.build),
      };
    case "job.started":
      return {
        line: `${STATUS_EMOJI.running} ${jobName(event)} picked up by runner \`${esc(event.runnerName)}\``,
        text: `${event.job.name} picked up by runner ${event.runnerName}`,
        blocks: [],
      };
    case "job.refused": {
      const replay = event.replay ? [section(`Replay it with ${code(event.replay)}`)] : [];
      return {
        line: `${STATUS_EMOJI.refused} ${jobName(event)} was not launched: ${esc(event.reason)}`,
        text: `${event.job.name} was not launched: ${event.reason}${event.replay ? ` (replay: ${event.replay})` : ""}`,
        blocks: replay,
      };
    }
    case "job.foreign":
      return jobForeign(event);
    case "job.completed":
      return jobCompleted(event);
    case "build.finished":
      return buildFinished(event);
    case "deploy.started":
      return { line: `${STATUS_EMOJI.started} Deployment started`, text: "Deployment started", blocks: [] };
    case "deploy.verdict": {
      const ok = event.verdict === "Succeeded";
      const lines = event.evidence.slice(0, MAX_EVIDENCE).map((l) => `• ${esc(truncate(l, 300))}`);
      if (event.evidence.length > MAX_EVIDENCE) lines.push(`…and ${event.evidence.length - MAX_EVIDENCE} more`);
      return {
        line: `${ok ? STATUS_EMOJI.succeeded : STATUS_EMOJI.failed} ${bold(event.hook)}: ${ok ? "checks passed" : bold("checks failed")}`,
        text: `${event.hook}: ${event.verdict}`,
        blocks: lines.length > 0 ? [section(lines.join("\n"))] : [],
      };
    }
    case "deploy.finished": {
      const word = event.outcome.replace("_", " ");
      return {
        line: `${STATUS_EMOJI[event.outcome]} Deployment ${bold(word)}${event.reason ? `: ${esc(event.reason)}` : ""}`,
        text: `Deployment ${word}${event.reason ? `: ${event.reason}` : ""}`,
        blocks: buttons([{ label: "CodeDeploy", url: deploymentConsoleUrl(event.deployment) }]),
      };
    }
    case "deploy.protection":
      return protectionAnswer(event);
  }
}

/** Runway's answer to a deployment protection rule: the verdict, then one line per condition. */
function protectionAnswer(event: EventOf<"deploy.protection">): ReplyParts {
  const approved = event.state === "approved";
  const lines = event.evidence.slice(0, MAX_EVIDENCE).map((l) => `• ${esc(truncate(l, 300))}`);
  if (event.evidence.length > MAX_EVIDENCE) lines.push(`…and ${event.evidence.length - MAX_EVIDENCE} more`);
  const blocks: Block[] = lines.length > 0 ? [section(lines.join("\n"))] : [];
  if (!event.delivered) {
    if (event.note) blocks.unshift(section(`*Why:* ${esc(event.note)}`));
    return {
      line: `${ALERT_EMOJI} Runway's answer for ${bold(event.environment)} (${event.state}) did not reach GitHub: the job still waits`,
      text: `Runway's answer for ${event.environment} (${event.state}) did not reach GitHub${event.note ? `: ${event.note}` : ""}`,
      blocks,
    };
  }
  return {
    line: `${approved ? STATUS_EMOJI.succeeded : STATUS_EMOJI.failed} Deployment to ${bold(event.environment)} ${approved ? "approved" : bold("rejected")} by Runway's protection rule`,
    text: `Deployment to ${event.environment} ${event.state} by Runway's protection rule`,
    blocks,
  };
}

function jobName(event: { job: { name: string; url?: string | undefined } }): string {
  return `*${link(event.job.url, event.job.name)}*`;
}

/** The alert: which job ran where, why that is wrong, what Runway did about it, and the links. */
function jobForeign(event: EventOf<"job.foreign">): ReplyParts {
  const { foreign } = event;
  const where = foreign.environment ? foreign.environment : "not routed by Runway";
  const run = `run ${foreign.runId}${foreign.runAttempt > 1 ? ` attempt ${foreign.runAttempt}` : ""}`;
  // On the job page's own host, also for an older Enterprise Server's `…/runs/<job>` pages.
  const runUrl = foreign.url ? runPageUrl({ repository: foreign.repository, runId: foreign.runId, htmlUrl: foreign.url }) : undefined;
  const meant = event.job ? `launched for ${jobName({ job: event.job })} of this run` : "launched for this run";
  const line =
    `${ALERT_EMOJI} *Runner ${code(event.runnerName)}* (${meant}) was handed job *${link(foreign.url, foreign.name)}* ` +
    `of ${esc(foreign.repository)} ${runUrl && runUrl !== foreign.url ? link(runUrl, run) : run} (${foreign.environment ? bold(where) : where})`;
  const text =
    `⚠️ Runner ${event.runnerName} (launched for ${event.job ? `${event.job.name} of this run` : "this run"}) was handed job ${foreign.name} ` +
    `of ${foreign.repository} ${run} (${where})`;
  const blocks: Block[] = [section(`*Why:* ${esc(foreign.reason)}`)];
  if (event.actions.length > 0) {
    const lines = event.actions.slice(0, MAX_ACTIONS).map((action) => `• ${esc(truncate(action, 300))}`);
    if (event.actions.length > MAX_ACTIONS) lines.push(`…and ${event.actions.length - MAX_ACTIONS} more`);
    blocks.push(section(`*What Runway did:*\n${lines.join("\n")}`));
  }
  blocks.push(...buttons([{ label: "Foreign job", url: foreign.url, style: "danger" }, ...(event.build ? buildLinks(event.build) : [])]));
  return { line, text, blocks };
}

function jobCompleted(event: EventOf<"job.completed">): ReplyParts {
  const status = jobStatusOf(event.conclusion);
  const failed = status === "failed";
  const step = failed && event.failedSteps.length > 0 ? ` at step ${event.failedSteps.map(bold).join(", ")}` : "";
  const word = CONCLUSION_WORD[event.conclusion];
  const blocks: Block[] = [];
  if (failed && event.logExcerpt) blocks.push(section(codeBlock(event.logExcerpt)));
  blocks.push(...artifactBlocks(event.artifacts));
  blocks.push(...buttons([{ label: "Job log", url: event.job.url }, ...(event.build ? buildLinks(event.build) : [])]));
  return {
    line: `${STATUS_EMOJI[status]} ${jobName(event)} ${failed ? bold(word) : word}${step}`,
    text: `${event.job.name} ${word}${failed && event.failedSteps[0] ? ` at step ${event.failedSteps[0]}` : ""}`,
    blocks,
  };
}

function buildFinished(event: EventOf<"build.finished">): ReplyParts {
  const ok = event.status === "SUCCEEDED";
  const cause = event.cause;
  let why = "";
  if (cause.kind === "job-failed") why = `the job failed${cause.step ? ` at step ${bold(cause.step)}` : ""}, so the build was marked failed`;
  if (cause.kind === "runner-never-got-a-job") why = "the runner never got a job (another runner took it, or it was cancelled first)";
  if (cause.kind === "build-broke") why = `the build itself broke in phase ${bold(cause.phase)}${cause.message ? `: ${esc(cause.message)}` : ""}`;
  const who = event.job ? ` for ${jobName({ job: event.job })}` : "";
  const blocks: Block[] = [];
  if (!ok && event.logExcerpt) blocks.push(section(codeBlock(event.logExcerpt)));
  blocks.push(...artifactBlocks(event.artifacts), ...buildButtons(event.build));
  return {
    line: `${ok ? STATUS_EMOJI.succeeded : STATUS_EMOJI.failed} Runner build ${link(buildConsoleUrl(event.build), event.build.id)}${who} ${ok ? "succeeded" : bold(event.status.replace("_", " ").toLowerCase())}${why ? `: ${why}` : ""}`,
    text: `Runner build ${event.build.id} ${event.status}${why ? `: ${why.replace(/\*/g, "")}` : ""}`,
    blocks,
  };
}

function buildLinks(build: BuildInfo) {
  return [
    { label: "CodeBuild build", url: buildConsoleUrl(build) },
    { label: "Build logs", url: buildLogsUrl(build) },
  ];
}

function buildButtons(build: BuildInfo): Block[] {
  return buttons(buildLinks(build));
}

/** The first artifacts as buttons, any others as a line of links. */
function artifactBlocks(artifacts: ArtifactLink[]): Block[] {
  if (artifacts.length === 0) return [];
  const first = artifacts.slice(0, MAX_ARTIFACT_BUTTONS).map((a) => ({ label: `📎 ${a.name}`, url: a.url }));
  const rest = artifacts.slice(MAX_ARTIFACT_BUTTONS).map((a) => link(a.url, a.name));
  return [context(`Artifacts (links expire)`), ...buttons(first), ...(rest.length > 0 ? [context(rest.join(" · "))] : [])];
}
