/**
 * `ecs` check: the replacement (GREEN) task set is in steady state with running = desired, every
 * one of its tasks is RUNNING and HEALTHY, and every task runs the image (tag or digest) that the
 * deployment's task definition names — the task set created from the appspec, so a stale image
 * cached under a moving tag, or a task set from another deployment, is caught.
 */
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  DescribeTaskSetsCommand,
  ListTasksCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { ecsClient } from "../../aws/ecs.ts";
import type { EcsCheckConfig } from "../../config/deploy-schema.ts";
import { CheckSetupError } from "../errors.ts";
import type { CheckEnv, Measure } from "../types.ts";

/**
 * Builds the measurement of an ecs check.
 *
 * @example
 * const { ok, summary } = await ecsMeasure(check, env)(signal); // "task set ecs-svc/1 STEADY_STATE, running 2/2 …"
 */
export function ecsMeasure(check: EcsCheckConfig, env: CheckEnv): Measure {
  const images = new Map<string, Map<string, string>>();
  return async (signal) => {
    const ecs = env.deployment.ecs;
    const replacement = ecs?.replacement;
    if (!ecs || !replacement) {
      throw new CheckSetupError(
        env.deployment.computePlatform === "ECS"
          ? `deployment ${env.deployment.deploymentId} has no replacement task set yet (hook ${env.hook}): ecs checks belong to AfterInstall or later`
          : `ecs checks need an ECS blue/green deployment; ${env.deployment.deploymentId} is ${env.deployment.computePlatform}`,
      );
    }
    const client = ecsClient();
    const { cluster, service } = { cluster: ecs.clusterName, service: ecs.serviceName };
    const described = await client.send(new DescribeTaskSetsCommand({ cluster, service, taskSets: [replacement.id] }), { abortSignal: signal });
    const taskSet = described.taskSets?.[0];
    if (!taskSet) return { ok: false, summary: `task set ${replacement.id} not found in ${cluster}/${service}`, data: { taskSet: replacement.id } };

    const problems: string[] = [];
    const desired = taskSet.computedDesiredCount ?? 0;
    const running = taskSet.runningCount ?? 0;
    const pending = taskSet.pendingCount ?? 0;
    if (taskSet.stabilityStatus !== "STEADY_STATE") problems.push(`stability ${taskSet.stabilityStatus ?? "unknown"}, not STEADY_STATE`);
    if (running !== desired) problems.push(`running ${running} of ${desired} desired`);
    if (running < check.minRunning) problems.push(`running ${running}, fewer than minRunning ${check.minRunning}`);
    if (taskSet.externalId && taskSet.externalId !== env.deployment.deploymentId) {
      problems.push(`task set belongs to deployment ${taskSet.externalId}, not ${env.deployment.deploymentId}`);
    }
    const taskDefinition = taskSet.taskDefinition ?? "";
    if (ecs.appSpecTaskDefinition && !sameTaskDefinition(ecs.appSpecTaskDefinition, taskDefinition)) {
      problems.push(`task set runs ${shortArn(taskDefinition)}, the appspec names ${shortArn(ecs.appSpecTaskDefinition)}`);
    }

    const tasks = await tasksOf(cluster, replacement.id, signal);
    const expected = await expectedImages(taskDefinition, images, signal);
    const healthy = tasks.filter((task) => task.healthStatus === "HEALTHY" || (check.allowUnknownHealth && task.healthStatus === "UNKNOWN"));
    if (tasks.length < running) problems.push(`found ${tasks.length} task(s) started by the task set, ECS counts ${running} running`);
    const notRunning = tasks.filter((task) => task.lastStatus !== "RUNNING");
    if (notRunning.length > 0) problems.push(`${notRunning.length} task(s) not RUNNING (${notRunning.map((t) => t.lastStatus).join(", ")})`);
    if (healthy.length < tasks.length) {
      const states = tasks.filter((task) => !healthy.includes(task)).map((task) => task.healthStatus ?? "UNKNOWN");
      const hint = states.includes("UNKNOWN") && !check.allowUnknownHealth ? " (UNKNOWN: no container health check? set allowUnknownHealth: true if that is intended)" : "";
      problems.push(`${tasks.length - healthy.length} of ${tasks.length} task(s) not HEALTHY: ${states.join(", ")}${hint}`);
    }
    const wrongImages = imageMismatches(tasks, expected, check.containers);
    problems.push(...wrongImages.slice(0, 3));

    const head =
      `task set ${replacement.id} ${taskSet.stabilityStatus ?? "?"}, running ${running}/${desired} (pending ${pending}), ` +
      `${healthy.length}/${tasks.length} tasks healthy, images ${wrongImages.length === 0 ? "as defined" : "differ"}`;
    return {
      ok: problems.length === 0,
      summary: problems.length === 0 ? head : `${head}: ${problems.join("; ")}`,
      data: {
        taskSet: replacement.id,
        stabilityStatus: taskSet.stabilityStatus,
        desired,
        running,
        pending,
        tasks: tasks.length,
        healthy: healthy.length,
        taskDefinition: shortArn(taskDefinition),
        images: Object.fromEntries(expected),
        imageMismatches: wrongImages.length,
      },
    };
  };
}

/** Tasks a task set started carry its id (ecs-svc/…) as `startedBy`. */
async function tasksOf(cluster: string, taskSetId: string, signal: AbortSignal): Promise<Task[]> {
  const client = ecsClient();
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListTasksCommand({ cluster, startedBy: taskSetId, nextToken }), { abortSignal: signal });
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const batch = await client.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }), { abortSignal: signal });
    tasks.push(...(batch.tasks ?? []));
  }
  return tasks;
}

/** Container name → image, from the task definition (fetched once per check). */
async function expectedImages(taskDefinition: string, cache: Map<string, Map<string, string>>, signal: AbortSignal): Promise<Map<string, string>> {
  const cached = cache.get(taskDefinition);
  if (cached) return cached;
  const { taskDefinition: definition } = await ecsClient().send(new DescribeTaskDefinitionCommand({ taskDefinition }), { abortSignal: signal });
  const images = new Map((definition?.containerDefinitions ?? []).flatMap((c) => (c.name && c.image ? [[c.name, c.image] as const] : [])));
  cache.set(taskDefinition, images);
  return images;
}

/**
 * Containers whose image differs from the definition. An image pinned by digest is compared with
 * the digest the task resolved; a tag with the image reference itself.
 */
export function imageMismatches(tasks: Task[], expected: Map<string, string>, only: string[] | undefined): string[] {
  const problems: string[] = [];
  for (const task of tasks) {
    for (const container of task.containers ?? []) {
      if (!container.name || (only && !only.includes(container.name))) continue;
      const image = expected.get(container.name);
      if (!image) continue;
      const digest = /@(sha256:[a-f0-9]{64})$/.exec(image)?.[1];
      const actual = digest ? container.imageDigest : container.image;
      if (actual !== (digest ?? image)) {
        problems.push(`task ${shortArn(task.taskArn ?? "?")} container ${container.name} runs ${actual ?? "unknown"}, expected ${digest ?? image}`);
      }
    }
  }
  return problems;
}

/** Task definitions may be named by ARN or by family:revision. */
function sameTaskDefinition(a: string, b: string): boolean {
  return shortArn(a) === shortArn(b);
}

function shortArn(arn: string): string {
  return arn.includes("/") ? arn.slice(arn.lastIndexOf("/") + 1) : arn;
}
