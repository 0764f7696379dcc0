/**
 * ECS's own deployment records (the ECS deployment controller, blue/green since 2025): service
 * revisions and service deployments as DescribeServiceRevisions, DescribeServiceDeployments and
 * ListServiceDeployments show them, and a state API that plays a deployment through its
 * lifecycle stages the way ECS does — which hooks are active and when they expire, the traffic
 * weights at each stage, the payload ECS invokes a Lambda hook with (hookDetails merged with the
 * service's own), and a rollback when a hook answers FAILED.
 *
 * A revision's running and pending counts come from its tasks (started by `ecs-svc/<revision id>`,
 * in group `service:<name>`), as ECS reports them.
 */
import { randomUUID } from "node:crypto";
import type { DeploymentLifecycleHookStage, ServiceDeployment, ServiceDeploymentBrief, ServiceRevision, ServiceRevisionSummary, Task } from "@aws-sdk/client-ecs";
import type { DocumentType } from "@smithy/types";
import { AwsServiceError } from "../../types.ts";

export interface RevisionSeed {
  taskDefinition: string;
  /** The target group the revision's tasks serve (its resolved configuration). */
  targetGroupArn?: string;
  /** The service's load balancer as the revision records it (the blue/green advanced configuration). */
  loadBalancer?: { containerName: string; containerPort: number; targetGroupArn: string; alternateTargetGroupArn?: string; productionListenerRule?: string; testListenerRule?: string; roleArn?: string };
  /** Container name → image digest ECS resolved (a digest derived from the image when omitted). */
  digests?: Record<string, string>;
}

export interface LifecycleHookSeed {
  hookTargetArn: string;
  roleArn?: string;
  lifecycleStages: string[];
  /** The service's own hookDetails, passed on every invocation. */
  hookDetails?: Record<string, unknown>;
  timeoutInMinutes?: number;
}

export interface ServiceDeploymentSeed {
  cluster: string;
  service: string;
  source: RevisionSeed;
  target: RevisionSeed;
  desiredCount?: number;
  strategy?: "BLUE_GREEN" | "LINEAR" | "CANARY";
  lifecycleHooks?: LifecycleHookSeed[];
  /** Deployment alarms (deploymentConfiguration.alarms). */
  alarms?: string[];
}

export interface SeededServiceDeployment {
  serviceDeploymentArn: string;
  sourceRevisionArn: string;
  targetRevisionArn: string;
}

export interface StageOptions {
  /** When ECS entered the stage (default now): the hooks' expiresAt count from it. */
  at?: Date;
  /** The green revision's production weight at PRE_/PRODUCTION_TRAFFIC_SHIFT (default 0 / 100). */
  productionWeight?: number;
}

interface StoredDeployment {
  record: ServiceDeployment;
  cluster: string;
  service: string;
  hooks: LifecycleHookSeed[];
  /** Execution id of each active hook (by target ARN), stable across its re-invocations. */
  executions: Map<string, string>;
  productionWeight: number | undefined;
  desiredCount: number;
}

export interface ServiceDeploymentsOptions {
  arnOf: (kind: string, name: string) => string;
  definitionImages: (taskDefinition: string) => Array<{ name: string; image: string }>;
  tasks: Task[];
}

const ROLLING_BACK = new Set(["ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"]);
const clientError = (message: string) => new AwsServiceError("InvalidParameterException", message);

/**
 * The service deployments of one emulated ECS.
 *
 * @example
 * const deployments = createServiceDeployments({ arnOf, definitionImages, tasks });
 * const { serviceDeploymentArn } = deployments.create({ cluster: "prod", service: "shop", source, target, lifecycleHooks });
 * deployments.enterStage(serviceDeploymentArn, "POST_TEST_TRAFFIC_SHIFT");
 * const event = deployments.hookEvent(serviceDeploymentArn); // what ECS invokes the hook with
 */
