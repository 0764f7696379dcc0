import {
  AccountLimitExceededException,
  BatchGetBuildsCommand,
  BatchGetProjectsCommand,
  CreateProjectCommand,
  ListBuildsForProjectCommand,
  ResourceNotFoundException,
  StartBuildCommand,
  StopBuildCommand,
  type Build,
} from "@aws-sdk/client-codebuild";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { codeBuildClient } from "../../../lib/aws/codebuild.ts";
import {
  buildStateChangeEvent,
  createCodeBuildEmulation,
  startAwsEmulator,
  type AwsEmulator,
  type CodeBuildEmulation,
} from "../../../lib/local/aws-emulator/index.ts";
import { pointClientsAt, rejectionOf } from "./helpers.ts";

let aws: AwsEmulator;
let codebuild: CodeBuildEmulation;
let restore: () => void;

beforeAll(async () => {
  codebuild = createCodeBuildEmulation();
  aws = await startAwsEmulator({ services: [codebuild] });
  restore = pointClientsAt(aws.url);
  await codeBuildClient().send(
    new CreateProjectCommand({
      name: "runner-dev",
      source: { type: "NO_SOURCE", buildspec: "version: 0.2" },
      artifacts: { type: "NO_ARTIFACTS" },
      environment: { type: "LINUX_CONTAINER", image: "aws/codebuild/standard:7.0", computeType: "BUILD_GENERAL1_SMALL" },
      serviceRole: "arn:aws:iam::000000000000:role/runner",
      concurrentBuildLimit: 2,
    }),
  );
});

afterEach(() => aws.faults.clear());

afterAll(async () => {
  restore();
  await aws.close();
});

const start = (overrides: Partial<ConstructorParameters<typeof StartBuildCommand>[0]> = {}) =>
  codeBuildClient().send(new StartBuildCommand({ projectName: "runner-dev", ...overrides }));

function finishAll(): void {
  for (const b of codebuild.builds()) if (b.buildStatus === "IN_PROGRESS") codebuild.complete(b.id!, "SUCCEEDED");
}

