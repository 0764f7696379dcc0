/**
 * CodeBuild's build phases as BatchGetBuilds reports them: each finished phase has a status,
 * start/end times, a duration and contexts; the running phase only a start time; COMPLETED only a
 * start time. Failures follow CodeBuild's documented transitions (a failed BUILD still runs
 * POST_BUILD and UPLOAD_ARTIFACTS; an earlier failure goes straight to FINALIZING).
 */
import type { Build, BuildPhase, BuildPhaseType, StatusType } from "@aws-sdk/client-codebuild";

export const PHASE_ORDER: BuildPhaseType[] = [
  "SUBMITTED",
  "QUEUED",
  "PROVISIONING",
  "DOWNLOAD_SOURCE",
  "INSTALL",
  "PRE_BUILD",
  "BUILD",
  "POST_BUILD",
  "UPLOAD_ARTIFACTS",
  "FINALIZING",
  "COMPLETED",
];

export type FinalStatus = "SUCCEEDED" | "FAILED" | "FAULT" | "TIMED_OUT" | "STOPPED";

const FAILURE_CONTEXT: Record<Exclude<FinalStatus, "SUCCEEDED">, { statusCode: string; message: string }> = {
  FAILED: { statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: ./run.sh. Reason: exit status 1" },
  FAULT: { statusCode: "CLIENT_ERROR", message: "Build container found dead before completing the build." },
  TIMED_OUT: { statusCode: "BUILD_TIMED_OUT", message: "Build has timed out." },
  STOPPED: { statusCode: "BUILD_STOPPED", message: "Build was stopped." },
};

/** Close the running phase (if any) with a status and open `next` (which stays in progress). */
export function enterPhase(build: Build, next: BuildPhaseType, now: Date, status: StatusType = "SUCCEEDED", context?: { statusCode: string; message: string }): void {
  const phases = (build.phases ??= []);
  const running = phases.at(-1);
  if (running && running.endTime === undefined && running.phaseType !== "COMPLETED") {
    running.endTime = now;
    running.phaseStatus = status;
    running.durationInSeconds = Math.max(0, Math.round((now.getTime() - (running.startTime?.getTime() ?? now.getTime())) / 1000));
    running.contexts = context ? [context] : [];
  }
  const phase: BuildPhase = { phaseType: next, startTime: now };
  phases.push(phase);
  build.currentPhase = next;
}

/** Walk the running phase forward to `target`, every phase in between succeeding. */
export function advanceTo(build: Build, target: BuildPhaseType, now: Date): void {
  const from = PHASE_ORDER.indexOf(build.currentPhase as BuildPhaseType);
  const to = PHASE_ORDER.indexOf(target);
  if (to <= from) return;
  for (const phase of PHASE_ORDER.slice(from + 1, to + 1)) enterPhase(build, phase, now);
}

/**
 * Finish a build with `status`, failing `failedPhase` (default: BUILD for FAILED and TIMED_OUT,
 * PROVISIONING for FAULT, the running phase for STOPPED) and running the phases CodeBuild runs
 * after such a failure.
 */
export function finishPhases(
  build: Build,
  status: FinalStatus,
  now: Date,
  failedPhase?: BuildPhaseType,
  context?: { statusCode: string; message: string },
): void {
  if (status === "SUCCEEDED") {
    advanceTo(build, "COMPLETED", now);
  } else {
    const current = build.currentPhase as BuildPhaseType;
    const defaultPhase = status === "STOPPED" ? current : status === "FAULT" ? "PROVISIONING" : "BUILD";
    const failing = PHASE_ORDER.indexOf(failedPhase ?? defaultPhase) > PHASE_ORDER.indexOf(current) ? (failedPhase ?? defaultPhase) : current;
    advanceTo(build, failing, now);
    const failedBuild = status === "FAILED" && (failing === "BUILD" || failing === "POST_BUILD");
    const following: BuildPhaseType[] = failedBuild ? ["POST_BUILD", "UPLOAD_ARTIFACTS", "FINALIZING"] : ["FINALIZING"];
    const after = [...following.filter((p) => PHASE_ORDER.indexOf(p) > PHASE_ORDER.indexOf(failing)), "COMPLETED" as const];
    enterPhase(build, after[0]!, now, status, context ?? FAILURE_CONTEXT[status]);
    for (const phase of after.slice(1)) enterPhase(build, phase, now);
  }
  build.buildStatus = status;
  build.buildComplete = true;
  build.endTime = now;
}
