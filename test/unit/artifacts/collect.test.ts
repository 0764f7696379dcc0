import { describe, expect, it } from "vitest";
import { causeOf } from "../../../lib/artifacts/collect.ts";
import { failureExcerpt } from "../../../lib/artifacts/log-excerpt.ts";
import type { LaunchRecord } from "../../../lib/runners/ledger.ts";

const launch = (over: Partial<LaunchRecord> = {}) => ({ jobId: 1, runAttempt: 1, ...over }) as LaunchRecord;
const installFailed = [
  { "phase-type": "SUBMITTED", "phase-status": "SUCCEEDED" },
  { "phase-type": "INSTALL", "phase-status": "FAILED", "phase-context": ["COMMAND_EXECUTION_ERROR: Error while executing command: bash install-runner.sh. Reason: exit status 7"] },
  { "phase-type": "COMPLETED" },
];
/** The runner started and waited; no job came (its idle timeout ended the BUILD phase). */
const runnerIdle = [
  { "phase-type": "SUBMITTED", "phase-status": "SUCCEEDED" },
  { "phase-type": "INSTALL", "phase-status": "SUCCEEDED" },
  { "phase-type": "PRE_BUILD", "phase-status": "SUCCEEDED" },
  { "phase-type": "BUILD", "phase-status": "FAILED" },
  { "phase-type": "COMPLETED" },
];

describe("causeOf()", () => {
  it.each([
    ["SUCCEEDED", launch({ tookJobId: 1 }), undefined, runnerIdle, { kind: "none" }],
    ["FAILED", launch({ tookJobId: 1, conclusion: "failure" }), launch({ failedSteps: ["Deploy", "Notify"], conclusion: "failure" }), runnerIdle, { kind: "job-failed", step: "Deploy" }],
    ["FAILED", launch({ tookJobId: 1, conclusion: "cancelled" }), launch({ conclusion: "cancelled" }), runnerIdle, { kind: "job-failed" }],
    ["STOPPED", launch({}), undefined, runnerIdle, { kind: "runner-never-got-a-job" }],
    ["FAILED", launch({}), undefined, runnerIdle, { kind: "runner-never-got-a-job" }],
    // No runner ever started, so "it never got a job" would send the reader the wrong way.
    ["FAILED", launch({}), undefined, installFailed, { kind: "build-broke", phase: "INSTALL", message: expect.stringContaining("exit status 7") }],
    ["FAULT", launch({ tookJobId: 1, conclusion: "success" }), launch({ conclusion: "success" }), installFailed, { kind: "build-broke", phase: "INSTALL", message: expect.stringContaining("exit status 7") }],
  ] as const)("%s with %j → %j", (status, l, ran, phases, cause) => {
    expect(causeOf(status, l, ran, [...phases])).toEqual(cause);
  });
});

describe("failureExcerpt()", () => {
  const log = [...Array.from({ length: 300 }, (_, i) => `line ${i}`), "\u001b[31m##[error]Process completed with exit code 1.\u001b[0m", "post 1", "post 2", "post 3", "post 4", ""].join("\n");

  it("ends just after the last error mark, keeps at most the line budget, and drops colour codes", () => {
    const excerpt = failureExcerpt(log, 200, 3).split("\n");
    expect(excerpt).toHaveLength(200);
    expect(excerpt.at(-4)).toBe("##[error]Process completed with exit code 1.");
    expect(excerpt.at(-1)).toBe("post 3");
  });

  it("keeps the log's last lines when nothing is marked as an error", () => {
    expect(failureExcerpt("a\nb\nc\n", 2)).toBe("b\nc");
  });
});
