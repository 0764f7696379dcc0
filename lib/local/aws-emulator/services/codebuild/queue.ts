/**
 * CodeBuild's build queue at the account's concurrent-build quota: builds wait in phase QUEUED,
 * oldest first, each until a build host comes free or its `queuedTimeoutInMinutes` runs out.
 */
import type { Build } from "@aws-sdk/client-codebuild";

const queuedTimeoutMs = (build: Build) => (build.queuedTimeoutInMinutes ?? 480) * 60_000;

export class BuildQueue {
  /** Queued builds in arrival order, each with the timer that times it out. */
  readonly #waiting = new Map<string, { build: Build; timer: NodeJS.Timeout }>();
  readonly #onTimeout: (build: Build) => void;

  /** `onTimeout` ends a build whose queued timeout ran out (it is no longer queued then). */
  constructor(onTimeout: (build: Build) => void) {
    this.#onTimeout = onTimeout;
  }

  get size(): number {
    return this.#waiting.size;
  }

  has(id: string): boolean {
    return this.#waiting.has(id);
  }

  add(build: Build): void {
    const timer = setTimeout(() => this.#timeOut(build.id!), queuedTimeoutMs(build));
    timer.unref();
    this.#waiting.set(build.id!, { build, timer });
  }

  /** Take a build out of the queue (it got a host, ended, or was stopped). */
  remove(id: string): void {
    const entry = this.#waiting.get(id);
    if (entry) clearTimeout(entry.timer);
    this.#waiting.delete(id);
  }

  /** The oldest queued build, taken out of the queue. */
  shift(): Build | undefined {
    const first = this.#waiting.values().next().value;
    if (first) this.remove(first.build.id!);
    return first?.build;
  }

  /** Time out every build queued for its whole queued timeout by `now` (an injected clock's time). */
  expire(now: Date): void {
    for (const { build } of [...this.#waiting.values()]) {
      if (now.getTime() - build.startTime!.getTime() >= queuedTimeoutMs(build)) this.#timeOut(build.id!);
    }
  }

  clear(): void {
    for (const { timer } of this.#waiting.values()) clearTimeout(timer);
    this.#waiting.clear();
  }

  #timeOut(id: string): void {
    const entry = this.#waiting.get(id);
    if (!entry || entry.build.buildStatus !== "IN_PROGRESS") return;
    this.remove(id);
    this.#onTimeout(entry.build);
  }
}
