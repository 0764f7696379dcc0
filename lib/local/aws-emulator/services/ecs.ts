/**
 * ECS over AWS JSON 1.1 (`AmazonEC2ContainerServiceV20141113.<Operation>`): the reads an `ecs`
 * hook check makes — DescribeTaskSets, ListTasks, DescribeTasks, DescribeTaskDefinition — over a
 * state API that plays the blue/green deployment: register task definitions, create task sets,
 * run their tasks (healthy or not, with the image they really pulled). For services deployed by
 * ECS's own deployment controller, the service deployments and revisions an ECS lifecycle hook
 * reads (DescribeServiceDeployments, ListServiceDeployments, DescribeServiceRevisions), played
 * through their lifecycle stages by ecs/service-deployments.ts.
 *
 * A task set's running and pending counts and its stability come from its tasks, as ECS reports
 * them; `stabilityStatus` can be forced to show a task set still settling.
 */
import { randomUUID } from "node:crypto";
import type { Task, TaskDefinition, TaskSet } from "@aws-sdk/client-ecs";
import { AwsServiceError, type ServiceEmulation } from "../types.ts";
import { createServiceDeployments, type SeededServiceDeployment, type ServiceDeployments, type ServiceDeploymentSeed } from "./ecs/service-deployments.ts";

export type { LifecycleHookSeed, RevisionSeed, SeededServiceDeployment, ServiceDeploymentSeed, StageOptions } from "./ecs/service-deployments.ts";

export interface TaskSetSeed {
  cluster: string;
  service: string;
  /** e.g. "ecs-svc/1234567890123456789" */
  id: string;
  taskDefinition: string;
  /** The CodeDeploy deployment id that created it. */
  externalId?: string;
  desiredCount: number;
  /** Forces STABILIZING; by default computed from the tasks. */
  stabilityStatus?: "STEADY_STATE" | "STABILIZING";
}

export interface TaskSeed {
  healthStatus?: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
  lastStatus?: "RUNNING" | "PENDING" | "STOPPED";
  /** Container name → image actually running (default: the task definition's). */
  images?: Record<string, string>;
}

export interface EcsEmulation extends ServiceEmulation {
  /** Registers a task definition; returns its ARN (family:revision). */
  registerTaskDefinition(family: string, containers: Array<{ name: string; image: string }>): string;
  createTaskSet(seed: TaskSetSeed): TaskSet;
  /** Starts `count` tasks in a task set, started by its id as ECS does. */
  runTasks(taskSetId: string, count: number, seed?: TaskSeed): Task[];
  /** Changes every task of a task set (e.g. turns them UNHEALTHY). */
  updateTasks(taskSetId: string, seed: TaskSeed): void;
  taskSet(id: string): TaskSet | undefined;
  /** A service deployment of the ECS deployment controller, from its source (blue) to its target (green) revision. */
  createServiceDeployment(seed: ServiceDeploymentSeed): SeededServiceDeployment;
  /** Starts `count` tasks of a service revision, started by its deployment (`ecs-svc/<revision id>`) as ECS does. */
  runRevisionTasks(revisionArn: string, count: number, seed?: TaskSeed): Task[];
  /** Changes every task of a service revision (e.g. turns them UNHEALTHY). */
  updateRevisionTasks(revisionArn: string, seed: TaskSeed): void;
  /** The service deployments' state API: stages, hook payloads, hook answers, alarms (ecs/service-deployments.ts). */
  serviceDeployments: Pick<ServiceDeployments, "enterStage" | "hookEvent" | "completeHooks" | "finish" | "triggerAlarm" | "get" | "revision">;
}

const ACCOUNT = "000000000000";

interface StoredTaskSet {
  set: TaskSet;
  cluster: string;
  service: string;
  forcedStability: TaskSet["stabilityStatus"] | undefined;
}
const clientError = (message: string) => new AwsServiceError("InvalidParameterException", message);

/**
 * @example
 * const ecs = createEcsEmulation();
 * const td = ecs.registerTaskDefinition("shop", [{ name: "web", image: "shop:2.0.0" }]);
 * ecs.createTaskSet({ cluster: "main", service: "shop", id: "ecs-svc/2", taskDefinition: td, desiredCount: 2 });
 * ecs.runTasks("ecs-svc/2", 2, { healthStatus: "HEALTHY" });
 */
