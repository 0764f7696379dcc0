/**
 * The hook's own deadline: the Lambda function's remaining time minus a margin kept for reporting.
 * CodeDeploy waits up to an hour for a hook that never reports, so stopping early with Failed is
 * always better than being killed mid-check with nothing said.
 */
import { DeadlineError } from "./errors.ts";

export class Deadline {
  readonly #remainingMs: () => number;
  readonly #controller = new AbortController();
  #marginMs: number;
  #timer: NodeJS.Timeout | undefined;

  /**
   * @param remainingMs the Lambda context's `getRemainingTimeInMillis`
   * @param marginMs time kept back to report before the function's timeout
   * @example
   * const deadline = new Deadline(() => context.getRemainingTimeInMillis(), 10_000);
   * try { await deadline.run((signal) => checks(signal)); } finally { deadline.dispose(); }
   */
  constructor(remainingMs: () => number, marginMs: number) {
    this.#remainingMs = remainingMs;
    this.#marginMs = marginMs;
    this.#arm();
  }

  /** Aborts when the margin is reached; its reason is a DeadlineError. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get marginMs(): number {
    return this.#marginMs;
  }

  /** Time the function has left, margin included. */
  remainingMs(): number {
    return this.#remainingMs();
  }

  /** The configured margin is only known once the configuration has loaded. */
  setMargin(marginMs: number): void {
    this.#marginMs = marginMs;
    this.#arm();
  }

  /**
   * Runs work under the deadline. Rejects with DeadlineError when the margin is reached, even if
   * the work ignores its signal, so the caller can always report in time.
   */
  async run<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = this.#controller.signal;
    if (signal.aborted) throw signal.reason;
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([work(signal), stopped]);
    } finally {
      if (onAbort) signal.removeEventListener("abort", onAbort);
    }
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }

  #arm(): void {
    clearTimeout(this.#timer);
    if (this.#controller.signal.aborted) return;
    const delay = this.#remainingMs() - this.#marginMs;
    if (delay <= 0) {
      this.#expire();
      return;
    }
    this.#timer = setTimeout(() => this.#expire(), delay);
  }

  #expire(): void {
    this.#controller.abort(new DeadlineError(this.#remainingMs(), this.#marginMs));
  }
}
