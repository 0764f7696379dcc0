/**
 * Runway's alarms and its dashboard (serverless.yml `${file(./lib/build/serverless-alarms.cjs):resources}`),
 * derived from the service's own function list, so a function added tomorrow is watched without
 * anyone remembering to add an alarm:
 *
 * - every function: Errors (it threw or timed out) and Throttles (no concurrency left for it);
 * - every queue that an SQS event of a function reads: the age of its oldest message;
 * - every dead-letter queue: not empty (the names and descriptions operators already know);
 * - the launcher's SSM parameter limit (a log metric filter: the limit is retried, so nothing else says so);
 * - Runway's own metrics (lib/observability/metrics.ts: namespace Runway, dimensions service and
 *   stage): parked launches, foreign jobs, failed runner installs, a failing reconciler, failing
 *   Slack posts, GitHub rate-limit headroom, a runner release that is not being kept current;
 * - one dashboard, `runway-<stage>`, that shows the stage at a glance.
 *
 * Every alarm notifies AlarmTopic when it fires and when it clears. What each one means and what to
 * do: README, "Running it: alarms, dashboard and runbook". Thresholds an operator may tune are
 * stage params (`alarm*` in serverless.yml's params.default), each checked here.
 */
"use strict";

const { param, RunwayConfigForStageError } = require("./serverless-context.cjs");
const { dashboard } = require("./serverless-dashboard.cjs");

const NAMESPACE = "Runway";
const TOPIC = { Ref: "AlarmTopic" };

/** osls's logical ids (its naming.getNormalizedResourceName): `runner-launcher` → `RunnerDashlauncher…`. */
const normalized = (key) => {
  const name = key.replace(/-/g, "Dash").replace(/_/g, "Underscore");
  return name.charAt(0).toUpperCase() + name.slice(1);
};
const functionId = (key) => `${normalized(key)}LambdaFunction`;
const kebab = (id) => id.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

/**
 * The params an operator may tune, why each default, and the bounds CloudWatch sets: an alarm on
 * one-minute periods may look back at most a day, one on hourly periods at most seven.
 */
const TUNABLE = {
  // One failed pass is a blip (GitHub answering 502 once); five in a row mean stuck launches, idle
  // builds and used JIT configs are not being cleaned up.
  alarmReconcilerFailedMinutes: { fallback: 5, min: 1, max: 1439 },
  // Slack posts are retried (Retry-After, then backoff), so one failure says little; failures in
  // half of ten minutes are an outage or a revoked credential, before the dead-letter queue fills.
  alarmSlackFailedMinutes: { fallback: 10, min: 1, max: 1440 },
  // Remaining GitHub API requests of an App (the lowest App's, with several): a launch takes a few
  // requests and the reconciler's checks more, so under 500 a busy hour runs out before the reset.
  alarmGitHubRateLimitFloor: { fallback: 500, min: 1, max: 1_000_000 },
  // GitHub requires each actions/runner release within 30 days; a day behind leaves 29 to act.
  alarmRunnerReleaseBehindHours: { fallback: 24, min: 1, max: 168 },
};

