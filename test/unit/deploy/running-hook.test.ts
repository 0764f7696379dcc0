import { describe, expect, it } from "vitest";
import { DeployConfigError, HookMismatchError } from "../../../lib/deploy/errors.ts";
import { decideHook } from "../../../lib/deploy/running-hook.ts";

const events = (statuses: Record<string, string>) => Object.entries(statuses).map(([name, status]) => ({ name, status }));

describe("which hook an invocation is for", () => {
  it("runs the function's own hook while CodeDeploy waits for it", () => {
    expect(decideHook("AfterAllowTestTraffic", events({ AfterInstall: "Succeeded", AfterAllowTestTraffic: "InProgress" }))).toEqual({
      run: true,
      hook: "AfterAllowTestTraffic",
    });
  });

  it("skips a hook that is already settled (a second invocation)", () => {
    expect(decideHook("AfterAllowTestTraffic", events({ AfterAllowTestTraffic: "Succeeded" }))).toEqual({
      run: false,
      hook: "AfterAllowTestTraffic",
      reason: "lifecycle event AfterAllowTestTraffic is already Succeeded",
    });
  });

  it("refuses to validate one hook while CodeDeploy runs another", () => {
    expect(() => decideHook("AfterAllowTestTraffic", events({ AfterInstall: "InProgress", AfterAllowTestTraffic: "Pending" }))).toThrow(HookMismatchError);
  });

  it("falls back to the lifecycle event in progress when RUNWAY_HOOK is unset", () => {
    expect(decideHook(undefined, events({ BeforeAllowTraffic: "InProgress", AllowTraffic: "Pending" }))).toEqual({ run: true, hook: "BeforeAllowTraffic" });
    expect(() => decideHook(undefined, events({ BeforeAllowTraffic: "Succeeded" }))).toThrow(/set RUNWAY_HOOK/);
  });

  it("rejects a RUNWAY_HOOK that is not a hook", () => {
    expect(() => decideHook("AllowTraffic", [])).toThrow(DeployConfigError);
  });
});
