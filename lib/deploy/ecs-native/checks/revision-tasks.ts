/**
 * `ecs` check of an ECS-native deployment: ECS's own record of the service deployment still
 * targets this revision and is IN_PROGRESS, with every requested task of the green revision
 * running and none of the deployment's alarms triggered; each of its tasks is RUNNING and
 * HEALTHY, runs the revision's task definition, and runs the image digest ECS resolved for the
 * revision (ServiceRevision.containerImages), so a tag that moved since the deployment started is
 * caught.
 *
 * The green revision's tasks are the service's tasks started by `ecs-svc/<revision id>` (ECS
 * starts a revision's tasks under the deployment id that shares its number); when no task says
 * so, those running the revision's task definition that started after the revision was created.
 */
import {
  DescribeServiceDeploymentsCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type ECSClient,
  type ServiceRevision,
  type Task,
} from "@aws-sdk/client-ecs";
import { ecsClient } from "../../../aws/ecs.ts";
import type { EcsCheckConfig } from "../../../config/deploy-schema.ts";
import { imageMismatches } from "../../checks/ecs.ts";
import type { Measure } from "../../types.ts";
import { revisionId } from "../event.ts";
import type { EcsHookEvent } from "../types.ts";

/**
 * Builds the measurement of an `ecs` check for the deployment's green revision.
 *
 * @example
 * const { summary } = await revisionTasksMeasure(check, event, target)(signal);
 * // "revision 9313423515462893900 IN_PROGRESS, running 2/2 (pending 0), 2/2 tasks healthy, images as resolved"
 */
export function revisionTasksMeasure(check: EcsCheckConfig, event: EcsHookEvent, revision: ServiceRevision): Measure {
  const expected = new Map(
    (revision.containerImages ?? []).flatMap((c) => (c.containerName && c.image ? [[c.containerName, c.imageDigest ? `${c.image}@${c.imageDigest}` : c.image] as const] : [])),
  );
  const id = revisionId(event.targetRevisionArn);
  return async (signal) => {
    const client = ecsClient(event.region);
    const { serviceDeployments } = await client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [event.serviceDeploymentArn] }), { abortSignal: signal });
    const record = serviceDeployments?.[0];
    if (!record) return { ok: false, summary: `service deployment ${event.serviceDeploymentId} not found`, data: { serviceDeployment: event.serviceDeploymentId } };

    const problems: string[] = [];
    const green = record.targetServiceRevision;
    const requested = green?.requestedTaskCount ?? 0;
    const running = green?.runningTaskCount ?? 0;
    const pending = green?.pendingTaskCount ?? 0;
    if (record.status !== "IN_PROGRESS") problems.push(`the deployment is ${record.status ?? "?"}${record.statusReason ? ` (${record.statusReason})` : ""}, not IN_PROGRESS`);
    if (green?.arn && green.arn !== event.targetRevisionArn) problems.push(`ECS's record targets revision ${revisionId(green.arn)}, not ${id}`);
    if (running < requested) problems.push(`running ${running} of ${requested} requested`);
    if (running < check.minRunning) problems.push(`running ${running}, fewer than minRunning ${check.minRunning}`);
    const triggered = record.alarms?.triggeredAlarmNames ?? [];
    if (triggered.length > 0) problems.push(`deployment alarms triggered: ${triggered.join(", ")}`);

    const { tasks, matchedBy } = await revisionTasks(client, event, revision, signal);
    if (tasks.length < running) problems.push(`found ${tasks.length} task(s) of the revision, ECS counts ${running} running`);
    const notRunning = tasks.filter((task) => task.lastStatus !== "RUNNING");
    if (notRunning.length > 0) problems.push(`${notRunning.length} task(s) not RUNNING (${notRunning.map((t) => t.lastStatus).join(", ")})`);
    const healthy = tasks.filter((task) => task.healthStatus === "HEALTHY" || (check.allowUnknownHealth && task.healthStatus === "UNKNOWN"));
    if (healthy.length < tasks.length) {
      const states = tasks.filter((task) => !healthy.includes(task)).map((task) => task.healthStatus ?? "UNKNOWN");
      const hint = states.includes("UNKNOWN") && !check.allowUnknownHealth ? " (UNKNOWN: no container health check? set allowUnknownHealth: true if that is intended)" : "";
      problems.push(`${tasks.length - healthy.length} of ${tasks.length} task(s) not HEALTHY: ${states.join(", ")}${hint}`);
    }
    const otherDefinition = tasks.filter((task) => revision.taskDefinition && task.taskDefinitionArn !== revision.taskDefinition);
    if (otherDefinition.length > 0) problems.push(`${otherDefinition.length} task(s) run ${shortArn(otherDefinition[0]!.taskDefinitionArn ?? "?")}, the revision names ${shortArn(revision.taskDefinition ?? "?")}`);
    const wrongImages = imageMismatches(tasks, expected, check.containers);
    problems.push(...wrongImages.slice(0, 3));

    const head =
      `revision ${id} ${record.status ?? "?"}, running ${running}/${requested} (pending ${pending}), ` +
      `${healthy.length}/${tasks.length} tasks healthy, images ${wrongImages.length === 0 ? "as resolved" : "differ"}`;
    return {
      ok: problems.length === 0,
      summary: problems.length === 0 ? head : `${head}: ${problems.join("; ")}`,
      data: {
        revision: id,
        status: record.status,
        lifecycleStage: record.lifecycleStage,
        requested,
        running,
        pending,
        tasks: tasks.length,
        healthy: healthy.length,
        matchedBy,
        taskDefinition: shortArn(revision.taskDefinition ?? ""),
        imageMismatches: wrongImages.length,
      },
    };
  };
}

/** The service's running tasks that belong to the revision, and how they were told apart. */
async function revisionTasks(client: ECSClient, event: EcsHookEvent, revision: ServiceRevision, signal: AbortSignal): Promise<{ tasks: Task[]; matchedBy: string }> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListTasksCommand({ cluster: event.cluster, serviceName: event.service, nextToken }), { abortSignal: signal });
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const all: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const batch = await client.send(new DescribeTasksCommand({ cluster: event.cluster, tasks: arns.slice(i, i + 100) }), { abortSignal: signal });
    all.push(...(batch.tasks ?? []));
  }
  const startedBy = `ecs-svc/${revisionId(event.targetRevisionArn)}`;
  const byDeployment = all.filter((task) => task.startedBy === startedBy);
  if (byDeployment.length > 0) return { tasks: byDeployment, matchedBy: "startedBy" };
  const since = revision.createdAt ? new Date(revision.createdAt).getTime() : 0;
  const byDefinition = all.filter((task) => task.taskDefinitionArn === revision.taskDefinition && new Date(task.createdAt ?? 0).getTime() >= since);
  return { tasks: byDefinition, matchedBy: "taskDefinition" };
}

function shortArn(arn: string): string {
  return arn.includes("/") ? arn.slice(arn.lastIndexOf("/") + 1) : arn;
}
