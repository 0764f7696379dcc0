/**
 * Notification events: what the webhook, the launcher, the collectors and the hook validators tell
 * the Slack notifier, through a queue. Each event is self-sufficient (it carries the run or the
 * deployment it belongs to), because events arrive in any order and the first one to arrive opens
 * the thread. The consumer validates what it reads with these schemas; producers get the types.
 *
 * zod/mini rather than zod: the same validation in a twentieth of the bundle, which the notifier's
 * cold start (and any function that validates events) would otherwise pay for.
 */
import * as z from "zod/mini";
import type { NotificationType } from "../config/notify-defaults.ts";
import { InvalidNotificationError } from "./errors.ts";
import { threadKeyOf } from "./event-keys.ts";

const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });
const text = z.string().check(z.minLength(1, "must not be empty"));
const count = z.int().check(z.positive("expected a positive integer"));
const optional = <T extends z.core.SomeType>(schema: T) => z.optional(schema);

/** GitHub's conclusions for a job or a run (`workflow_job.conclusion`, `workflow_run.conclusion`). */
export const conclusionSchema = z.enum(
  ["success", "failure", "cancelled", "skipped", "timed_out", "action_required", "neutral", "stale", "startup_failure"],
  "expected a GitHub conclusion (success, failure, cancelled …)",
);

/** `owner/name`. */
const repository = z.string().check(z.regex(/^[\w.-]+\/[\w.-]+$/, "expected owner/name"));

/** The workflow run a run event belongs to: enough to title the thread whoever arrives first. */
export const runSchema = z.object({
  repository,
  runId: count,
  runAttempt: z._default(count, 1),
  /** The workflow's `name:`; missing on some deliveries. */
  workflowName: z.nullish(z.string()),
  /** The run's page on GitHub. */
  url: httpUrl,
  environment: optional(z.string()),
  headBranch: z.nullish(z.string()),
  sha: optional(z.string()),
  actor: optional(z.string()),
});

export const jobSchema = z.object({
  id: count,
  /** Unique inside a run (matrix jobs carry their values: `test (20, ubuntu)`), so re-runs line up by name. */
  name: text,
  url: optional(httpUrl),
});

/** The CodeBuild build hosting a job's runner. Console links are derived when not given. */
export const buildSchema = z.object({
  /** `project:uuid`, as StartBuild returns it. */
  id: z.string().check(z.regex(/^[^:\s]+:[^\s]+$/, "expected a CodeBuild build id like project:uuid")),
  project: text,
  region: text,
  consoleUrl: optional(httpUrl),
  /** CloudWatch Logs deep link (BatchGetBuilds `logs.deepLink`). */
  logsUrl: optional(httpUrl),
});

/**
 * A job GitHub handed to a runner Runway had launched for another one: GitHub gives a queued job
 * to any idle runner whose labels cover it, so this is how a run's or an environment's runner ends
 * up running somebody else's job.
 */
export const foreignJobSchema = z.object({
  id: count,
  name: text,
  url: optional(httpUrl),
  repository,
  runId: count,
  runAttempt: z._default(count, 1),
  workflowName: z.nullish(z.string()),
  /** Where routing put that job; null when Runway ignored it. */
  environment: z.nullish(z.string()),
  /** Why it is foreign: "job 77 is run 9001's, the runner was launched for run 9000". */
  reason: text,
});

/** A file the failure collector stored, as a link that works without an AWS login (presigned). */
export const artifactSchema = z.object({
  name: text,
  url: httpUrl,
  sizeBytes: optional(z.int().check(z.nonnegative())),
});

/** A deployment as far as its producer got to know it (a hook may not have described it yet). */
export const deploymentSchema = z.object({
  /** CodeDeploy's `d-XXXXXXXXX`, or an ECS deployment's id. */
  id: z.string().check(z.regex(/^\S{1,200}$/, "expected a deployment id like d-ABCDEF123")),
  application: optional(text),
  deploymentGroup: optional(text),
  platform: optional(z.enum(["ECS", "Lambda", "Server"])),
  region: optional(text),
  environment: optional(z.string()),
  consoleUrl: optional(httpUrl),
  /** The workflow run that started the deployment, when known. */
  runUrl: optional(httpUrl),
});

/** CodeDeploy's lifecycle hooks in the order they run (ECS blue/green; Lambda has the last two). */
export const HOOKS = ["BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"] as const;

/** Why a runner build ended as it did, so nobody has to open the logs to find out. */
export const buildCauseSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("none") }),
  z.object({ kind: z.literal("job-failed"), step: optional(z.string()) }),
  z.object({ kind: z.literal("runner-never-got-a-job") }),
  z.object({ kind: z.literal("build-broke"), phase: text, message: optional(z.string()) }),
]);

const threadKey = z.string().check(z.regex(/^(run:[\w.-]+\/[\w.-]+\/\d+|deployment:\S{1,200})$/, "expected run:<owner>/<repo>/<runId> or deployment:<id>"));

const common = {
  /** Unique per fact, stable across redeliveries: the consumer drops an id it has already posted. */
  id: z.string().check(z.minLength(1), z.maxLength(512)),
  /** When it happened (ISO 8601), from the producer's clock. */
  at: z.iso.datetime({ offset: true, error: "expected an ISO 8601 date-time" }),
  thread: threadKey,
  /** Slack channel (name or ID); the notify default channel when absent. */
  channel: optional(text),
};

