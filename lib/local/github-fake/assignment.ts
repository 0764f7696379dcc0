/**
 * How GitHub hands queued jobs to self-hosted runners. A JIT runner carries labels, never a job
 * id: a queued job goes to ANY online idle runner in scope whose labels include every one of the
 * job's `runs-on` labels (compared case-insensitively). In scope means: a repository runner of
 * the job's repository, or an organisation runner of the job's organisation whose runner group
 * allows the repository (all, or selected ones; public ones only when allowed) and, when the
 * group is restricted to selected workflows, the job's workflow at its ref. So a runner launched
 * for one job can be handed another, including one of another run or one Runway ignored.
 *
 * Among runners that could take a job, the fake picks, in order: runners a test put first (to
 * stage a race deterministically), repository runners before organisation runners (GitHub looks
 * at the repository level first), then the runner idle longest. Jobs go oldest first.
 */
import type { FakeJob } from "./jobs.ts";
import { groupAllowsRepository, groupAllowsWorkflow } from "./runner-groups.ts";
import type { FakeRunner, GitHubFakeState } from "./state.ts";

const lower = (s: string) => s.toLowerCase();

/** Why GitHub would not hand this job to this runner, or undefined when it would. */
export function refusal(state: GitHubFakeState, runner: FakeRunner, job: FakeJob): string | undefined {
  if (job.status !== "queued") return `job ${job.id} is ${job.status}`;
  if (runner.status !== "online") return `runner ${runner.name} is offline`;
  if (runner.busy) return `runner ${runner.name} is busy`;
  if (lower(runner.owner) !== lower(job.owner)) return `runner ${runner.name} belongs to ${runner.owner}, not ${job.owner}`;
  if (runner.scope === "repo" && lower(runner.repo ?? "") !== lower(job.repo)) return `runner ${runner.name} is a runner of ${runner.owner}/${runner.repo}, not ${job.owner}/${job.repo}`;
  if (runner.scope === "org") {
    const group = state.runnerGroup(runner.runnerGroupId, runner.owner);
    if (!group) return `runner ${runner.name}'s group ${runner.runnerGroupId} no longer exists`;
    const why = groupAllowsRepository(group, job.owner, job.repo, job.private) ?? groupAllowsWorkflow(group, job.workflowRef);
    if (why) return why;
  }
  const has = new Set(runner.labels.map(lower));
  const missing = job.labels.filter((l) => !has.has(lower(l)));
  return missing.length > 0 ? `runner ${runner.name} lacks label${missing.length > 1 ? "s" : ""} ${missing.join(", ")}` : undefined;
}

export interface AssignmentRound {
  assigned: { runner: FakeRunner; job: FakeJob }[];
  /** Jobs cancelled at the moment a runner would have taken them (`cancelBeforeStart`). */
  cancelled: FakeJob[];
}

export interface AssignOptions {
  /** Runner ids to prefer, first to last (a test staging who wins a race). */
  prefer?: readonly number[];
  /** A job this says yes to is cancelled instead of started: someone cancelled it before it ran. */
  cancelBeforeStart?: ((job: FakeJob) => boolean) | undefined;
}

/**
 * Hand every queued job that some idle runner covers to one such runner, updating both records.
 * Returns what changed so the caller can send the deliveries.
 */
export function assignJobs(state: GitHubFakeState, options: AssignOptions = {}): AssignmentRound {
  const round: AssignmentRound = { assigned: [], cancelled: [] };
  const prefer = options.prefer ?? [];
  const rank = (r: FakeRunner) => {
    const at = prefer.indexOf(r.id);
    return [at < 0 ? prefer.length : at, r.scope === "repo" ? 0 : 1, r.idleSince ?? Number.MAX_SAFE_INTEGER, r.id] as const;
  };
  const order = (a: FakeRunner, b: FakeRunner) => {
    const [ra, rb] = [rank(a), rank(b)];
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
    return 0;
  };
  // Once per round, not per job: a burst queues hundreds of jobs while few runners are idle.
  const idle = state.idleRunners().sort(order);
  for (const job of state.queuedJobs()) {
    if (idle.length === 0) break;
    const candidate = idle.find((r) => refusal(state, r, job) === undefined);
    if (!candidate) continue;
    if (options.cancelBeforeStart?.(job)) {
      Object.assign(job, { status: "completed", conclusion: "cancelled", completedAt: new Date().toISOString() });
      round.cancelled.push(job);
      continue;
    }
    idle.splice(idle.indexOf(candidate), 1);
    const runner = candidate;
    const group = runner.scope === "org" ? state.runnerGroup(runner.runnerGroupId) : state.runnerGroup(1);
    Object.assign(runner, { busy: true, jobId: job.id, idleSince: null });
    Object.assign(job, {
      status: "in_progress",
      runnerId: runner.id,
      runnerName: runner.name,
      runnerGroupId: group?.id ?? runner.runnerGroupId,
      runnerGroupName: group?.name ?? null,
      startedAt: new Date().toISOString(),
    });
    round.assigned.push({ runner, job });
  }
  return round;
}
