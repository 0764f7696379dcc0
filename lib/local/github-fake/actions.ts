/**
 * GitHub Actions' side of self-hosted runners: jobs are queued, runner hosts connect with their
 * JIT configuration, GitHub hands each queued job to a covering idle runner (assignment.ts) and
 * sends the `workflow_job` deliveries as jobs start and end. A JIT runner is ephemeral: GitHub
 * removes it once its one job is over. A host that goes away mid-job loses the job: GitHub ends
 * it `cancelled`.
 *
 * Assignment runs whenever a job is queued or a runner becomes idle. It can be held, so that a
 * test connects several runners first and then releases them in the order it chooses.
 */
import { assignJobs, refusal, type AssignOptions } from "./assignment.ts";
import type { WebhookSender } from "./deliveries.ts";
import { jobDelivery, jobSteps, type FakeJob } from "./jobs.ts";
import type { FakeRunner, GitHubFakeState } from "./state.ts";

export interface JobEnd {
  conclusion: "success" | "failure" | "cancelled";
  /** The step that failed (default "Deploy" for a failure). */
  failedStep?: string;
}

export interface FakeActions {
  /** A job whose `queued` delivery someone else sent (the local stack sees `runway deliver`'s): know it, assign it. */
  observeQueued(payload: unknown): FakeJob | undefined;
  /** Queue a job as GitHub does: send its `queued` delivery, then know it and assign it. */
  queueJob(payload: Record<string, any>): Promise<FakeJob>;
  /** A runner host connected with this JIT configuration: the runner is online and idle. Throws for a registration that is gone. */
  connectRunner(encodedJitConfig: string): FakeRunner;
  /** The job the runner is handed; waits until it is, or undefined once `signal` aborts or the runner goes offline. */
  nextJob(runnerId: number, signal?: AbortSignal): Promise<FakeJob | undefined>;
  /** The runner's job is over: GitHub sends `completed` and removes the runner. Undefined when the job is not running. */
  completeJob(jobId: number, end: JobEnd): Promise<FakeJob | undefined>;
  /** The runner's host went away: offline; a job it ran ends `cancelled` (runner lost). */
  disconnectRunner(runnerId: number): Promise<void>;
  /** Cancel a queued job (as a person would): `completed` / `cancelled` with no runner. */
  cancelJob(jobId: number): Promise<boolean>;
  /** Stop handing out jobs: runners connect and stay idle. */
  holdAssignments(): void;
  /** Resume, handing jobs first to the runners named (by id), in that order. */
  releaseAssignments(preferRunnerIds?: readonly number[]): void;
  /** Why this runner would not be handed this job now, or undefined when it would. */
  why(runnerId: number, jobId: number): string | undefined;
  /** Resolves once every delivery under way has been answered. */
  settled(): Promise<void>;
  /** Forget waiters and holds (the fake's reset). */
  reset(): void;
}

export interface ActionsOptions {
  cancelBeforeStart?: AssignOptions["cancelBeforeStart"];
  print?: ((line: string) => void) | undefined;
}

