/**
 * The EventBridge "CodeBuild Build State Change" event for a build, shaped as CodeBuild sends it
 * (kebab-case detail, Java-style timestamps inside additional-information), so the local stack can
 * feed Runway's build-state handler the same event AWS would.
 */
import { randomUUID } from "node:crypto";
import type { Build, ProjectEnvironment } from "@aws-sdk/client-codebuild";
import type { CodeBuildCloudWatchStateEvent, CodeBuildStateEventDetail } from "aws-lambda";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Sep 1, 2017 4:12:29 PM" (UTC), the format of the times inside additional-information. */
export function codeBuildEventTime(date: Date): string {
  const hours = date.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()} ` +
    `${hours % 12 === 0 ? 12 : hours % 12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? "AM" : "PM"}`
  );
}

type Detail = CodeBuildStateEventDetail;
type Info = Detail["additional-information"];

/**
 * The event for the build's current state: IN_PROGRESS when started, then its final status.
 * FAULT and TIMED_OUT are reported as FAILED (the event's documented statuses are IN_PROGRESS,
 * SUCCEEDED, FAILED and STOPPED); BatchGetBuilds keeps the precise status.
 *
 * @example
 * codebuild.onBuildFinished((build) => buildStateHandler(buildStateChangeEvent(build)));
 */
export function buildStateChangeEvent(build: Build, options: { account?: string; region?: string; time?: Date } = {}): CodeBuildCloudWatchStateEvent {
  const [, , , region = options.region ?? "us-east-1", account = options.account ?? "000000000000"] = (build.arn ?? "").split(":");
  const status = build.buildStatus ?? "IN_PROGRESS";
  const eventStatus: Detail["build-status"] =
    status === "SUCCEEDED" || status === "STOPPED" || status === "IN_PROGRESS" ? status : "FAILED";
  const environment: Partial<ProjectEnvironment> = build.environment ?? {};
  const running = build.phases?.at(-1);
  const additional: Info = {
    cache: { type: (build.cache?.type ?? "NO_CACHE") as Info["cache"]["type"] },
    "build-number": build.buildNumber ?? 0,
    "timeout-in-minutes": build.timeoutInMinutes ?? 60,
    "build-complete": build.buildComplete ?? false,
    initiator: build.initiator ?? "runway",
    "build-start-time": codeBuildEventTime(build.startTime ?? new Date()),
    source: {
      buildspec: build.source?.buildspec ?? "",
      location: build.source?.location ?? "",
      type: (build.source?.type ?? "NO_SOURCE") as Info["source"]["type"],
    },
    "source-version": build.sourceVersion ?? "",
    artifact: { location: build.artifacts?.location ?? "" },
    environment: {
      image: environment.image ?? "",
      "privileged-mode": environment.privilegedMode ?? false,
      "image-pull-credentials-type": (environment.imagePullCredentialsType ?? "CODEBUILD") as Info["environment"]["image-pull-credentials-type"],
      "compute-type": (environment.computeType ?? "BUILD_GENERAL1_SMALL") as Info["environment"]["compute-type"],
      type: (environment.type ?? "LINUX_CONTAINER") as Info["environment"]["type"],
      "environment-variables": (environment.environmentVariables ?? []).map((v) => ({
        name: v.name ?? "",
        type: (v.type ?? "PLAINTEXT") as "PLAINTEXT" | "PARAMETER_STORE" | "SECRETS_MANAGER",
        value: v.value ?? "",
      })),
    },
    "project-file-system-locations": [],
    logs: {
      "group-name": build.logs?.groupName ?? "",
      "stream-name": build.logs?.streamName ?? "",
      "deep-link": build.logs?.deepLink ?? "",
    },
    phases: (build.phases ?? []).map((p) => ({
      ...(p.phaseType !== "COMPLETED" && p.endTime ? { "phase-context": (p.contexts ?? []).map((c) => `${c.statusCode ?? ""}: ${c.message ?? ""}`) } : {}),
      "start-time": codeBuildEventTime(p.startTime ?? new Date()),
      ...(p.endTime ? { "end-time": codeBuildEventTime(p.endTime), "duration-in-seconds": p.durationInSeconds ?? 0 } : {}),
      "phase-type": p.phaseType as Info["phases"][number]["phase-type"],
      ...(p.phaseStatus ? { "phase-status": p.phaseStatus as Info["phases"][number]["phase-status"] } : {}),
    })),
    "queued-timeout-in-minutes": build.queuedTimeoutInMinutes ?? 480,
  };
  const failedContext = build.phases?.find((p) => p.phaseStatus && p.phaseStatus !== "SUCCEEDED")?.contexts ?? running?.contexts ?? [];
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "CodeBuild Build State Change",
    source: "aws.codebuild",
    account,
    time: (options.time ?? build.endTime ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region,
    resources: [build.arn ?? ""],
    detail: {
      "build-status": eventStatus,
      "project-name": build.projectName ?? "",
      "build-id": build.arn ?? build.id ?? "",
      "current-phase": (build.currentPhase ?? "SUBMITTED") as Detail["current-phase"],
      "current-phase-context": JSON.stringify(failedContext.map((c) => `${c.statusCode ?? ""}: ${c.message ?? ""}`)),
      version: "1",
      "additional-information": additional,
    },
  };
}
