/**
 * What a protection rule's conditions found, and the decision GitHub, the log and Slack are told.
 */

/** One condition of a rule, evaluated. */
export interface ConditionResult {
  /** `validatedIn staging`, `alarms`, `window`. */
  name: string;
  /** `error`: it could not be evaluated (GitHub or CloudWatch did not answer); never an approval. */
  status: "pass" | "fail" | "error";
  /** One line a person can act on: what was found, and for a failure what would make it pass. */
  summary: string;
}

export type ProtectionState = "approved" | "rejected";

/** The answer for one waiting rule. */
export interface ProtectionDecision {
  state: ProtectionState;
  /** The comment GitHub shows on the run's page beside the decision. */
  comment: string;
  conditions: ConditionResult[];
}
