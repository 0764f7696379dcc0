/**
 * Injected failures for tests and benchmarks. A faulted request never reaches the service: the
 * error goes out on the wire in the service's protocol, so the SDK client's retry logic sees a
 * real throttle or 5xx and retries (or gives up) exactly as it would against AWS.
 */
import { AwsServiceError } from "./types.ts";

export interface FaultSpec {
  /** SigV4 signing name ("codebuild", "sqs", …); omitted = every service. */
  service?: string;
  /** Operation name ("StartBuild"); omitted = every operation of the service. */
  operation?: string;
  /** Fail every n-th matching call (the n-th, 2n-th …); default 1 = every call. */
  every?: number;
  /** Stop after failing this many calls; default unlimited. */
  times?: number;
  /** Wait this long before answering (with the error, or normally when `error` is absent). */
  delayMs?: number;
  /** The error to answer with; statusCode defaults to 400. */
  error?: { code: string; message?: string; statusCode?: number };
}

/** A fault being applied; `calls` counts matching requests, `injected` the ones it failed. */
export interface ActiveFault {
  readonly spec: FaultSpec;
  readonly calls: number;
  readonly injected: number;
  remove(): void;
}

export interface FaultDecision {
  delayMs: number;
  error: AwsServiceError | undefined;
}

/**
 * @example
 * emulator.faults.add({ service: "codebuild", operation: "StartBuild", every: 3,
 *   error: { code: "ThrottlingException", message: "Rate exceeded", statusCode: 400 } });
 */
export class FaultInjector {
  #faults: Array<{ spec: FaultSpec; calls: number; injected: number }> = [];

  add(spec: FaultSpec): ActiveFault {
    const entry = { spec, calls: 0, injected: 0 };
    this.#faults.push(entry);
    const faults = this;
    return {
      spec,
      get calls() {
        return entry.calls;
      },
      get injected() {
        return entry.injected;
      },
      remove() {
        faults.#faults = faults.#faults.filter((f) => f !== entry);
      },
    };
  }

  clear(): void {
    this.#faults = [];
  }

  /** Called by the server for each routed request; every matching fault counts the call. */
  decide(service: string, operation: string): FaultDecision {
    let delayMs = 0;
    let error: AwsServiceError | undefined;
    for (const fault of this.#faults) {
      const { spec } = fault;
      if (spec.service !== undefined && spec.service !== service) continue;
      if (spec.operation !== undefined && spec.operation !== operation) continue;
      fault.calls += 1;
      if (spec.times !== undefined && fault.injected >= spec.times) continue;
      if (fault.calls % Math.max(1, spec.every ?? 1) !== 0) continue;
      fault.injected += 1;
      delayMs = Math.max(delayMs, spec.delayMs ?? 0);
      if (spec.error && !error) {
        const { code, message = `Injected fault: ${code}`, statusCode = 400 } = spec.error;
        error = new AwsServiceError(code, message, statusCode);
      }
    }
    return { delayMs, error };
  }
}
