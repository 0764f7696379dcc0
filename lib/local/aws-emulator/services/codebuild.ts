/**
 * CodeBuild over AWS JSON 1.1 (`CodeBuild_20161006.<Operation>`): projects, builds started with
 * idempotency tokens and environment overrides, stop, and a state API so tests and the local stack
 * play the runner: `complete()` finishes a build with the phases CodeBuild would report,
 * `onBuildStarted` / `onBuildRunning` / `onBuildFinished` observe builds.
 *
 * Capacity works as CodeBuild's does: a project's `concurrentBuildLimit` makes StartBuild refuse
 * (AccountLimitExceededException) once that many of its builds are active, queued ones included;
 * the account's concurrent-build quota does not refuse but queues: a build over it stays in phase
 * QUEUED until a running build ends, and times out (TIMED_OUT) after `queuedTimeoutInMinutes`.
 *
 * CreateProject and StartBuild refuse a build environment CodeBuild refuses, such as an aarch64
 * image in LINUX_CONTAINER (codebuild/environment.ts); a build reports the environment it got.
 */
import { randomUUID } from "node:crypto";
import type { Build, BuildPhaseType, EnvironmentVariable, Project, ProjectEnvironment } from "@aws-sdk/client-codebuild";
import { logger } from "../../../observability/logger.ts";
import { AwsServiceError, type AwsRequest, type ServiceEmulation } from "../types.ts";
import { advanceTo, enterPhase, finishPhases, type FinalStatus } from "./codebuild/phases.ts";
import { BuildQueue } from "./codebuild/queue.ts";
import { environmentProblem, withOverrides } from "./codebuild/environment.ts";

export { buildStateChangeEvent, codeBuildEventTime } from "./codebuild/events.ts";
export type { FinalStatus } from "./codebuild/phases.ts";

/** StartBuild's idempotencyToken is honoured for 5 minutes, as documented. */
export const IDEMPOTENCY_WINDOW_MS = 5 * 60 * 1000;

export type BuildListener = (build: Build) => void;

export interface CodeBuildEmulationOptions {
  accountId?: string;
  region?: string;
  /** Clock, so tests can age builds (default: the real time). */
  now?: () => Date;
  /**
   * The account's concurrent running-build quota: builds beyond it wait in QUEUED (default 500,
   * generous enough that only a test that asks for queueing sees it).
   */
  accountConcurrentBuildLimit?: number;
}

/** The default account quota of running builds (see CodeBuildEmulationOptions). */
export const DEFAULT_ACCOUNT_BUILD_LIMIT = 500;

export interface CodeBuildEmulation extends ServiceEmulation {
  /** Create a project without the API (the local stack's boot). */
  createProject(project: Project): Project;
  projects(): Project[];
  /** Every build, oldest first (live records: read, do not mutate). */
  builds(): Build[];
  build(id: string): Build | undefined;
  /** Move a running build's current phase forward (e.g. to "BUILD" once the runner is up). */
  advance(buildId: string, phase: BuildPhaseType): Build;
  /** Finish a running build as CodeBuild would; `failedPhase` picks the phase that failed. */
  complete(buildId: string, status: Exclude<FinalStatus, "STOPPED">, options?: { failedPhase?: BuildPhaseType; context?: { statusCode: string; message: string } }): Build;
  /** StartBuild accepted a build (running at once, or queued). */
  onBuildStarted(listener: BuildListener): () => void;
  /** A build got a build host (left QUEUED for PROVISIONING): where a runner host begins. */
  onBuildRunning(listener: BuildListener): () => void;
  onBuildFinished(listener: BuildListener): () => void;
}

const notFound = (what: string) => new AwsServiceError("ResourceNotFoundException", `${what} does not exist`);
const invalid = (message: string) => new AwsServiceError("InvalidInputException", message);

/**
 * @example
 * const codebuild = createCodeBuildEmulation();
 * codebuild.createProject({ name: "runner-dev", concurrentBuildLimit: 10 });
 * codebuild.onBuildStarted((b) => setTimeout(() => codebuild.complete(b.id!, "SUCCEEDED"), 50));
 */
