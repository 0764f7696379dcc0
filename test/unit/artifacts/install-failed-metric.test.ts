/**
 * build-events counts runner builds that broke while installing the runner (RunnerInstallFailed),
 * from the phases CodeBuild's "Build State Change" event carries in `additional-information`.
 */
import type { CodeBuildCloudWatchStateEvent } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { collectBuild, type CollectDeps } from "../../../lib/artifacts/collect.ts";
import { metrics } from "../../../lib/observability/metrics.ts";
import type { Ledger } from "../../../lib/runners/ledger.ts";

type Phase = { "phase-type": string; "phase-status"?: string; "phase-context"?: string[] };

/** The event as EventBridge delivers it for a finished runner build (CodeBuild's documented shape). */
function buildEnded(status: string, phases: Phase[], variables = [{ name: "RUNWAY_RUNNER_NAME", value: "runway-dev-4242-1-a1b2c3d4", type: "PLAINTEXT" }]): CodeBuildCloudWatchStateEvent {
  return {
    version: "0",
    id: "c030038d-8c4d-6141-9545-00ff7b7153EX",
    "detail-type": "CodeBuild Build State Change",
    source: "aws.codebuild",
    account: "123456789012",
    time: "2026-12-01T09:00:00Z",
    region: "eu-west-1",
    resources: ["arn:aws:codebuild:eu-west-1:123456789012:build/runway-runner-dev:0f3c9a52-7d1e-4b8a-9c2f-5e6d7a8b9c0d"],
    detail: {
      "build-status": status,
      "project-name": "runway-runner-dev",
      "build-id": "arn:aws:codebuild:eu-west-1:123456789012:build/runway-runner-dev:0f3c9a52-7d1e-4b8a-9c2f-5e6d7a8b9c0d",
      "additional-information": { environment: { "environment-variables": variables }, phases },
      "current-phase": "COMPLETED",
      "current-phase-context": "[]",
      version: "1",
    },
  } as unknown as CodeBuildCloudWatchStateEvent;
}

const phasesUpTo = (failed: string, status: string): Phase[] => {
  const order = ["SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD"];
  const upTo = order.slice(0, order.indexOf(failed) + 1);
  return [
    ...upTo.map((type) =>
      type === failed ? { "phase-type": type, "phase-status": status, "phase-context": ["COMMAND_EXECUTION_ERROR: Error while executing command: bash install-runner.sh. Reason: exit status 7"] } : { "phase-type": type, "phase-status": "SUCCEEDED" },
    ),
    { "phase-type": "COMPLETED" },
  ];
};

// No launch in the ledger: the collector stops there, after counting what the event says.
const deps: CollectDeps = { ledger: { launchForRunner: async () => undefined } as unknown as Ledger, notify: () => {} };

let published: string[];
beforeEach(() => {
  published = [];
  vi.spyOn(metrics, "addMetric").mockImplementation((name, _unit, value) => {
    published.push(`${name}=${value}`);
    return metrics;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("RunnerInstallFailed", () => {
  it.each(["FAILED", "FAULT", "TIMED_OUT"])("is counted when the INSTALL phase ended %s", async (status) => {
    await collectBuild(buildEnded("FAILED", phasesUpTo("INSTALL", status)), deps);

    expect(published).toEqual(["RunnerInstallFailed=1"]);
  });

  it.each([
    ["a later phase failed", buildEnded("FAILED", phasesUpTo("PRE_BUILD", "FAILED"))],
    ["the build was stopped while installing", buildEnded("STOPPED", phasesUpTo("INSTALL", "STOPPED"))],
    ["the build succeeded", buildEnded("SUCCEEDED", phasesUpTo("POST_BUILD", "SUCCEEDED"))],
    ["the build hosts no Runway runner", buildEnded("FAILED", phasesUpTo("INSTALL", "FAILED"), [])],
    ["the build has not finished", buildEnded("IN_PROGRESS", phasesUpTo("INSTALL", "FAILED"))],
  ])("is not counted when %s", async (_case, event) => {
    await collectBuild(event, deps);

    expect(published).toEqual([]);
  });
});