/** The stage's validated thresholds. */
async function thresholds(variables) {
  const values = {};
  for (const [name, { fallback, min, max }] of Object.entries(TUNABLE)) {
    const value = await param(variables, name, fallback);
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new RunwayConfigForStageError(`params.${name} in serverless.yml must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
    }
    values[name] = number;
  }
  return values;
}

/** A CloudWatch alarm on one metric that tells AlarmTopic when it fires and when it clears. */
function alarm({ name, description, namespace, metric, dimensions, statistic, period, evaluationPeriods, datapointsToAlarm, threshold, comparison, treatMissingData, insufficientData }) {
  return {
    Type: "AWS::CloudWatch::Alarm",
    Properties: {
      AlarmName: name,
      AlarmDescription: description,
      Namespace: namespace,
      MetricName: metric,
      ...(dimensions.length > 0 ? { Dimensions: dimensions.map(([Name, Value]) => ({ Name, Value })) } : {}),
      Statistic: statistic,
      Period: period,
      EvaluationPeriods: evaluationPeriods,
      ...(datapointsToAlarm === undefined ? {} : { DatapointsToAlarm: datapointsToAlarm }),
      Threshold: threshold,
      ComparisonOperator: comparison,
      TreatMissingData: treatMissingData,
      AlarmActions: [TOPIC],
      OKActions: [TOPIC],
      ...(insufficientData ? { InsufficientDataActions: [TOPIC] } : {}),
    },
  };
}

/**
 * Something that should never happen, counted per minute: fires within a minute of the first one
 * and clears after five quiet minutes, so a burst is one notification, not one a minute. The metric
 * only has data when something is counted (Lambda's when the function ran): missing is "none".
 */
const ANY_IN_A_MINUTE = { statistic: "Sum", period: 60, evaluationPeriods: 5, datapointsToAlarm: 1, threshold: 0, comparison: "GreaterThanThreshold", treatMissingData: "notBreaching" };

/** Errors and Throttles of each function, whatever it is called (hooks have names of their own). */
function functionAlarms(stage, functions) {
  const resources = {};
  for (const { key, description } of functions) {
    const dimensions = [["FunctionName", { Ref: functionId(key) }]];
    resources[`${normalized(key)}ErrorsAlarm`] = alarm({
      name: `runway-${stage}-${key}-errors`,
      description: `${key} threw or timed out (${description}); its log group /aws/lambda/<function> says why: README, "Running it"`,
      namespace: "AWS/Lambda",
      metric: "Errors",
      dimensions,
      ...ANY_IN_A_MINUTE,
    });
    resources[`${normalized(key)}ThrottlesAlarm`] = alarm({
      name: `runway-${stage}-${key}-throttles`,
      description: `Lambda refused to run ${key} for want of concurrency: the account's concurrency is used up, or the function's reserved concurrency is too low`,
      namespace: "AWS/Lambda",
      metric: "Throttles",
      dimensions,
      ...ANY_IN_A_MINUTE,
    });
  }
  return resources;
}

/** Who waits when each queue's messages wait; a queue added later gets its consumer's description. */
const WAITING = {
  JobQueue: "queued GitHub jobs are waiting for their runners",
  ProtectionQueue: "deployments are waiting for their protection rules' answers",
  NotifyQueue: "Slack threads are falling behind",
};

/**
 * The queues the functions' SQS events read, each with its consumer. The queue's visibility timeout
 * is six times its consumer's timeout (AWS's advice for SQS event sources; serverless.yml keeps it).
 */
function fedQueues(functions) {
  const queues = new Map();
  for (const fn of functions) {
    for (const event of fn.events) {
      if (!event || typeof event !== "object" || !("sqs" in event)) continue;
      const arn = typeof event.sqs === "object" && event.sqs !== null ? event.sqs.arn : event.sqs;
      const getAtt = arn && typeof arn === "object" ? arn["Fn::GetAtt"] : undefined;
      if (!Array.isArray(getAtt) || getAtt[1] !== "Arn") {
        throw new RunwayConfigForStageError(
          `function ${fn.key} in serverless.yml: its sqs event's arn must be !GetAtt <Queue>.Arn of a queue in this stack, so lib/build/serverless-alarms.cjs can alarm on the queue's age (a queue of another stack is watched there)`,
        );
      }
      const other = queues.get(getAtt[0]);
      if (other) throw new RunwayConfigForStageError(`functions ${other.consumer} and ${fn.key} in serverless.yml both read ${getAtt[0]}: give each function a queue of its own`);
      queues.set(getAtt[0], { id: getAtt[0], consumer: fn.key, consumerDescription: fn.description, visibilityTimeout: 6 * fn.timeout });
    }
  }
  return [...queues.values()];
}

/**
 * A message older than two visibility timeouts has outlived two whole attempts of its consumer, or
 * nobody is receiving: the function throttled, its event source mapping disabled, or (FIFO) its
 * group blocked by a message that keeps failing. For the job queue that is 12 minutes, past the
 * launcher's own 8 attempts (at most about 8.5 minutes of backoff before it parks a launch), so
 * a queued job is waiting for a runner that nothing is starting. A standard queue's metric leaves
 * out messages received three times or more, so there it means the consumer is not receiving.
 */
const ageThreshold = (queue) => 2 * queue.visibilityTimeout;

function queueAgeAlarms(stage, queues) {
  const resources = {};
  for (const queue of queues) {
    const minutes = ageThreshold(queue) / 60;
    resources[`${queue.id}AgeAlarm`] = alarm({
      name: `runway-${stage}-${kebab(queue.id)}-age`,
      description: `A message on ${queue.id} has waited over ${minutes} minutes for ${queue.consumer}: ${WAITING[queue.id] ?? `${queue.consumerDescription} is behind`}. Look at ${queue.consumer}'s errors, throttles and logs`,
      namespace: "AWS/SQS",
      metric: "ApproximateAgeOfOldestMessage",
      dimensions: [["QueueName", { "Fn::GetAtt": [queue.id, "QueueName"] }]],
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 1,
      threshold: ageThreshold(queue),
      comparison: "GreaterThanThreshold",
      // SQS reports the age only while the queue holds a message: no data is an empty queue.
      treatMissingData: "notBreaching",
    });
  }
  return resources;
}