export function createEcsEmulation(options: { region?: string } = {}): EcsEmulation {
  const region = options.region ?? process.env.AWS_REGION ?? "us-east-1";
  const definitions = new Map<string, TaskDefinition>();
  const revisions = new Map<string, number>();
  const taskSets = new Map<string, StoredTaskSet>();
  const tasks: Task[] = [];

  const arnOf = (kind: string, name: string) => `arn:aws:ecs:${region}:${ACCOUNT}:${kind}/${name}`;
  const lastPart = (name: string) => name.slice(name.lastIndexOf("/") + 1);
  const clusterName = (value: unknown) => lastPart(typeof value === "string" && value !== "" ? value : "default");
  const tasksOf = (taskSetId: string) => tasks.filter((task) => task.startedBy === taskSetId);
  const definitionOf = (name: string) => definitions.get(lastPart(name)) ?? definitions.get(name);
  const deployments = createServiceDeployments({
    arnOf,
    tasks,
    definitionImages: (name) => (definitionOf(name)?.containerDefinitions ?? []).flatMap((c) => (c.name && c.image ? [{ name: c.name, image: c.image }] : [])),
  });

  /** `count` tasks of a task definition, as the scheduler starts them. */
  function startTasks(cluster: string, taskDefinition: string, startedBy: string, count: number, seed: TaskSeed, extra: Partial<Task> = {}, digests: Record<string, string> = {}): Task[] {
    const definition = definitionOf(taskDefinition);
    const started: Task[] = [];
    for (let i = 0; i < count; i++) {
      const taskArn = arnOf("task", `${cluster}/${randomUUID().replace(/-/g, "")}`);
      const task: Task = {
        taskArn,
        clusterArn: arnOf("cluster", cluster),
        taskDefinitionArn: taskDefinition,
        startedBy,
        lastStatus: seed.lastStatus ?? "RUNNING",
        desiredStatus: "RUNNING",
        healthStatus: seed.healthStatus ?? "HEALTHY",
        createdAt: new Date(),
        ...extra,
        containers: (definition?.containerDefinitions ?? []).map((c) => {
          const image = seed.images?.[c.name ?? ""] ?? c.image ?? "";
          const pinned = /@(sha256:[a-f0-9]{64})$/.exec(image)?.[1];
          // A task pulled what the image named; its digest is the revision's unless it ran another image.
          const imageDigest = pinned ?? (seed.images?.[c.name ?? ""] ? undefined : digests[c.name ?? ""]);
          return { name: c.name, image, imageDigest, lastStatus: seed.lastStatus ?? "RUNNING", healthStatus: seed.healthStatus ?? "HEALTHY", taskArn };
        }),
      };
      tasks.push(task);
      started.push(task);
    }
    return started;
  }

  function updateAll(own: Task[], seed: TaskSeed): void {
    for (const task of own) {
      if (seed.healthStatus) task.healthStatus = seed.healthStatus;
      if (seed.lastStatus) task.lastStatus = seed.lastStatus;
      for (const container of task.containers ?? []) {
        const image = seed.images?.[container.name ?? ""];
        if (image) {
          container.image = image;
          container.imageDigest = /@(sha256:[a-f0-9]{64})$/.exec(image)?.[1];
        }
      }
    }
  }

  /** The task set as DescribeTaskSets shows it: counts and stability from its tasks. */
  function view({ set, forcedStability }: StoredTaskSet): TaskSet {
    const own = tasksOf(set.id!);
    const runningCount = own.filter((task) => task.lastStatus === "RUNNING").length;
    const pendingCount = own.filter((task) => task.lastStatus === "PENDING").length;
    const steady = runningCount === set.computedDesiredCount && pendingCount === 0;
    return { ...set, runningCount, pendingCount, stabilityStatus: forcedStability ?? (steady ? "STEADY_STATE" : "STABILIZING") };
  }

  return {
    signingName: "ecs",
    protocol: "json",
    targetPrefix: "AmazonEC2ContainerServiceV20141113",

    registerTaskDefinition(family, containers) {
      const revision = (revisions.get(family) ?? 0) + 1;
      revisions.set(family, revision);
      const name = `${family}:${revision}`;
      definitions.set(name, {
        taskDefinitionArn: arnOf("task-definition", name),
        family,
        revision,
        status: "ACTIVE",
        containerDefinitions: containers.map((c) => ({ name: c.name, image: c.image, essential: true })),
      });
      return arnOf("task-definition", name);
    },

    createTaskSet(seed) {
      const set: TaskSet = {
        id: seed.id,
        taskSetArn: arnOf("task-set", `${seed.cluster}/${seed.service}/${seed.id}`),
        serviceArn: arnOf("service", `${seed.cluster}/${seed.service}`),
        clusterArn: arnOf("cluster", seed.cluster),
        externalId: seed.externalId,
        startedBy: "CODE_DEPLOY",
        status: "ACTIVE",
        taskDefinition: seed.taskDefinition,
        computedDesiredCount: seed.desiredCount,
        createdAt: new Date(),
      };
      const stored: StoredTaskSet = { set, cluster: seed.cluster, service: seed.service, forcedStability: seed.stabilityStatus };
      taskSets.set(seed.id, stored);
      return view(stored);
    },

    runTasks(taskSetId, count, seed = {}) {
      const stored = taskSets.get(taskSetId);
      if (!stored) throw new Error(`no task set ${taskSetId}`);
      return startTasks(stored.cluster, stored.set.taskDefinition ?? "", taskSetId, count, seed);
    },

    updateTasks(taskSetId, seed) {
      updateAll(tasksOf(taskSetId), seed);
    },

    taskSet: (id) => {
      const set = taskSets.get(id);
      return set ? view(set) : undefined;
    },

    createServiceDeployment: (seed) => deployments.create(seed),

    runRevisionTasks(revisionArn, count, seed = {}) {
      const { cluster, service, startedBy, revision } = deployments.revisionTaskGroup(revisionArn);
      const digests = Object.fromEntries((revision.containerImages ?? []).map((c) => [c.containerName ?? "", c.imageDigest ?? ""]));
      return startTasks(cluster, revision.taskDefinition ?? "", startedBy, count, seed, { group: `service:${service}`, launchType: "FARGATE" }, digests);
    },

    updateRevisionTasks(revisionArn, seed) {
      updateAll(tasksOf(deployments.revisionTaskGroup(revisionArn).startedBy), seed);
    },

    serviceDeployments: deployments,

    operations: {
      DescribeTaskSets(input: { cluster?: string; service?: string; taskSets?: string[] }) {
        const cluster = clusterName(input.cluster);
        const service = lastPart(input.service ?? "");
        if (!service) throw clientError("service is required.");
        const inService = [...taskSets.values()].filter((stored) => stored.cluster === cluster && stored.service === service);
        if (inService.length === 0) throw new AwsServiceError("ServiceNotFoundException", `Service not found: ${service} in ${cluster}.`);
        const wanted = input.taskSets ?? inService.map((stored) => stored.set.id!);
        const found = wanted.map((id) => inService.find(({ set }) => set.id === id || set.taskSetArn === id));
        return {
          taskSets: found.flatMap((stored) => (stored ? [view(stored)] : [])),
          failures: wanted.filter((_, i) => !found[i]).map((arn) => ({ arn, reason: "MISSING" })),
        };
      },
      ListTasks(input: { cluster?: string; serviceName?: string; startedBy?: string; desiredStatus?: string; maxResults?: number; nextToken?: string }) {
        const cluster = clusterName(input.cluster);
        const matching = tasks.filter(
          (task) =>
            lastPart(task.clusterArn ?? "") === cluster &&
            (input.serviceName === undefined || task.group === `service:${lastPart(input.serviceName)}`) &&
            (input.startedBy === undefined || task.startedBy === input.startedBy) &&
            (input.desiredStatus === undefined || task.desiredStatus === input.desiredStatus),
        );
        const start = Number(input.nextToken ?? 0);
        const size = Math.min(input.maxResults ?? 100, 100);
        const page = matching.slice(start, start + size);
        return { taskArns: page.map((task) => task.taskArn), ...(start + size < matching.length ? { nextToken: String(start + size) } : {}) };
      },
      DescribeTasks(input: { cluster?: string; tasks?: string[] }) {
        if (!input.tasks || input.tasks.length === 0) throw clientError("Tasks cannot be empty.");
        if (input.tasks.length > 100) throw clientError("Tasks cannot have more than 100 elements.");
        const found = input.tasks.map((id) => tasks.find((task) => task.taskArn === id || lastPart(task.taskArn ?? "") === id));
        return {
          tasks: found.filter((task): task is Task => task !== undefined),
          failures: input.tasks.filter((_, i) => !found[i]).map((arn) => ({ arn, reason: "MISSING" })),
        };
      },
      ...deployments.operations,
      DescribeTaskDefinition(input: { taskDefinition?: string }) {
        const definition = definitionOf(input.taskDefinition ?? "");
        if (!definition) throw new AwsServiceError("ClientException", "Unable to describe task definition.");
        return { taskDefinition: definition };
      },
    },
  };
}