export function createServiceDeployments(options: ServiceDeploymentsOptions) {
  const { arnOf, tasks } = options;
  const revisions = new Map<string, ServiceRevision>();
  const deployments = new Map<string, StoredDeployment>();
  let serial = 0;

  const revisionIdOf = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);
  const tasksOf = (revisionArn: string) => tasks.filter((task) => task.startedBy === `ecs-svc/${revisionIdOf(revisionArn)}`);
  const stored = (arn: string) => {
    const found = deployments.get(arn);
    if (!found) throw new Error(`no service deployment ${arn}`);
    return found;
  };

  function createRevision(cluster: string, service: string, seed: RevisionSeed): string {
    serial += 1;
    const id = `${Date.now()}${String(serial).padStart(6, "0")}`;
    const arn = arnOf("service-revision", `${cluster}/${service}/${id}`);
    const digestOf = (image: string) => `sha256:${Buffer.from(image).toString("hex").padEnd(64, "0").slice(0, 64)}`;
    revisions.set(arn, {
      serviceRevisionArn: arn,
      serviceArn: arnOf("service", `${cluster}/${service}`),
      clusterArn: arnOf("cluster", cluster),
      taskDefinition: seed.taskDefinition,
      launchType: "FARGATE",
      platformVersion: "1.4.0",
      platformFamily: "Linux",
      loadBalancers: seed.loadBalancer ? [loadBalancerOf(seed.loadBalancer)] : [],
      containerImages: options.definitionImages(seed.taskDefinition).map((c) => ({ containerName: c.name, image: c.image, imageDigest: seed.digests?.[c.name] ?? digestOf(c.image) })),
      createdAt: new Date(),
      ...(seed.targetGroupArn ? { resolvedConfiguration: { loadBalancers: [{ targetGroupArn: seed.targetGroupArn }] } } : {}),
    });
    return arn;
  }

  /** A revision's summary in a deployment record: its counts from its tasks, its weights from the stage. */
  function summary(deployment: StoredDeployment, arn: string, green: boolean): ServiceRevisionSummary {
    const own = tasksOf(arn);
    const stage = deployment.record.lifecycleStage ?? "PRE_SCALE_UP";
    const scaled = green ? !["RECONCILE_SERVICE", "PRE_SCALE_UP"].includes(stage) : true;
    const { test, production } = weights(deployment, stage);
    return {
      arn,
      requestedTaskCount: scaled ? deployment.desiredCount : 0,
      runningTaskCount: own.filter((task) => task.lastStatus === "RUNNING").length,
      pendingTaskCount: own.filter((task) => task.lastStatus === "PENDING").length,
      requestedTestTrafficWeight: green ? test : 100 - test,
      requestedProductionTrafficWeight: green ? production : 100 - production,
    };
  }

  /** The green revision's test and production weights at a stage (a rollback moves them back). */
  function weights(deployment: StoredDeployment, stage: string): { test: number; production: number } {
    if (ROLLING_BACK.has(deployment.record.status ?? "") || deployment.record.status === "ROLLBACK_SUCCESSFUL") return { test: 0, production: 0 };
    const order = ["RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT", "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"];
    const at = order.indexOf(stage);
    const test = at >= order.indexOf("TEST_TRAFFIC_SHIFT") ? 100 : 0;
    const production =
      stage === "PRE_PRODUCTION_TRAFFIC_SHIFT" ? (deployment.productionWeight ?? 0) : stage === "PRODUCTION_TRAFFIC_SHIFT" ? (deployment.productionWeight ?? 100) : at > order.indexOf("PRODUCTION_TRAFFIC_SHIFT") ? 100 : 0;
    return { test, production };
  }

  function view(deployment: StoredDeployment): ServiceDeployment {
    const record = deployment.record;
    const target = record.targetServiceRevision!.arn!;
    return {
      ...record,
      targetServiceRevision: summary(deployment, target, true),
      sourceServiceRevisions: (record.sourceServiceRevisions ?? []).map((s) => summary(deployment, s.arn!, false)),
      lifecycleHookDetails: record.lifecycleHookDetails?.map((d) => ({ ...d })),
    };
  }

  return {
    create(seed: ServiceDeploymentSeed): SeededServiceDeployment {
      const sourceRevisionArn = createRevision(seed.cluster, seed.service, seed.source);
      const targetRevisionArn = createRevision(seed.cluster, seed.service, seed.target);
      const id = randomUUID().replace(/-/g, "").slice(0, 21);
      const serviceDeploymentArn = arnOf("service-deployment", `${seed.cluster}/${seed.service}/${id}`);
      const now = new Date();
      const hooks = seed.lifecycleHooks ?? [];
      const deployment: StoredDeployment = {
        cluster: seed.cluster,
        service: seed.service,
        hooks,
        executions: new Map(),
        productionWeight: undefined,
        desiredCount: seed.desiredCount ?? 2,
        record: {
          serviceDeploymentArn,
          serviceArn: arnOf("service", `${seed.cluster}/${seed.service}`),
          clusterArn: arnOf("cluster", seed.cluster),
          createdAt: now,
          startedAt: now,
          updatedAt: now,
          sourceServiceRevisions: [{ arn: sourceRevisionArn }],
          targetServiceRevision: { arn: targetRevisionArn },
          status: "IN_PROGRESS",
          lifecycleStage: "PRE_SCALE_UP",
          lifecycleHookDetails: [],
          deploymentConfiguration: {
            maximumPercent: 200,
            minimumHealthyPercent: 100,
            strategy: seed.strategy ?? "BLUE_GREEN",
            bakeTimeInMinutes: 0,
            lifecycleHooks: hooks.map((hook) => ({
              targetType: "AWS_LAMBDA",
              hookTargetArn: hook.hookTargetArn,
              roleArn: hook.roleArn,
              lifecycleStages: hook.lifecycleStages as DeploymentLifecycleHookStage[],
              ...(hook.hookDetails ? { hookDetails: hook.hookDetails as DocumentType } : {}),
              timeoutConfiguration: { timeoutInMinutes: hook.timeoutInMinutes ?? 1_440, action: "ROLLBACK" },
            })),
            ...(seed.alarms ? { alarms: { alarmNames: seed.alarms, enable: true, rollback: true } } : {}),
          },
          deploymentCircuitBreaker: { status: "DISABLED", failureCount: 0, threshold: 3 },
          alarms: seed.alarms ? { status: "MONITORING", alarmNames: seed.alarms, triggeredAlarmNames: [] } : { status: "DISABLED" },
        },
      };
      deployments.set(serviceDeploymentArn, deployment);
      return { serviceDeploymentArn, sourceRevisionArn, targetRevisionArn };
    },

    /** ECS reaches `stage`: the hooks configured for it become active, expiring after their timeout. */
    enterStage(arn: string, stage: string, options: StageOptions = {}): void {
      const deployment = stored(arn);
      const at = options.at ?? new Date();
      deployment.record.lifecycleStage = stage as ServiceDeployment["lifecycleStage"];
      deployment.record.updatedAt = at;
      deployment.productionWeight = options.productionWeight;
      deployment.executions.clear();
      const active = deployment.hooks.filter((hook) => hook.lifecycleStages.includes(stage));
      deployment.record.lifecycleHookDetails = active.map((hook) => {
        deployment.executions.set(hook.hookTargetArn, randomUUID());
        return {
          hookId: randomUUID(),
          targetType: "AWS_LAMBDA",
          targetArn: hook.hookTargetArn,
          status: "IN_PROGRESS",
          expiresAt: new Date(at.getTime() + (hook.timeoutInMinutes ?? 1_440) * 60_000),
          timeoutAction: "ROLLBACK",
        };
      });
    },

    /**
     * The payload ECS invokes the stage's hook with. `hookDetails` is what the hook's last
     * IN_PROGRESS answer returned; ECS merges it into the service's own hookDetails.
     */
    hookEvent(arn: string, options: { hookDetails?: Record<string, unknown>; hookTargetArn?: string } = {}): Record<string, unknown> {
      const deployment = stored(arn);
      const stage = deployment.record.lifecycleStage ?? "PRE_SCALE_UP";
      const hook = deployment.hooks.find((h) => h.lifecycleStages.includes(stage) && (!options.hookTargetArn || h.hookTargetArn === options.hookTargetArn));
      if (!hook) throw new Error(`no lifecycle hook of ${arn} runs at ${stage}`);
      const target = deployment.record.targetServiceRevision!.arn!;
      const source = deployment.record.sourceServiceRevisions![0]!.arn!;
      const { test, production } = weights(deployment, stage);
      const shifted = (green: number) => ({ [target]: green, [source]: 100 - green });
      const hookDetails = { ...hook.hookDetails, ...options.hookDetails };
      return {
        executionId: deployment.executions.get(hook.hookTargetArn) ?? randomUUID(),
        lifecycleStage: stage,
        resourceArn: arn,
        executionDetails: {
          serviceArn: deployment.record.serviceArn,
          targetServiceRevisionArn: target,
          testTrafficWeights: stage === "TEST_TRAFFIC_SHIFT" ? shifted(test) : {},
          productionTrafficWeights: ["PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"].includes(stage) ? shifted(production) : {},
        },
        ...(Object.keys(hookDetails).length > 0 ? { hookDetails } : {}),
      };
    },

    /** The active hooks answered: SUCCEEDED lets the stage finish; FAILED rolls the deployment back. */
    completeHooks(arn: string, status: "SUCCEEDED" | "FAILED"): void {
      const deployment = stored(arn);
      for (const detail of deployment.record.lifecycleHookDetails ?? []) detail.status = status;
      if (status === "FAILED") {
        deployment.record.status = "ROLLBACK_IN_PROGRESS";
        deployment.record.statusReason = `lifecycle hook failed at ${deployment.record.lifecycleStage}`;
        deployment.record.rollback = { reason: "A lifecycle hook returned FAILED", startedAt: new Date(), serviceRevisionArn: deployment.record.sourceServiceRevisions![0]!.arn };
      }
    },

    /** Ends the deployment (SUCCESSFUL, ROLLBACK_SUCCESSFUL, STOPPED …). */
    finish(arn: string, status: NonNullable<ServiceDeployment["status"]>, reason?: string): void {
      const deployment = stored(arn);
      deployment.record.status = status;
      if (reason) deployment.record.statusReason = reason;
      deployment.record.finishedAt = new Date();
    },

    /** A deployment alarm goes into ALARM. */
    triggerAlarm(arn: string, name: string): void {
      const alarms = stored(arn).record.alarms;
      if (alarms) alarms.triggeredAlarmNames = [...(alarms.triggeredAlarmNames ?? []), name];
    },

    get: (arn: string) => {
      const deployment = deployments.get(arn);
      return deployment ? view(deployment) : undefined;
    },
    revision: (arn: string) => revisions.get(arn),
    revisionTaskGroup: (arn: string) => {
      const revision = revisions.get(arn);
      if (!revision) throw new Error(`no service revision ${arn}`);
      const service = (revision.serviceArn ?? "").split("/").pop()!;
      const cluster = (revision.clusterArn ?? "").split("/").pop()!;
      return { cluster, service, startedBy: `ecs-svc/${revisionIdOf(arn)}`, revision };
    },

    operations: {
      DescribeServiceDeployments(input: { serviceDeploymentArns?: string[] }) {
        const arns = input.serviceDeploymentArns ?? [];
        if (arns.length === 0) throw clientError("serviceDeploymentArns must contain at least one ARN.");
        if (arns.length > 20) throw clientError("serviceDeploymentArns can have at most 20 elements.");
        const found = arns.map((arn) => deployments.get(arn));
        return {
          serviceDeployments: found.flatMap((d) => (d ? [view(d)] : [])),
          failures: arns.filter((_, i) => !found[i]).map((arn) => ({ arn, reason: "MISSING" })),
        };
      },
      ListServiceDeployments(input: { service?: string; cluster?: string; status?: string[]; createdAt?: { before?: number; after?: number }; nextToken?: string; maxResults?: number }) {
        const service = (input.service ?? "").split("/").pop() ?? "";
        const cluster = (input.cluster ?? "default").split("/").pop() ?? "default";
        const ofService = [...deployments.values()].filter((d) => d.cluster === cluster && d.service === service);
        if (ofService.length === 0) throw new AwsServiceError("ServiceNotFoundException", `Service not found: ${service} in ${cluster}.`);
        const time = (d: StoredDeployment) => d.record.createdAt!.getTime() / 1000;
        const matching = ofService
          .filter((d) => !input.status?.length || input.status.includes(d.record.status ?? ""))
          .filter((d) => input.createdAt?.before === undefined || time(d) < input.createdAt.before)
          .filter((d) => input.createdAt?.after === undefined || time(d) > input.createdAt.after)
          .sort((a, b) => time(b) - time(a));
        const size = Math.min(Math.max(input.maxResults ?? 20, 1), 100);
        const start = Number(input.nextToken ?? 0) || 0;
        const page = matching.slice(start, start + size).map(
          (d): ServiceDeploymentBrief => ({
            serviceDeploymentArn: d.record.serviceDeploymentArn,
            serviceArn: d.record.serviceArn,
            clusterArn: d.record.clusterArn,
            createdAt: d.record.createdAt,
            startedAt: d.record.startedAt,
            ...(d.record.finishedAt ? { finishedAt: d.record.finishedAt } : {}),
            targetServiceRevisionArn: d.record.targetServiceRevision?.arn,
            status: d.record.status,
            ...(d.record.statusReason ? { statusReason: d.record.statusReason } : {}),
          }),
        );
        return { serviceDeployments: page, ...(start + size < matching.length ? { nextToken: String(start + size) } : {}) };
      },
      DescribeServiceRevisions(input: { serviceRevisionArns?: string[] }) {
        const arns = input.serviceRevisionArns ?? [];
        if (arns.length === 0) throw clientError("serviceRevisionArns must contain at least one ARN.");
        if (arns.length > 20) throw clientError("serviceRevisionArns can have at most 20 elements.");
        const found = arns.map((arn) => revisions.get(arn));
        return {
          serviceRevisions: found.flatMap((r) => (r ? [r] : [])),
          failures: arns.filter((_, i) => !found[i]).map((arn) => ({ arn, reason: "MISSING" })),
        };
      },
    },
  };
}

export type ServiceDeployments = ReturnType<typeof createServiceDeployments>;

function loadBalancerOf(lb: NonNullable<RevisionSeed["loadBalancer"]>) {
  const { targetGroupArn, containerName, containerPort, ...advanced } = lb;
  return { targetGroupArn, containerName, containerPort, advancedConfiguration: advanced };
}