const runEvent = { ...common, run: runSchema };
const deployEvent = { ...common, deployment: deploymentSchema };
const artifacts = z._default(z.array(artifactSchema), []);

export const notificationSchema = z.discriminatedUnion("type", [
  z.object({ ...runEvent, type: z.literal("run.queued") }),
  z.object({ ...runEvent, type: z.literal("run.completed"), conclusion: conclusionSchema }),
  z.object({ ...runEvent, type: z.literal("job.queued"), job: jobSchema, labels: z._default(z.array(z.string()), []) }),
  z.object({ ...runEvent, type: z.literal("job.launched"), job: jobSchema, build: buildSchema }),
  z.object({ ...runEvent, type: z.literal("job.started"), job: jobSchema, runnerName: text, build: optional(buildSchema) }),
  /**
   * An alert: a runner launched for this run (`run`, its environment's channel) was handed
   * `foreign`; Runway stopped its build, removed the runner and relaunched for `job` if still queued.
   */
  z.object({
    ...runEvent,
    type: z.literal("job.foreign"),
    /** The job the runner was launched for. */
    job: optional(jobSchema),
    runnerName: text,
    /** The runner's build, now stopped. */
    build: optional(buildSchema),
    foreign: foreignJobSchema,
    /** What Runway did about it, one line each ("stopped build …", "relaunched job 123"). */
    actions: z._default(z.array(text), []),
  }),
  /** A launch Runway refused or parked: an override the environment does not allow, the App not installed, attempts exhausted. */
  z.object({
    ...runEvent,
    type: z.literal("job.refused"),
    job: jobSchema,
    reason: text,
    /** The command that replays it ("npx runway replay --job 123"). */
    replay: optional(text),
  }),
  z.object({
    ...runEvent,
    type: z.literal("job.completed"),
    job: jobSchema,
    conclusion: conclusionSchema,
    failedSteps: z._default(z.array(z.string()), []),
    logExcerpt: optional(z.string()),
    artifacts,
    build: optional(buildSchema),
  }),
  z.object({
    ...runEvent,
    type: z.literal("build.finished"),
    /** Absent when the runner never got a job. */
    job: optional(jobSchema),
    build: buildSchema,
    status: z.enum(["SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED"]),
    cause: buildCauseSchema,
    logExcerpt: optional(z.string()),
    artifacts,
  }),
  /**
   * Runway's answer to a GitHub deployment protection rule that held this run (runway.yml
   * `protection:`), in the run's thread. `delivered: false`: GitHub did not take it, and the request
   * is parked to be replayed; the job still waits.
   */
  z.object({
    ...runEvent,
    type: z.literal("deploy.protection"),
    /** The GitHub environment the run waits to deploy to. */
    environment: text,
    state: z.enum(["approved", "rejected"]),
    delivered: z._default(z.boolean(), true),
    /** One line per condition, marked: "✓ abc1234 succeeded in staging 2 h ago". */
    evidence: z._default(z.array(z.string()), []),
    /** Why the answer did not reach GitHub, and how to send it again. */
    note: optional(z.string()),
    /** GitHub's deployment record of the waiting job: one answer per job and attempt. */
    deploymentId: optional(count),
  }),
  z.object({ ...deployEvent, type: z.literal("deploy.started") }),
  z.object({
    ...deployEvent,
    type: z.literal("deploy.verdict"),
    /** The lifecycle hook (one of HOOKS for CodeDeploy). */
    hook: z.string().check(z.minLength(1), z.maxLength(100)),
    verdict: z.enum(["Succeeded", "Failed"]),
    /** One line per observation that led to the verdict ("p99 latency 180 ms < 500 ms"). */
    evidence: z._default(z.array(z.string()), []),
  }),
  z.object({
    ...deployEvent,
    type: z.literal("deploy.finished"),
    outcome: z.enum(["succeeded", "failed", "rolled_back", "stopped"]),
    reason: optional(z.string()),
  }),
]);

export type NotificationEvent = z.infer<typeof notificationSchema>;
export type EventOf<T extends NotificationType> = Extract<NotificationEvent, { type: T }>;
export type RunInfo = z.infer<typeof runSchema>;
export type JobInfo = z.infer<typeof jobSchema>;
export type BuildInfo = z.infer<typeof buildSchema>;
export type ForeignJobInfo = z.infer<typeof foreignJobSchema>;
export type ArtifactLink = z.infer<typeof artifactSchema>;
export type DeploymentInfo = z.infer<typeof deploymentSchema>;
export type Conclusion = z.infer<typeof conclusionSchema>;

export type { NotificationInput, NotificationInputOf } from "./event-keys.ts";
export { defaultEventId, deploymentThreadKey, runThreadKey, threadKeyOf } from "./event-keys.ts";

/**
 * Parse and validate one event.
 *
 * @throws InvalidNotificationError listing every problem (paths and messages, never values), including a
 * thread key that does not match the run or deployment the event carries.
 */
export function parseNotification(value: unknown): NotificationEvent {
  const result = notificationSchema.safeParse(value);
  if (!result.success) {
    throw new InvalidNotificationError(result.error.issues.map((issue) => `${issue.path.map(String).join(".") || "(event)"}: ${issue.message}`));
  }
  const expected = threadKeyOf(result.data);
  if (result.data.thread !== expected) throw new InvalidNotificationError([`thread: is ${result.data.thread} but the event is about ${expected}`]);
  return result.data;
}
