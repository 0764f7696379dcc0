/**
 * Shapes shared by the hook validator: what Runway learns about a deployment, what a check
 * measures, and the verdict that goes to CodeDeploy, the log and Slack.
 */
import type { HookName } from "../config/deploy-schema.ts";

export type { HookName };

/** What CodeDeploy sends a hook function; nothing else (not even which hook is running). */
export interface HookEvent {
  DeploymentId: string;
  LifecycleEventHookExecutionId: string;
}

/** The two statuses PutLifecycleEventHookExecutionStatus accepts. */
export type HookStatus = "Succeeded" | "Failed";

export interface LifecycleEventState {
  name: string;
  /** Pending | InProgress | Succeeded | Failed | Skipped | Unknown */
  status: string;
}

/** One ECS task set of a blue/green deployment, as CodeDeploy describes it. */
export interface TaskSetRef {
  id: string;
  /** Blue is the original task set, Green the replacement (CodeDeploy's TargetLabel values). */
  label: "Blue" | "Green";
  targetGroupName: string | undefined;
  trafficWeight: number | undefined;
  desiredCount: number | undefined;
  runningCount: number | undefined;
  pendingCount: number | undefined;
  status: string | undefined;
}

export interface EcsDeploymentInfo {
  clusterName: string;
  serviceName: string;
  original: TaskSetRef | undefined;
  replacement: TaskSetRef | undefined;
  /** Listener ARNs of the test traffic route (the route to the replacement before the switch). */
  testListenerArns: string[];
  prodListenerArns: string[];
  targetGroupNames: string[];
  /** The task definition the appspec names, when the revision carries the appspec's content. */
  appSpecTaskDefinition: string | undefined;
}

export interface LambdaDeploymentInfo {
  functionName: string;
  functionAlias: string | undefined;
  currentVersion: string | undefined;
  targetVersion: string | undefined;
}

/** Everything Runway learns about a deployment from CodeDeploy before it runs a hook's checks. */
export interface DeploymentContext {
  deploymentId: string;
  applicationName: string;
  deploymentGroupName: string;
  computePlatform: string;
  /** Created, Queued, InProgress, Baking, Succeeded, Failed, Stopped, Ready */
  status: string | undefined;
  targetId: string | undefined;
  lifecycleEvents: LifecycleEventState[];
  ecs: EcsDeploymentInfo | undefined;
  lambda: LambdaDeploymentInfo | undefined;
}

/** What a check's measurement found: the evidence behind a verdict. */
export interface Measurement {
  ok: boolean;
  /**
   * Neither passed nor failed (a metric that meets neither condition, or has no data): counted
   * against the check's inconclusiveLimit, not its failureLimit. `ok` is false with it.
   */
  inconclusive?: boolean;
  /** One human-readable line: "GET http://…/health → 200 in 12 ms". */
  summary: string;
  /** The numbers measured (status codes, latencies, counts, alarm states). */
  data: Record<string, unknown>;
  startedAt: string;
  durationMs: number;
}

/** Takes one measurement. The signal aborts on the measurement's timeout or the hook's deadline. */
export type Measure = (signal: AbortSignal) => Promise<Omit<Measurement, "startedAt" | "durationMs">>;

export type CheckStatus = "pending" | "running" | "passed" | "failed" | "inconclusive" | "stopped";

/** A check's progress and outcome; filled in while it runs, so a deadline still leaves evidence. */
export interface CheckResult {
  name: string;
  type: string;
  status: CheckStatus;
  reason: string | undefined;
  count: number;
  failureLimit: number;
  failures: number;
  /** Inconclusive measurements so far, and how many the check tolerates. */
  inconclusive: number;
  inconclusiveLimit: number;
  /** What an inconclusive outcome means for the hook. */
  inconclusivePolicy: "fail" | "pass";
  /** Measured and reported, never deciding the hook. */
  dryRun: boolean;
  measurements: Measurement[];
}

/** The decision about one hook execution and the evidence behind it. */
export interface HookVerdict {
  status: HookStatus;
  reason: string;
  checks: CheckResult[];
}

/** The deployment a verdict is about, as far as Runway got to know it. */
export interface VerdictSubject {
  deploymentId: string;
  executionId: string;
  hook: string | undefined;
  applicationName: string | undefined;
  deploymentGroupName: string | undefined;
  /** ECS, Lambda (or Server), once CodeDeploy has described the deployment. */
  computePlatform: string | undefined;
}

/** What a check gets to know: the deployment, the hook, and the values of the placeholders. */
export interface CheckEnv {
  deployment: DeploymentContext;
  hook: HookName;
  /** Placeholder values ({deploymentId} …); undefined where this deployment has none. */
  values: Record<string, string | undefined>;
}