describe("CodeBuild emulation through @aws-sdk/client-codebuild", () => {
  it("starts a build with the project's environment and typed variable overrides", async () => {
    const { build } = await start({
      environmentVariablesOverride: [
        { name: "RUNNER_NAME", value: "runway-1", type: "PLAINTEXT" },
        { name: "JIT_CONFIG", value: "/runway/jit/1", type: "PARAMETER_STORE" },
      ],
    });
    expect(build?.id).toMatch(/^runner-dev:[0-9a-f-]{36}$/);
    expect(build).toMatchObject({
      arn: `arn:aws:codebuild:eu-west-1:000000000000:build/${build?.id}`,
      buildStatus: "IN_PROGRESS",
      projectName: "runner-dev",
      currentPhase: "PROVISIONING",
      environment: { image: "aws/codebuild/standard:7.0" },
      logs: { groupName: "/aws/codebuild/runner-dev" },
    });
    expect(build?.startTime).toBeInstanceOf(Date);
    expect(build?.phases?.map((p) => [p.phaseType, p.phaseStatus])).toEqual([
      ["SUBMITTED", "SUCCEEDED"],
      ["QUEUED", "SUCCEEDED"],
      ["PROVISIONING", undefined],
    ]);
    expect(build?.environment?.environmentVariables).toEqual([
      { name: "RUNNER_NAME", value: "runway-1", type: "PLAINTEXT" },
      { name: "JIT_CONFIG", value: "/runway/jit/1", type: "PARAMETER_STORE" },
    ]);
    const { projects } = await codeBuildClient().send(new BatchGetProjectsCommand({ names: ["runner-dev"] }));
    expect(projects?.[0]?.concurrentBuildLimit).toBe(2);
    finishAll();
  });

  it("returns the same build for the same idempotency token, and tells listeners once", async () => {
    const started: string[] = [];
    const off = codebuild.onBuildStarted((b) => started.push(b.id!));
    const first = await start({ idempotencyToken: "job-42-attempt-1" });
    const again = await start({ idempotencyToken: "job-42-attempt-1" });
    off();
    expect(again.build?.id).toBe(first.build?.id);
    expect(started).toEqual([first.build?.id]);
    finishAll();
  });

  it("surfaces an unknown project as the SDK's ResourceNotFoundException", async () => {
    const error = await rejectionOf(start({ projectName: "nope" }));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it("refuses a build over the project's concurrent-build limit with AccountLimitExceededException", async () => {
    const a = await start();
    await start();
    const error = await rejectionOf(start());
    expect(error).toBeInstanceOf(AccountLimitExceededException);
    expect(error.message).toBe("Cannot have more than 2 active builds for the project");
    codebuild.complete(a.build!.id!, "SUCCEEDED");
    await expect(start()).resolves.toMatchObject({ build: { buildStatus: "IN_PROGRESS" } });
    finishAll();
  });

  it("lets the SDK retry an injected throttle on every 3rd StartBuild", async () => {
    const fault = aws.faults.add({
      service: "codebuild",
      operation: "StartBuild",
      every: 3,
      error: { code: "ThrottlingException", message: "Rate exceeded", statusCode: 400 },
    });
    for (let i = 0; i < 4; i += 1) {
      await start();
      finishAll();
    }
    expect(fault.injected).toBe(1);
    expect(fault.calls).toBe(5);
  });

  it("gives up after the client's 4 attempts when the service keeps failing", async () => {
    const fault = aws.faults.add({ service: "codebuild", operation: "StartBuild", error: { code: "InternalFailure", statusCode: 500 } });
    const error = await rejectionOf(start());
    expect(error.name).toBe("InternalFailure");
    expect(error.$metadata.attempts).toBe(4);
    expect(fault.calls).toBe(4);
  });

  it("stops a build, and BatchGetBuilds reports it with unknown ids in buildsNotFound", async () => {
    const finished: Build[] = [];
    const off = codebuild.onBuildFinished((b) => finished.push(b));
    const { build } = await start();
    const stopped = await codeBuildClient().send(new StopBuildCommand({ id: build!.id! }));
    off();
    expect(stopped.build).toMatchObject({ buildStatus: "STOPPED", currentPhase: "COMPLETED", buildComplete: true });
    expect(stopped.build?.endTime).toBeInstanceOf(Date);
    expect(finished.map((b) => b.id)).toEqual([build!.id]);
    const got = await codeBuildClient().send(new BatchGetBuildsCommand({ ids: [build!.id!, "runner-dev:missing"] }));
    expect(got.builds?.map((b) => b.buildStatus)).toEqual(["STOPPED"]);
    expect(got.buildsNotFound).toEqual(["runner-dev:missing"]);
  });

  it("completes a failed build with CodeBuild's phases and its EventBridge event", async () => {
    const { build } = await start({ environmentVariablesOverride: [{ name: "RUNWAY_JOB_ID", value: "42", type: "PLAINTEXT" }] });
    codebuild.complete(build!.id!, "FAILED", { failedPhase: "BUILD" });
    const { builds } = await codeBuildClient().send(new BatchGetBuildsCommand({ ids: [build!.id!] }));
    const done = builds![0]!;
    expect(done.buildStatus).toBe("FAILED");
    expect(done.phases?.map((p) => [p.phaseType, p.phaseStatus ?? null])).toEqual([
      ["SUBMITTED", "SUCCEEDED"],
      ["QUEUED", "SUCCEEDED"],
      ["PROVISIONING", "SUCCEEDED"],
      ["DOWNLOAD_SOURCE", "SUCCEEDED"],
      ["INSTALL", "SUCCEEDED"],
      ["PRE_BUILD", "SUCCEEDED"],
      ["BUILD", "FAILED"],
      ["POST_BUILD", "SUCCEEDED"],
      ["UPLOAD_ARTIFACTS", "SUCCEEDED"],
      ["FINALIZING", "SUCCEEDED"],
      ["COMPLETED", null],
    ]);
    expect(done.phases?.find((p) => p.phaseType === "BUILD")?.contexts?.[0]?.statusCode).toBe("COMMAND_EXECUTION_ERROR");

    const event = buildStateChangeEvent(codebuild.build(build!.id!)!);
    expect(event).toMatchObject({
      "detail-type": "CodeBuild Build State Change",
      source: "aws.codebuild",
      account: "000000000000",
      region: "eu-west-1",
      resources: [done.arn],
      detail: { "build-status": "FAILED", "project-name": "runner-dev", "build-id": done.arn, "current-phase": "COMPLETED" },
    });
    expect(event.detail["additional-information"].environment["environment-variables"]).toEqual([
      { name: "RUNWAY_JOB_ID", value: "42", type: "PLAINTEXT" },
    ]);
    expect(event.detail["additional-information"].logs["group-name"]).toBe("/aws/codebuild/runner-dev");
    expect(event.detail["additional-information"]["build-start-time"]).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M$/);
  });

  it("lists a project's builds, newest first", async () => {
    const { ids } = await codeBuildClient().send(new ListBuildsForProjectCommand({ projectName: "runner-dev" }));
    const all = codebuild.builds().map((b) => b.id);
    expect(ids).toEqual(all.reverse());
  });
});

describe("CodeBuild's account quota of running builds", () => {
  let queueing: AwsEmulator;
  let limited: CodeBuildEmulation;
  let clock = new Date("2026-12-01T10:00:00Z");
  let restoreQueueing: () => void;

  beforeAll(async () => {
    restore();
    limited = createCodeBuildEmulation({ accountConcurrentBuildLimit: 2, now: () => clock });
    queueing = await startAwsEmulator({ services: [limited] });
    restoreQueueing = pointClientsAt(queueing.url);
    limited.createProject({ name: "runner-queue", queuedTimeoutInMinutes: 5, concurrentBuildLimit: 4 });
  });

  afterAll(async () => {
    restoreQueueing();
    await queueing.close();
    restore = pointClientsAt(aws.url);
  });

  const startQueued = () => codeBuildClient().send(new StartBuildCommand({ projectName: "runner-queue" }));
  const phaseOf = async (id: string) => (await codeBuildClient().send(new BatchGetBuildsCommand({ ids: [id] }))).builds![0]!;

  it("queues a build over the quota in QUEUED, and runs it when a running build ends", async () => {
    const running: string[] = [];
    const off = limited.onBuildRunning((b) => running.push(b.id!));
    const a = await startQueued();
    const b = await startQueued();
    const c = await startQueued();
    expect([a, b, c].map((r) => r.build?.currentPhase)).toEqual(["PROVISIONING", "PROVISIONING", "QUEUED"]);
    expect(c.build?.buildStatus).toBe("IN_PROGRESS");
    expect(running).toEqual([a.build!.id, b.build!.id]);
    expect(() => limited.advance(c.build!.id!, "BUILD")).toThrow(/QUEUED/);

    limited.complete(a.build!.id!, "SUCCEEDED");
    off();
    expect(running).toEqual([a.build!.id, b.build!.id, c.build!.id]);
    const moved = await phaseOf(c.build!.id!);
    expect(moved.currentPhase).toBe("PROVISIONING");
    expect(moved.phases?.map((p) => [p.phaseType, p.phaseStatus])).toEqual([
      ["SUBMITTED", "SUCCEEDED"],
      ["QUEUED", "SUCCEEDED"],
      ["PROVISIONING", undefined],
    ]);
    for (const id of [b.build!.id!, c.build!.id!]) limited.complete(id, "SUCCEEDED");
  });

  it("counts queued builds against the project's concurrent-build limit, which refuses", async () => {
    const builds = [await startQueued(), await startQueued(), await startQueued(), await startQueued()];
    expect(builds.map((r) => r.build?.currentPhase)).toEqual(["PROVISIONING", "PROVISIONING", "QUEUED", "QUEUED"]);
    const error = await rejectionOf(startQueued());
    expect(error).toBeInstanceOf(AccountLimitExceededException);
    for (const r of builds) limited.complete(r.build!.id!, "SUCCEEDED");
    expect(limited.builds().filter((b) => b.buildStatus === "IN_PROGRESS")).toEqual([]);
  });

  it("times a build out after queuedTimeoutInMinutes in the queue", async () => {
    const finished: Build[] = [];
    const off = limited.onBuildFinished((b) => finished.push(b));
    const running = [await startQueued(), await startQueued()];
    const waiting = await startQueued();
    clock = new Date(clock.getTime() + 5 * 60_000);
    const timedOut = await phaseOf(waiting.build!.id!);
    off();
    expect(timedOut).toMatchObject({ buildStatus: "TIMED_OUT", currentPhase: "COMPLETED", buildComplete: true });
    expect(timedOut.phases?.find((p) => p.phaseType === "QUEUED")).toMatchObject({ phaseStatus: "TIMED_OUT", contexts: [{ statusCode: "BUILD_TIMED_OUT" }] });
    expect(timedOut.phases?.some((p) => p.phaseType === "PROVISIONING")).toBe(false);
    expect(finished.map((b) => b.id)).toEqual([waiting.build!.id]);
    for (const r of running) limited.complete(r.build!.id!, "SUCCEEDED");
  });
});
