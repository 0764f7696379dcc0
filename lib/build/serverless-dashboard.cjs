/**
 * The stage's CloudWatch dashboard, `runway-<stage>` (built by serverless-alarms.cjs with the
 * functions, queues and alarms it derived): the alarms' states first, then launches and their
 * latency, the queues, the functions, and Runway's own counters, one widget per question.
 *
 * The body follows CloudWatch's "Dashboard Body Structure and Syntax": a 24-column grid of
 * widgets; each metric is `[namespace, name, dimension, value, …, { rendering }]`. It is one
 * `Fn::Sub` string, so the region, function names (`${…LambdaFunction}`), queue names
 * (`${Queue.QueueName}`) and alarm ARNs (`${…Alarm.Arn}`) resolve when the stack is deployed.
 */
"use strict";

const GRID = 24;
const REGION = "${AWS::Region}";
/** CloudWatch's limit of alarms in one alarm status widget. */
const ALARMS_PER_WIDGET = 100;

/** Lays widgets out left to right, starting a new row when one does not fit. */
function layout(rows) {
  const widgets = [];
  let y = 0;
  for (const row of rows) {
    let x = 0;
    let height = 0;
    for (const widget of row) {
      if (x + widget.width > GRID) {
        y += height;
        x = 0;
        height = 0;
      }
      widgets.push({ ...widget, x, y });
      x += widget.width;
      height = Math.max(height, widget.height);
    }
    y += height;
  }
  return widgets;
}

function graph(title, metrics, { width = 8, height = 6, stat = "Sum", period = 60, annotations, yAxis } = {}) {
  return {
    type: "metric",
    width,
    height,
    properties: { title, region: REGION, view: "timeSeries", stacked: false, stat, period, metrics, ...(annotations ? { annotations } : {}), ...(yAxis ? { yAxis } : {}) },
  };
}

/**
 * The dashboard resource.
 *
 * @example
 * dashboard({ stage: "dev", service: "runway", functions: [{ key: "reconciler", id: "ReconcilerLambdaFunction" }],
 *   queues: [], deadLetterQueues: [], alarmIds: ["ReconcilerErrorsAlarm"], rateLimitFloor: 500 });
 * // { Type: "AWS::CloudWatch::Dashboard", Properties: { DashboardName: "runway-dev", DashboardBody: { "Fn::Sub": "{…}" } } }
 */
function dashboard({ stage, service, functions, queues, deadLetterQueues, alarmIds, rateLimitFloor }) {
  const runway = (name, rendering = {}) => ["Runway", name, "service", service, "stage", stage, { label: name, ...rendering }];
  const lambda = (metric, rendering = {}) => functions.map((fn) => ["AWS/Lambda", metric, "FunctionName", `\${${fn.id}}`, { label: fn.key, ...rendering }]);
  const sqs = (metric, ids) => ids.map((id) => ["AWS/SQS", metric, "QueueName", `\${${id}.QueueName}`, { label: id }]);
  const percentiles = (name) => [runway(name, { stat: "p50", label: `${name} p50` }), runway(name, { stat: "p99", label: `${name} p99` })];
  const milliseconds = { left: { label: "ms", min: 0 } };

  const alarmWidgets = [];
  for (let i = 0; i < alarmIds.length; i += ALARMS_PER_WIDGET) {
    const ids = alarmIds.slice(i, i + ALARMS_PER_WIDGET);
    alarmWidgets.push({
      type: "alarm",
      width: GRID,
      height: Math.min(12, 2 + Math.ceil(ids.length / 6)),
      properties: { title: "Alarms (those firing first)", alarms: ids.map((id) => `\${${id}.Arn}`), sortBy: "stateUpdatedTimestamp" },
    });
  }

  const rows = [
    [
      {
        type: "text",
        width: GRID,
        height: 2,
        properties: {
          markdown: `## Runway ${stage}\nWhat each alarm means and what to do: README, *Running it: alarms, dashboard and runbook*. Latencies are in milliseconds; counts are per minute.`,
        },
      },
    ],
    alarmWidgets,
    [
      graph("Runner launches", [runway("RunnerLaunched"), runway("LaunchRefused"), runway("LaunchParked"), runway("ForeignJobCaught")]),
      graph("Delivery → StartBuild", percentiles("DeliveryToStartBuild"), { stat: "p50", period: 300, yAxis: milliseconds }),
      graph("Job queued → runner took it", percentiles("QueuedToJobTaken"), { stat: "p50", period: 300, yAxis: milliseconds }),
    ],
    [
      graph("Queue depth (visible messages)", sqs("ApproximateNumberOfMessagesVisible", queues.map((q) => q.id)), { stat: "Maximum" }),
      graph("Age of the oldest message (s)", sqs("ApproximateAgeOfOldestMessage", queues.map((q) => q.id)), {
        stat: "Maximum",
        annotations: { horizontal: queues.map((q) => ({ label: `${q.id} alarm`, value: q.ageThreshold })) },
      }),
      graph("Dead-letter queues (messages)", sqs("ApproximateNumberOfMessagesVisible", deadLetterQueues), { stat: "Maximum" }),
    ],
    [
      graph("Errors by function", lambda("Errors")),
      graph("Throttles by function", lambda("Throttles")),
      graph("Duration p99 by function (ms)", lambda("Duration"), { stat: "p99", period: 300 }),
    ],
    [
      graph("Reconciler", [runway("ReconcilerRelaunched"), runway("ReconcilerBuildStopped"), runway("ReconcilerJitConfigDeleted"), runway("ReconcilerFailed")]),
      graph("Redeliveries requested from GitHub", [runway("RedeliveryRequested")]),
      graph("GitHub rate-limit headroom", [runway("GitHubRateLimitRemaining", { stat: "Minimum" }), runway("GitHubAppRateLimited", { yAxis: "right" })], {
        period: 300,
        annotations: { horizontal: [{ label: "alarm floor", value: rateLimitFloor }] },
      }),
    ],
    [
      graph("Deployment verdicts", [runway("HookSucceeded"), runway("HookFailed")]),
      graph("Slack posts that failed", [runway("SlackDeliveryFailed")]),
      graph("Runner installs and release", [runway("RunnerInstallFailed"), runway("RunnerReleaseBehind", { stat: "Maximum", yAxis: "right" })], { period: 300 }),
    ],
  ];

  const body = { start: "-PT6H", widgets: layout(rows) };
  return {
    Type: "AWS::CloudWatch::Dashboard",
    Properties: { DashboardName: `runway-${stage}`, DashboardBody: { "Fn::Sub": JSON.stringify(body) } },
  };
}

module.exports = { dashboard, ALARMS_PER_WIDGET };
