import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HookStateError } from "../../../lib/deploy/ecs-native/errors.ts";
import { MAX_STATE_CHARS, readState, stateDetails, STATE_KEY } from "../../../lib/deploy/ecs-native/state.ts";
import type { AnalysisState } from "../../../lib/deploy/ecs-native/types.ts";
import { DEPLOYMENT_ARN, GREEN } from "./ecs-native-support.ts";

const NOW = Date.parse("2026-12-01T10:00:00Z");
const binding = { deployment: DEPLOYMENT_ARN, stage: "POST_TEST_TRAFFIC_SHIFT", revision: GREEN, step: null };

function state(over: Partial<AnalysisState> = {}): AnalysisState {
  return {
    v: 1,
    deployment: DEPLOYMENT_ARN,
    stage: "POST_TEST_TRAFFIC_SHIFT",
    revision: GREEN,
    step: null,
    config: "abcdefabcdefabcd",
    startedAt: NOW - 60_000,
    invocations: 2,
    restarts: 0,
    checks: [
      { name: "health", status: "running", taken: 2, failures: 1, inconclusive: 0, nextAt: NOW + 10_000, last: [{ ok: false, summary: "GET … → 503", at: new Date(NOW).toISOString(), ms: 12 }] },
    ],
    ...over,
  };
}

/** The encoded value with its middle part replaced by `json`, digest recomputed or not. */
function reencode(value: string, edit: (decoded: any) => unknown): string {
  const [version, payload, sum] = value.split(".");
  const decoded = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8"));
  return `${version}.${Buffer.from(JSON.stringify(edit(decoded))).toString("base64url")}.${sum}`;
}

describe("analysis state in hookDetails", () => {
  it("round-trips as one string under hookDetails.runway, beside the service's own keys", () => {
    const details = stateDetails(state());
    expect(Object.keys(details)).toEqual([STATE_KEY]);
    expect(details[STATE_KEY]).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    const reading = readState({ S3_BUCKET_NAME: "b", ...details }, binding, NOW);
    expect(reading).toEqual({ kind: "found", state: state() });
  });

  it("finds none when hookDetails is absent or has only the service's keys", () => {
    expect(readState(undefined, binding, NOW)).toEqual({ kind: "none" });
    expect(readState({ team: "shop" }, binding, NOW)).toEqual({ kind: "none" });
  });

  it("refuses a state that was altered, cut, invented or is unreadable, saying why", () => {
    const value = stateDetails(state())[STATE_KEY]!;
    const refused = (details: unknown) => () => readState(details, binding, NOW);
    expect(refused({ [STATE_KEY]: reencode(value, (s) => ({ ...s, checks: [{ ...s.checks[0], status: "passed" }] })) })).toThrow(/does not match its digest: it was cut or altered/);
    expect(refused({ [STATE_KEY]: value.slice(0, -5) })).toThrow(HookStateError);
    expect(refused({ [STATE_KEY]: { invocations: 1 } })).toThrow(/is object, not the string Runway writes: do not set runway in the service's own hookDetails/);
    expect(refused({ [STATE_KEY]: "passed" })).toThrow(/not in Runway's v1.<state>.<digest> form/);
    expect(refused("runway")).toThrow(/hookDetails is string, not the dictionary ECS passes/);
    expect(refused({ [STATE_KEY]: "x".repeat(MAX_STATE_CHARS + 1) })).toThrow(/more than Runway ever writes/);
  });

  it("checks every member, so a state with a valid digest but impossible values is refused", () => {
    const forge = (s: unknown) => {
      // Anyone can compute the digest: what it cannot fake is a state that makes sense.
      const payload = Buffer.from(JSON.stringify(s)).toString("base64url");
      return { [STATE_KEY]: `v1.${payload}.${createHash("sha256").update(`v1.${payload}`).digest("base64url").slice(0, 22)}` };
    };
    expect(readState(forge(state()), binding, NOW).kind).toBe("found");
    expect(() => readState(forge({ ...state(), startedAt: NOW + 3_600_000 }), binding, NOW)).toThrow(/startedAt is not a time before now/);
    expect(() => readState(forge({ ...state(), checks: [{ ...state().checks[0], failures: 5 }] }), binding, NOW)).toThrow(/checks.0.failures and inconclusive are not counts/);
    expect(() => readState(forge({ ...state(), stage: "BAKE_TIME" }), binding, NOW)).toThrow(/stage is not an ECS lifecycle stage/);
  });

  it("refuses another deployment's or stage's state; a previous traffic step's starts this step afresh", () => {
    const other = stateDetails(state({ stage: "POST_SCALE_UP" }));
    expect(() => readState(other, binding, NOW)).toThrow(/the analysis of stage POST_SCALE_UP, not POST_TEST_TRAFFIC_SHIFT/);
    const step = stateDetails(state({ stage: "PRODUCTION_TRAFFIC_SHIFT", step: 10 }));
    expect(readState(step, { ...binding, stage: "PRODUCTION_TRAFFIC_SHIFT", step: 20 }, NOW)).toEqual({ kind: "other-step", step: 10 });
  });

  it("stays within MAX_STATE_CHARS, dropping older measurement notes first", () => {
    const long = "x".repeat(300);
    const checks = Array.from({ length: 10 }, (_, i) => ({
      name: `check-${i}-${"n".repeat(50)}`,
      status: "running" as const,
      taken: 3,
      failures: 0,
      inconclusive: 0,
      nextAt: NOW,
      reason: long,
      last: [0, 1, 2].map(() => ({ ok: true, summary: long, at: new Date(NOW).toISOString(), ms: 5 })),
    }));
    const details = stateDetails(state({ checks }));
    expect(details[STATE_KEY]!.length).toBeLessThanOrEqual(MAX_STATE_CHARS);
    const back = readState(details, binding, NOW);
    expect(back.kind === "found" && back.state.checks.map((c) => c.taken)).toEqual(checks.map(() => 3));
  });
});