/** Anything in a dead-letter queue is a launch, an answer or a notification that did not happen. */
const DEAD_LETTER_QUEUES = [
  {
    id: "JobDeadLetterAlarm",
    queue: "JobDeadLetterQueue",
    name: "jobs-dlq-not-empty",
    description: "Runner launches were parked in the job dead-letter queue; read the reason attribute, fix, then `npx runway replay`",
  },
  {
    id: "ProtectionDeadLetterAlarm",
    queue: "ProtectionDeadLetterQueue",
    name: "protection-dlq-not-empty",
    description: "A GitHub deployment protection rule request could not be answered; read its reason attribute, fix, then redrive the queue (GitHub waits up to 30 days)",
  },
  {
    id: "NotifyDeadLetterAlarm",
    queue: "NotifyDeadLetterQueue",
    name: "notify-dlq-not-empty",
    description: "Slack notifications were parked in the notify dead-letter queue; check the Slack credential, then redrive the queue",
  },
];

function deadLetterAlarms(stage) {
  return Object.fromEntries(
    DEAD_LETTER_QUEUES.map((dlq) => [
      dlq.id,
      alarm({
        name: `runway-${stage}-${dlq.name}`,
        description: dlq.description,
        namespace: "AWS/SQS",
        metric: "ApproximateNumberOfMessagesVisible",
        dimensions: [["QueueName", { "Fn::GetAtt": [dlq.queue, "QueueName"] }]],
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 1,
        threshold: 0,
        comparison: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
      }),
    ]),
  );
}

/**
 * The account's 10,000 standard SSM parameters are used up: JIT configs cannot be stored, and
 * launches wait (retried, not parked) until parameters are deleted. The launcher logs
 * `"alarm": "ParameterLimitExceeded"` (lib/runners/aws-ports.ts) each time it meets the limit.
 */
function parameterLimit(stage) {
  const metric = `ParameterLimitExceeded-${stage}`; // stages sharing an account keep apart
  return {
    ParameterLimitMetricFilter: {
      Type: "AWS::Logs::MetricFilter",
      Properties: {
        LogGroupName: { Ref: `${normalized("runner-launcher")}LogGroup` },
        FilterPattern: '{ $.alarm = "ParameterLimitExceeded" }',
        MetricTransformations: [{ MetricNamespace: NAMESPACE, MetricName: metric, MetricValue: "1", DefaultValue: 0 }],
      },
    },
    ParameterLimitAlarm: alarm({
      name: `runway-${stage}-ssm-parameter-limit`,
      description:
        "JIT configs cannot be stored, the account's SSM parameter limit is reached; launches wait until parameters are deleted (check what else fills SSM Parameter Store in this account)",
      namespace: NAMESPACE,
      metric,
      dimensions: [],
      statistic: "Sum",
      period: 60,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    }),
  };
}

