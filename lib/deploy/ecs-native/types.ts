/**
 * Shapes of ECS-native lifecycle hooks: the event ECS invokes the hook with (once parsed), the
 * answer it expects, and the analysis state that travels between invocations in `hookDetails`.
 */
import type { EcsHookStage } from "./stages.ts";

/** What ECS says it is asking: one hook execution of one stage of one service deployment. */
export interface EcsHookEvent {
  /** The hook execution (ECS's `executionId`). */
  executionId: string;
  stage: EcsHookStage;
  /** `resourceArn`: arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id> */
  serviceDeploymentArn: string;
  /** The last part of the service deployment ARN: the id the deployment's Slack thread is keyed by. */
  serviceDeploymentId: string;
  serviceArn: string;
  cluster: string;
  service: string;
  region: string;
  /** The green service revision, also while a rollback moves traffic away from it. */
  targetRevisionArn: string;
  /** Revision ARN → percentage of test / production traffic (empty at stages that shift none). */
  testTrafficWeights: Record<string, number>;
  productionTrafficWeights: Record<string, number>;
  /**
   * As ECS passed it, unread: the service's own hookDetails merged with what the last IN_PROGRESS
   * returned (lib/deploy/ecs-native/state.ts reads Runway's part).
   */
  hookDetails: unknown;
}

export type EcsHookStatus = "SUCCEEDED" | "FAILED" | "IN_PROGRESS";

/** The answer ECS reads; anything else (or an error) rolls the deployment back. */
export interface EcsHookResponse {
  hookStatus: EcsHookStatus;
  /** Seconds until ECS invokes again (IN_PROGRESS only; ECS's default is 30). */
  callBackDelay?: number;
  /** Passed back on the next invocation (IN_PROGRESS only). */
  hookDetails?: Record<string, unknown>;
}

/** What is kept of one measurement between invocations: enough for the evidence, nothing more. */
export interface MeasurementNote {
  ok: boolean;
  summary: string;
  /** ISO 8601 start of the measurement. */
  at: string;
  ms: number;
}

/** One check's progress through its `count` measurements. */
export interface CheckProgress {
  name: string;
  status: "running" | "passed" | "failed" | "inconclusive";
  taken: number;
  failures: number;
  /** Inconclusive measurements (metric checks only). */
  inconclusive: number;
  /** Epoch milliseconds when the next measurement is due. */
  nextAt: number;
  reason?: string;
  /** The latest measurements, oldest first (at most three). */
  last: MeasurementNote[];
}

/**
 * The analysis of one stage, carried in `hookDetails` from one invocation to the next. Bound to
 * the service deployment, stage, target revision and traffic step it was made for, and to the
 * configuration of its checks (`config`, a fingerprint), so that it can never be taken for
 * another stage's, another step's or another configuration's.
 */
export interface AnalysisState {
  v: 1;
  deployment: string;
  stage: EcsHookStage;
  revision: string;
  /** The green revision's production weight at a per-step stage (linear, canary); null elsewhere. */
  step: number | null;
  config: string;
  /** Epoch milliseconds the analysis began (ECS's own start of the hook, when its record says). */
  startedAt: number;
  invocations: number;
  /** How many times the analysis started over (its state lost, or its configuration changed). */
  restarts: number;
  checks: CheckProgress[];
}