export function createCodeBuildEmulation(options: CodeBuildEmulationOptions = {}): CodeBuildEmulation {
  const accountId = options.accountId ?? "000000000000";
  const defaultRegion = options.region ?? process.env.AWS_REGION ?? "us-east-1";
  const now = options.now ?? (() => new Date());
  const projects = new Map<string, Project>();
  const builds = new Map<string, Build>();
  const buildNumbers = new Map<string, number>();
  const tokens = new Map<string, { request: string; buildId: string; at: number }>();
  const started = new Set<BuildListener>();
  const running = new Set<BuildListener>();
  const finished = new Set<BuildListener>();
  const accountLimit = options.accountConcurrentBuildLimit ?? DEFAULT_ACCOUNT_BUILD_LIMIT;
  // CodeBuild ends a build that waited its queued timeout out: TIMED_OUT, never having run.
  const queue = new BuildQueue((build) =>
    end(build, "TIMED_OUT", "QUEUED", { statusCode: "BUILD_TIMED_OUT", message: `Build was queued for more than ${build.queuedTimeoutInMinutes ?? 480} minutes.` }),
  );

  const notify = (listeners: Set<BuildListener>, build: Build) => {
    for (const listener of listeners) {
      try {
        listener(build);
      } catch (error) {
        logger.warn("codebuild emulator listener threw", { buildId: build.id, error: (error as Error).message });
      }
    }
  };
  const mustGetBuild = (id: string) => {
    const build = builds.get(id) ?? [...builds.values()].find((b) => b.arn === id);
    if (!build) throw notFound(`Build ${id}`);
    return build;
  };

  function createProject(input: Project, region = defaultRegion): Project {
    if (!input.name) throw invalid("Project name is required");
    if (projects.has(input.name)) {
      throw new AwsServiceError("ResourceAlreadyExistsException", `Project already exists: arn:aws:codebuild:${region}:${accountId}:project/${input.name}`);
    }
    const created = now();
    const project: Project = {
      timeoutInMinutes: 60,
      queuedTimeoutInMinutes: 480,
      source: { type: "NO_SOURCE" },
      artifacts: { type: "NO_ARTIFACTS" },
      cache: { type: "NO_CACHE" },
      environment: { type: "LINUX_CONTAINER", image: "aws/codebuild/amazonlinux-x86_64-standard:5.0", computeType: "BUILD_GENERAL1_SMALL" },
      ...input,
      arn: `arn:aws:codebuild:${region}:${accountId}:project/${input.name}`,
      created,
      lastModified: created,
    };
    const problem = project.environment?.fleet ? undefined : environmentProblem(project.environment ?? {});
    if (problem) throw invalid(problem);
    projects.set(input.name, project);
    return project;
  }

  /** The build, and whether it is new (false: an idempotent replay of an earlier StartBuild). */
  function startBuild(input: Record<string, unknown>, request: AwsRequest): { build: Build; created: boolean } {
    const projectName = input.projectName as string | undefined;
    if (!projectName) throw invalid("1 validation error detected: Value null at 'projectName' failed to satisfy constraint: Member must not be null");
    const project = projects.get(projectName);
    if (!project) throw notFound(`Project cannot be found: arn:aws:codebuild:${request.region}:${accountId}:project/${projectName}`);

    const token = input.idempotencyToken as string | undefined;
    const fingerprint = JSON.stringify(input);
    if (token) {
      const seen = tokens.get(token);
      if (seen && now().getTime() - seen.at < IDEMPOTENCY_WINDOW_MS) {
        if (seen.request !== fingerprint) throw invalid(`Idempotency token ${token} was used with different parameters`);
        return { build: builds.get(seen.buildId)!, created: false };
      }
    }
    const env: ProjectEnvironment = project.environment ?? { type: "LINUX_CONTAINER", image: "aws/codebuild/amazonlinux-x86_64-standard:5.0", computeType: "BUILD_GENERAL1_SMALL" };
    const variables = mergeVariables(env.environmentVariables ?? [], (input.environmentVariablesOverride as EnvironmentVariable[] | undefined) ?? []);
    const environment = withOverrides(env, input, variables);
    const problem = env.fleet || input.fleetOverride ? undefined : environmentProblem(environment);
    if (problem) throw invalid(problem);
    const active = [...builds.values()].filter((b) => b.buildStatus === "IN_PROGRESS" && b.projectName === projectName);
    const limit = project.concurrentBuildLimit;
    if (limit !== undefined && limit > 0 && active.length >= limit) {
      throw new AwsServiceError("AccountLimitExceededException", `Cannot have more than ${limit} active builds for the project`);
    }

    const uuid = randomUUID();
    const id = `${projectName}:${uuid}`;
    const region = project.arn?.split(":")[3] ?? request.region;
    const buildNumber = (buildNumbers.get(projectName) ?? 0) + 1;
    buildNumbers.set(projectName, buildNumber);
    const groupName = `/aws/codebuild/${projectName}`;
    const startTime = now();
    const build: Build = {
      id,
      arn: `arn:aws:codebuild:${region}:${accountId}:build/${id}`,
      buildNumber,
      startTime,
      buildStatus: "IN_PROGRESS",
      projectName,
      source: { type: "NO_SOURCE", ...project.source, ...(input.buildspecOverride ? { buildspec: input.buildspecOverride as string } : {}) },
      ...(input.sourceVersion ? { sourceVersion: input.sourceVersion as string } : {}),
      artifacts: { location: "" },
      cache: project.cache ?? { type: "NO_CACHE" },
      environment,
      ...(project.vpcConfig ? { vpcConfig: project.vpcConfig } : {}),
      serviceRole: (input.serviceRoleOverride as string | undefined) ?? project.serviceRole,
      logs: {
        groupName,
        streamName: uuid,
        deepLink: `https://console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${encodeURIComponent(groupName)}/log-events/${uuid}`,
        cloudWatchLogsArn: `arn:aws:logs:${region}:${accountId}:log-group:${groupName}:log-stream:${uuid}`,
        cloudWatchLogs: { status: "ENABLED" },
      },
      timeoutInMinutes: (input.timeoutInMinutesOverride as number | undefined) ?? project.timeoutInMinutes ?? 60,
      queuedTimeoutInMinutes: (input.queuedTimeoutInMinutesOverride as number | undefined) ?? project.queuedTimeoutInMinutes ?? 480,
      buildComplete: false,
      initiator: request.headers.authorization ? "runway" : "local",
      phases: [],
    };
    enterPhase(build, "SUBMITTED", startTime);
    enterPhase(build, "QUEUED", startTime);
    builds.set(id, build);
    if (token) tokens.set(token, { request: fingerprint, buildId: id, at: startTime.getTime() });
    return { build, created: true };
  }

  const emulation: CodeBuildEmulation = {
    signingName: "codebuild",
    protocol: "json",
    targetPrefix: "CodeBuild_20161006",
    operations: {
      CreateProject: (input: Project, request) => ({ project: createProject(input, request.region) }),
      BatchGetProjects: (input: { names?: string[] }) => {
        const names = (input.names ?? []).map((n) => n.split(":project/").pop() ?? n);
        return {
          projects: names.flatMap((n) => projects.get(n) ?? []),
          projectsNotFound: names.filter((n) => !projects.has(n)),
        };
      },
      ListProjects: () => ({ projects: [...projects.keys()] }),
      StartBuild: (input: Record<string, unknown>, request) => {
        queue.expire(now());
        const { build, created } = startBuild(input, request);
        if (!created) return { build: structuredClone(build) };
        const host = runningCount(build.id) < accountLimit;
        if (host) advanceTo(build, "PROVISIONING", build.startTime!);
        else queue.add(build);
        // Answer with the state at start even if a listener finishes the build straight away.
        const snapshot = structuredClone(build);
        notify(started, build);
        if (host) notify(running, build);
        return { build: snapshot };
      },
      BatchGetBuilds: (input: { ids?: string[] }) => {
        queue.expire(now());
        const ids = input.ids ?? [];
        if (ids.length === 0 || ids.length > 100) throw invalid("ids must contain between 1 and 100 build ids");
        const found = ids.map((id) => builds.get(id) ?? [...builds.values()].find((b) => b.arn === id));
        return { builds: found.filter((b) => b !== undefined), buildsNotFound: ids.filter((_, i) => !found[i]) };
      },
      StopBuild: (input: { id?: string }) => {
        const build = mustGetBuild(input.id ?? "");
        if (build.buildStatus === "IN_PROGRESS") end(build, "STOPPED");
        return { build };
      },
      ListBuildsForProject: (input: { projectName?: string; sortOrder?: string; nextToken?: string }) => {
        if (!projects.has(input.projectName ?? "")) throw notFound(`Project ${input.projectName}`);
        const ids = [...builds.values()].filter((b) => b.projectName === input.projectName).map((b) => b.id!);
        return page(input.sortOrder === "ASCENDING" ? ids : ids.reverse(), input.nextToken);
      },
      ListBuilds: (input: { sortOrder?: string; nextToken?: string }) => {
        const ids = [...builds.keys()];
        return page(input.sortOrder === "ASCENDING" ? ids : ids.reverse(), input.nextToken);
      },
    },
    createProject: (project) => createProject(project),
    projects: () => [...projects.values()],
    builds: () => [...builds.values()],
    build: (id) => builds.get(id),
    advance(buildId, phase) {
      const build = mustGetBuild(buildId);
      if (build.buildStatus !== "IN_PROGRESS") throw new Error(`Build ${buildId} is already ${build.buildStatus}`);
      if (queue.has(build.id!)) throw new Error(`Build ${buildId} is QUEUED: it has no build host yet (wait for onBuildRunning)`);
      advanceTo(build, phase, now());
      return build;
    },
    complete(buildId, status, completeOptions = {}) {
      const build = mustGetBuild(buildId);
      if (build.buildStatus !== "IN_PROGRESS") throw new Error(`Build ${buildId} is already ${build.buildStatus}`);
      end(build, status, completeOptions.failedPhase, completeOptions.context);
      return build;
    },
    onBuildStarted(listener) {
      started.add(listener);
      return () => started.delete(listener);
    },
    onBuildRunning(listener) {
      running.add(listener);
      return () => running.delete(listener);
    },
    onBuildFinished(listener) {
      finished.add(listener);
      return () => finished.delete(listener);
    },
    close: () => queue.clear(),
  };

  /** Builds holding a build host: in progress and past the queue (`except`: one just submitted). */
  function runningCount(except?: string): number {
    let count = 0;
    for (const b of builds.values()) if (b.buildStatus === "IN_PROGRESS" && !queue.has(b.id!) && b.id !== except) count += 1;
    return count;
  }

  function end(build: Build, status: FinalStatus, failedPhase?: BuildPhaseType, context?: { statusCode: string; message: string }): void {
    queue.remove(build.id!);
    finishPhases(build, status, now(), failedPhase, context);
    notify(finished, build);
    // A build host came free: the oldest queued build gets it.
    while (queue.size > 0 && runningCount() < accountLimit) {
      const queued = queue.shift()!;
      advanceTo(queued, "PROVISIONING", now());
      notify(running, queued);
    }
  }
  return emulation;
}

/** Project variables overridden by name, keeping each override's type (PLAINTEXT, PARAMETER_STORE …). */
function mergeVariables(base: EnvironmentVariable[], overrides: EnvironmentVariable[]): EnvironmentVariable[] {
  const merged = new Map(base.map((v) => [v.name, v]));
  for (const v of overrides) merged.set(v.name, { name: v.name, value: v.value, type: v.type ?? "PLAINTEXT" });
  return [...merged.values()];
}

/** As CodeBuild pages build ids: at most 100 per answer, and an opaque `nextToken` for the rest. */
function page(ids: string[], nextToken: string | undefined): { ids: string[]; nextToken?: string } {
  const start = nextToken === undefined ? 0 : Number(Buffer.from(nextToken, "base64url").toString("utf8"));
  if (!Number.isInteger(start) || start < 0) throw invalid("nextToken is not one this service issued");
  const end = start + 100;
  return { ids: ids.slice(start, end), ...(end < ids.length ? { nextToken: Buffer.from(String(end)).toString("base64url") } : {}) };
}