/** Alarms on Runway's own metrics, all emitted with the dimensions service and stage. */
function runwayMetricAlarms(stage, service, t) {
  const dimensions = [
    ["service", service],
    ["stage", stage],
  ];
  const on = (metric, settings) => alarm({ namespace: NAMESPACE, metric, dimensions, ...settings });
  const slackMinutes = t.alarmSlackFailedMinutes;
  const releaseHours = t.alarmRunnerReleaseBehindHours;
  return {
    LaunchParkedAlarm: on("LaunchParked", {
      name: `runway-${stage}-launch-parked`,
      description: "A runner launch kept failing and was parked with its reason (the run's Slack thread says why); fix the cause, then `npx runway replay`",
      ...ANY_IN_A_MINUTE,
    }),
    ForeignJobCaughtAlarm: on("ForeignJobCaught", {
      name: `runway-${stage}-foreign-job-caught`,
      description: "A Runway runner took a job of another run or environment, or one Runway did not route; its build was stopped. Check the runner groups and runs-on labels (README, Security model)",
      ...ANY_IN_A_MINUTE,
    }),
    RunnerInstallFailedAlarm: on("RunnerInstallFailed", {
      name: `runway-${stage}-runner-install-failed`,
      description: "A runner build failed while installing the actions runner; read the build's INSTALL phase log (the runner release record, the image, the network)",
      ...ANY_IN_A_MINUTE,
    }),
    ReconcilerFailedAlarm: on("ReconcilerFailed", {
      name: `runway-${stage}-reconciler-failing`,
      description: `The reconciler could not finish its pass in ${t.alarmReconcilerFailedMinutes} of the last ${t.alarmReconcilerFailedMinutes + 1} minutes: stuck launches are not relaunched and idle builds not stopped. Its log says whether GitHub or AWS could not be asked`,
      statistic: "Sum",
      period: 60,
      // One minute of slack: the schedule may put two passes in one minute and none in the next.
      evaluationPeriods: t.alarmReconcilerFailedMinutes + 1,
      datapointsToAlarm: t.alarmReconcilerFailedMinutes,
      threshold: 0,
      comparison: "GreaterThanThreshold",
      // Only a failed pass is counted: a minute without data is a minute without failure.
      treatMissingData: "notBreaching",
    }),
    SlackDeliveryFailedAlarm: on("SlackDeliveryFailed", {
      name: `runway-${stage}-slack-delivery-failing`,
      description: `Slack posts failed in ${Math.ceil(slackMinutes / 2)} of the last ${slackMinutes} minutes (a Slack outage, a revoked or wrong credential, a channel the bot cannot post in); the notifier's log has Slack's error`,
      statistic: "Sum",
      period: 60,
      // Half the minutes, not all: a failed post is retried after a backoff, so failures come in waves.
      evaluationPeriods: slackMinutes,
      datapointsToAlarm: Math.ceil(slackMinutes / 2),
      threshold: 0,
      comparison: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    }),
    GitHubRateLimitLowAlarm: on("GitHubRateLimitRemaining", {
      name: `runway-${stage}-github-rate-limit-low`,
      description: `A GitHub App had fewer than ${t.alarmGitHubRateLimitFloor} API requests left before its hourly reset; launches will wait for it. Find what spends them (the reconciler's checks, a burst of jobs, another tool on the same App)`,
      statistic: "Minimum",
      period: 300,
      evaluationPeriods: 1,
      threshold: t.alarmGitHubRateLimitFloor,
      comparison: "LessThanThreshold",
      // Reported on each answer from GitHub: no data is no call, not a low limit.
      treatMissingData: "notBreaching",
    }),
    RunnerReleaseBehindAlarm: on("RunnerReleaseBehind", {
      name: `runway-${stage}-runner-release-behind`,
      description: `For ${releaseHours} hours the runner-release function could not record GitHub's latest actions/runner release (GitHub refuses runners a release too old); its log says why. INSUFFICIENT_DATA: it has not run at all in that time`,
      // Minimum of 1 over an hour: every run of that hour was behind.
      statistic: "Minimum",
      period: 3600,
      evaluationPeriods: releaseHours,
      datapointsToAlarm: releaseHours,
      threshold: 0,
      comparison: "GreaterThanThreshold",
      // It reports every hourly run. A day with no report at all is not "current" either, so that
      // goes to INSUFFICIENT_DATA and is told too; a new stage starts there and turns OK on its first run.
      treatMissingData: "missing",
      insufficientData: true,
    }),
  };
}

/** The functions of serverless.yml with what the alarms need of each. */
async function serviceFunctions({ resolveConfigurationProperty }) {
  const declared = (await resolveConfigurationProperty(["functions"])) ?? {};
  const providerTimeout = (await resolveConfigurationProperty(["provider", "timeout"])) ?? 6; // osls's default
  return Object.entries(declared).map(([key, fn]) => ({
    key,
    description: fn.description ?? key,
    timeout: Number(fn.timeout ?? providerTimeout),
    events: fn.events ?? [],
  }));
}

module.exports = {
  /** Every alarm, the dashboard that shows them, and its name as an output. */
  async resources(variables) {
    const stage = await variables.resolveVariable("sls:stage");
    const service = await variables.resolveVariable("self:provider.environment.POWERTOOLS_SERVICE_NAME, 'runway'");
    const t = await thresholds(variables);
    const functions = await serviceFunctions(variables);
    const queues = fedQueues(functions);
    const Resources = {
      ...functionAlarms(stage, functions),
      ...queueAgeAlarms(stage, queues),
      ...deadLetterAlarms(stage),
      ...(functions.some((fn) => fn.key === "runner-launcher") ? parameterLimit(stage) : {}),
      ...runwayMetricAlarms(stage, service, t),
    };
    const alarmIds = Object.keys(Resources).filter((id) => Resources[id].Type === "AWS::CloudWatch::Alarm");
    Resources.RunwayDashboard = dashboard({
      stage,
      service,
      functions: functions.map((fn) => ({ key: fn.key, id: functionId(fn.key) })),
      queues: queues.map((q) => ({ id: q.id, ageThreshold: ageThreshold(q) })),
      deadLetterQueues: DEAD_LETTER_QUEUES.map((dlq) => dlq.queue),
      alarmIds,
      rateLimitFloor: t.alarmGitHubRateLimitFloor,
    });
    return { Resources, Outputs: { DashboardName: { Description: "The stage's CloudWatch dashboard (README, Running it)", Value: `runway-${stage}` } } };
  },
};
