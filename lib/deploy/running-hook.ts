/**
 * Which lifecycle hook an invocation is for, and whether it still needs an answer. CodeDeploy's
 * event does not say; each deployed function knows its hook from RUNWAY_HOOK, and the deployment
 * target's lifecycle events say what CodeDeploy is waiting for. This is also what keeps the
 * validator stateless under a second invocation: a hook whose lifecycle event has already
 * finished needs no report.
 */
import { HOOK_NAMES, type HookName } from "../config/deploy-names.ts";
import { DeployConfigError, HookMismatchError } from "./errors.ts";
import type { LifecycleEventState } from "./types.ts";

const FINISHED = new Set(["Succeeded", "Failed", "Skipped"]);

export type HookDecision = { run: true; hook: HookName } | { run: false; hook: HookName; reason: string };

/**
 * Decides which hook to validate from the function's RUNWAY_HOOK (if set) and the lifecycle
 * events of the deployment target.
 *
 * @example
 * decideHook("AfterAllowTestTraffic", [{ name: "AfterAllowTestTraffic", status: "InProgress" }]);
 * // { run: true, hook: "AfterAllowTestTraffic" }
 */
export function decideHook(configured: string | undefined, events: LifecycleEventState[]): HookDecision {
  const inProgress = events.filter((event) => event.status === "InProgress" && isHookName(event.name)).map((event) => event.name as HookName);
  if (configured !== undefined && configured !== "") {
    if (!isHookName(configured)) {
      throw new DeployConfigError(`RUNWAY_HOOK is "${configured}", which is not a hook; use one of ${HOOK_NAMES.join(", ")}`);
    }
    const own = events.find((event) => event.name === configured);
    if (own && FINISHED.has(own.status)) {
      return { run: false, hook: configured, reason: `lifecycle event ${configured} is already ${own.status}` };
    }
    // Another hook running means the appspec sends this function the wrong lifecycle event:
    // checks meant for the test listener would look at the original task set, and pass wrongly.
    if (inProgress.length > 0 && !inProgress.includes(configured)) {
      throw new HookMismatchError(
        `this function validates ${configured} but CodeDeploy is running ${inProgress.join(", ")}: ` +
          `point the appspec's ${inProgress[0]} hook at the ${inProgress[0]} function`,
      );
    }
    return { run: true, hook: configured };
  }
  const [only, ...others] = inProgress;
  if (only && others.length === 0) return { run: true, hook: only };
  throw new DeployConfigError(
    inProgress.length > 1
      ? `several lifecycle events are in progress (${inProgress.join(", ")}): set RUNWAY_HOOK on this function`
      : "no hook lifecycle event is in progress and RUNWAY_HOOK is not set: set RUNWAY_HOOK on this function",
  );
}

function isHookName(name: string): name is HookName {
  return (HOOK_NAMES as readonly string[]).includes(name);
}
