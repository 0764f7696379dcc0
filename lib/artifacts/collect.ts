/**
 * The build collector: when a runner build ends (EventBridge "CodeBuild Build State Change"), say
 * why in one sentence and gather what it left behind, so that a team understands a failed deploy
 * from Slack alone:
 *
 * - the job failed (at step X) — the runner ran a job whose conclusion was a failure;
 * - the runner never got a job — the job was cancelled, or ran on another runner of its run;
 * - the build itself broke (in phase Y) — anything else, from the build's phases.
 *
 * Artifacts are everything under the build's prefix (status, runner `_diag` logs, the log excerpt,
 * files the job uploaded), its conclusion marker and the legacy failure file, each as a presigned
 * link. SUCCEEDED is reported too. The launch is marked finished and its slot freed at once,
 * rather than at the reconciler's next pass.
 */
import type { CodeBuildCloudWatchStateEvent } from "aws-lambda";
import type { NotificationInput } from "../notify/event-keys.ts";
import { recordMetric } from "../observability/metrics.ts";
import type { LaunchRecord, Ledger } from "../runners/ledger.ts";
import { buildInfo, runInfo } from "../runners/notifications.ts";
import type { StoredArtifact } from "./store.ts";

export const FINAL_STATUSES = ["SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED"] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

export type BuildCause =
  | { kind: "none" }
  | { kind: "job-failed"; step?: string }
  | { kind: "runner-never-got-a-job" }
  | { kind: "build-broke"; phase: string; message?: string };

export interface CollectDeps {
  ledger: Ledger;
  /** Absent when no artifacts bucket is configured: the cause is still reported. */
  artifacts?: {
    list(buildId: string, runnerName: string): Promise<StoredArtifact[]>;
    link(key: string): Promise<string>;
    readExcerpt(buildId: string): Promise<string | undefined>;
  };
  notify: (event: NotificationInput, environment: string) => void;
}

export type CollectOutcome =
  | { outcome: "ignored"; reason: string }
  | { outcome: "reported"; buildId: string; status: FinalStatus; cause: BuildCause; artifacts: number };

type Phase = { "phase-type": string; "phase-status"?: string; "phase-context"?: string[] };

const FAILED_CONCLUSIONS = new Set(["failure", "timed_out", "startup_failure", "cancelled"]);

/**
 * Collect one build's end.
 *
 * @example
 * const result = await collectBuild(event, deps);
 * if (result.outcome === "reported") console.log(result.cause);
 */
export async function collectBuild(event: CodeBuildCloudWatchStateEvent, deps: CollectDeps): Promise<CollectOutcome> {
  const detail = event.detail;
  const status = detail["build-status"] as string;
  if (!(FINAL_STATUSES as readonly string[]).includes(status)) return { outcome: "ignored", reason: `build is ${status}, not finished` };
  const buildId = detail["build-id"].split(":build/")[1] ?? detail["build-id"];
  const variables = detail["additional-information"]?.environment?.["environment-variables"] ?? [];
  const runnerName = variables.find((v) => v.name === "RUNWAY_RUNNER_NAME")?.value;
  if (!runnerName) return { outcome: "ignored", reason: `build ${buildId} hosts no Runway runner` };
  const phases = (detail["additional-information"]?.phases ?? []) as Phase[];
  // The runner could not be installed (no usable release, a checksum refused, an unsupported
  // machine): every job of the environment fails the same way until someone acts, so it is alarmed on.
  if (failedInInstall(phases)) recordMetric("RunnerInstallFailed", 1);
  const launch = await deps.ledger.launchForRunner(runnerName);
  if (!launch) return { outcome: "ignored", reason: `no launch of runner ${runnerName} in the ledger` };

  await deps.ledger.finishLaunch(launch, `build ${status}`);
  const ran = launch.tookJobId === undefined ? undefined : launch.tookJobId === launch.jobId ? launch : await deps.ledger.get(launch.tookJobId, launch.runAttempt);
  const cause = causeOf(status as FinalStatus, launch, ran, phases);

  const stored = deps.artifacts ? await deps.artifacts.list(buildId, runnerName) : [];
  const links = deps.artifacts ? await Promise.all(stored.map(async (a) => ({ name: a.name, url: await deps.artifacts!.link(a.key), sizeBytes: a.sizeBytes }))) : [];
  const excerpt = cause.kind === "job-failed" ? await deps.artifacts?.readExcerpt(buildId) : undefined;

  const request = (ran ?? launch).request;
  const job = ran ? { id: ran.jobId, name: ran.request.job.name ?? `job ${ran.jobId}`, ...(ran.request.job.htmlUrl?.startsWith("http") ? { url: ran.request.job.htmlUrl } : {}) } : undefined;
  deps.notify(
    {
      type: "build.finished",
      run: runInfo(request),
      ...(job ? { job } : {}),
      build: buildInfo(launch.request, buildId),
      status: status as FinalStatus,
      cause,
      ...(excerpt ? { logExcerpt: excerpt } : {}),
      artifacts: links,
    },
    launch.environment,
  );
  return { outcome: "reported", buildId, status: status as FinalStatus, cause, artifacts: links.length };
}

/** The build's INSTALL phase failed, faulted or timed out (a stopped build is not an install failure). */
const failedInInstall = (phases: Phase[]) => phases.some((p) => p["phase-type"] === "INSTALL" && ["FAILED", "FAULT", "TIMED_OUT"].includes(p["phase-status"] ?? ""));

/** CodeBuild's phases before the runner starts (the BUILD phase): a failure there is the build's own. */
const SETUP_PHASES = new Set(["SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD"]);

/** The one-sentence reason a build ended as it did. */
export function causeOf(status: FinalStatus, launch: LaunchRecord, ran: LaunchRecord | undefined, phases: Phase[]): BuildCause {
  if (status === "SUCCEEDED") return { kind: "none" };
  const conclusion = ran?.conclusion ?? launch.conclusion;
  if (launch.tookJobId !== undefined && conclusion && FAILED_CONCLUSIONS.has(conclusion)) {
    const step = ran?.failedSteps?.[0];
    return step ? { kind: "job-failed", step } : { kind: "job-failed" };
  }
  const broken = phases.find((p) => p["phase-status"] && p["phase-status"] !== "SUCCEEDED" && p["phase-type"] !== "COMPLETED");
  // A build that broke before its runner started (the runner's install, the preflight) never had a
  // runner to give a job to: that, not "no job came", is the reason.
  if (launch.tookJobId === undefined && !(broken && SETUP_PHASES.has(broken["phase-type"] ?? ""))) return { kind: "runner-never-got-a-job" };
  const message = broken?.["phase-context"]?.find((c) => c && c !== ": ");
  return { kind: "build-broke", phase: broken?.["phase-type"] ?? status, ...(message ? { message } : {}) };
}
