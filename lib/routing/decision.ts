/** The shape of a routing decision: what `route()` returns and what the webhook answers with. */
import type { GroupTrace } from "./match.ts";

/** Where an environment's runners are registered (runway.yml `runners:`). */
export interface RunnerPlacement {
  scope: "repo" | "org";
  /** Runner group name or id (organisation scope); absent means GitHub's Default group. */
  group?: string | number | undefined;
}

/** Why one environment took or refused the job. */
export interface EnvironmentTrace {
  environment: string;
  /** Whether the deployed stage serves this environment at all. */
  served: boolean;
  /** Some filter group matched. */
  workflowMatched: boolean;
  /** Required labels the job's `runs-on` lacks. */
  missingLabels: string[];
  groups: GroupTrace[];
}

/** The job is this environment's: launch (or track) its runner there. */
export interface RoutedDecision {
  outcome: "routed";
  environment: string;
  codebuild: { project: string; region?: string | undefined; roleArn?: string | undefined; allowOverrides: string[] };
  /** The job's own labels: its JIT runner registers with them so that it takes this job. */
  labels: string[];
  /** Where its JIT runner registers: the repository, or a runner group of the organisation. */
  runners: RunnerPlacement;
  concurrency: number;
  reason: string;
  trace: EnvironmentTrace[];
}

/** No environment takes the job; `reason` says why in one sentence. */
export interface IgnoredDecision {
  outcome: "ignored";
  reason: string;
  trace: EnvironmentTrace[];
}

export type RouteDecision = RoutedDecision | IgnoredDecision;