export function createActions(state: GitHubFakeState, sender: WebhookSender, options: ActionsOptions = {}): FakeActions {
  const waiters = new Map<number, Set<(job: FakeJob | undefined) => void>>();
  let held = false;
  const send = (job: FakeJob) => sender.deliver("workflow_job", jobDelivery(job));
  const wake = (runnerId: number, job: FakeJob | undefined) => {
    for (const resolve of waiters.get(runnerId) ?? []) resolve(job);
    waiters.delete(runnerId);
  };

  // A registration deleted through the API: a host waiting on it learns there is no job coming.
  state.onRunnerRemoved((runnerId) => wake(runnerId, undefined));

  const assign = (prefer: readonly number[] = []) => {
    if (held) return;
    const round = assignJobs(state, { prefer, cancelBeforeStart: options.cancelBeforeStart });
    for (const job of round.cancelled) {
      options.print?.(`github job ${job.id} (run ${job.runId}) was cancelled before a runner took it`);
      void send(job);
    }
    for (const { runner, job } of round.assigned) {
      job.steps = jobSteps("in_progress");
      options.print?.(`github job ${job.id} (run ${job.runId}) assigned to runner ${runner.name}`);
      void send(job);
      wake(runner.id, job);
    }
  };

  const finish = (job: FakeJob, end: JobEnd, steps = job.steps) => {
    Object.assign(job, { status: "completed", conclusion: end.conclusion, steps, completedAt: new Date().toISOString() });
  };

  return {
    observeQueued(payload) {
      const job = state.registerJob(payload);
      if (job?.status === "queued") assign();
      return job;
    },
    async queueJob(payload) {
      await sender.deliver("workflow_job", { ...payload, action: "queued" });
      const job = state.registerJob({ ...payload, action: "queued" });
      if (!job) throw new Error("not a workflow_job payload with a job id and a run id");
      assign();
      return job;
    },
    connectRunner(encoded) {
      const { runnerId } = state.decodeJitConfig(encoded);
      const runner = state.runner(runnerId);
      // A removed registration cannot connect: the real runner exits with "runner not found".
      if (!runner) throw new Error(`runner ${runnerId} is not registered (removed, or its job is over)`);
      if (runner.status !== "online") Object.assign(runner, { status: "online", busy: false, jobId: null, idleSince: Date.now() });
      assign();
      return { ...runner };
    },
    nextJob(runnerId, signal) {
      const runner = state.runner(runnerId);
      if (!runner || runner.status !== "online") return Promise.resolve(undefined);
      if (runner.jobId !== null) return Promise.resolve(state.job(runner.jobId));
      return new Promise((resolve) => {
        if (signal?.aborted) return resolve(undefined);
        const done = (job: FakeJob | undefined) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(job);
        };
        const onAbort = () => {
          waiters.get(runnerId)?.delete(done);
          resolve(undefined);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        waiters.set(runnerId, (waiters.get(runnerId) ?? new Set()).add(done));
      });
    },
    async completeJob(jobId, end) {
      const job = state.job(jobId);
      if (!job || job.status !== "in_progress" || job.runnerId === null) return undefined;
      const failedStep = end.conclusion === "failure" ? (end.failedStep ?? "Deploy") : undefined;
      finish(job, end, jobSteps("completed", failedStep, end.conclusion === "cancelled" ? "cancelled" : undefined));
      // Ephemeral: the runner is gone once its job is over.
      state.removeRunner(job.runnerId);
      await send(job);
      return job;
    },
    async disconnectRunner(runnerId) {
      const runner = state.runner(runnerId);
      if (!runner || runner.status === "offline") return;
      const job = runner.jobId === null ? undefined : state.job(runner.jobId);
      Object.assign(runner, { status: "offline", busy: false, jobId: null, idleSince: null });
      wake(runnerId, undefined);
      if (job?.status !== "in_progress") return;
      options.print?.(`github runner ${runner.name} went offline during job ${job.id}: the job is cancelled`);
      finish(job, { conclusion: "cancelled" }, jobSteps("completed", undefined, "cancelled"));
      await send(job);
    },
    async cancelJob(jobId) {
      const job = state.job(jobId);
      if (job?.status !== "queued") return false;
      finish(job, { conclusion: "cancelled" }, []);
      await send(job);
      return true;
    },
    holdAssignments() {
      held = true;
    },
    releaseAssignments(prefer = []) {
      held = false;
      assign(prefer);
    },
    why(runnerId, jobId) {
      const runner = state.runner(runnerId);
      const job = state.job(jobId);
      if (!runner) return `no runner ${runnerId}`;
      if (!job) return `no job ${jobId}`;
      return refusal(state, runner, job);
    },
    settled: () => sender.settled(),
    reset() {
      for (const runnerId of [...waiters.keys()]) wake(runnerId, undefined);
      held = false;
    },
  };
}
