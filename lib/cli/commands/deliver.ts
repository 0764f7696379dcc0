/**
 * `runway deliver`: sign a `workflow_job` delivery as GitHub does and POST it to a Runway webhook
 * (by default the local stack's), then print what Runway answered. For trying Runway by hand.
 */
import { randomUUID } from "node:crypto";
import { RUN_LABEL_TEMPLATE, resolveRunExpressions } from "../../github/run-label.ts";
import { deliveryHeaders, workflowJob } from "../../github/sample-delivery.ts";
import { LOCAL_WEBHOOK_SECRET } from "../../local/defaults.ts";
import { parseCommandArgs } from "../args.ts";
import { EXIT, type CliCommand, type CommandIo } from "../command.ts";
import { UsageError } from "../errors.ts";
import { readInput } from "../input.ts";
import { reportFailure, writeLine } from "../output.ts";

const usage = `Usage: runway deliver [PAYLOAD.json | -] [options]

Sign a GitHub webhook delivery with the webhook secret and POST it to Runway; print the answer.
Without a payload file, a workflow_job delivery is made from the options.

Options:
  --workflow NAME   workflow name (default action-payments-dev-deploy)
  --job-name NAME   job name (default deploy); locally, a name with "fail" fails, "cancel" is cancelled
  --action A        queued | in_progress | completed | waiting (default queued)
  --conclusion C    with --action completed: success, failure … (default success)
  --labels L        runs-on labels, comma-separated, as a workflow writes them (default
                    self-hosted,runway-dev,runway-run-\${{ github.run_id }}-\${{ github.run_attempt }};
                    the run label's expressions resolve to --run-id and attempt 1)
  --repo O/N        repository (default acme/payments)
  --branch B        head branch (default main)
  --job-id N        job id (default: a fresh one each time)
  --run-id N        workflow run id (default: the job id, so each delivery is a run of its own)
  --event E         X-GitHub-Event (default workflow_job)
  --url URL         webhook URL (default http://127.0.0.1:$PORT/github/webhook, PORT 3000)
  --secret S        webhook secret (default $GITHUB_WEBHOOK_SECRET, else the local stack's default)

Exit status: 0 when Runway answered 2xx, 1 otherwise, 2 bad usage.`;

const options = {
  help: { type: "boolean", short: "h", default: false },
  workflow: { type: "string", default: "action-payments-dev-deploy" },
  "job-name": { type: "string", default: "deploy" },
  action: { type: "string", default: "queued" },
  conclusion: { type: "string" },
  labels: { type: "string", default: `self-hosted,runway-dev,${RUN_LABEL_TEMPLATE}` },
  "run-id": { type: "string" },
  repo: { type: "string", default: "acme/payments" },
  branch: { type: "string", default: "main" },
  "job-id": { type: "string" },
  event: { type: "string", default: "workflow_job" },
  url: { type: "string" },
  secret: { type: "string" },
} as const;

async function run(io: CommandIo): Promise<number> {
  try {
    const { values, positionals } = parseCommandArgs(io.argv, options);
    if (values.help) {
      writeLine(io.stdout, usage);
      return EXIT.ok;
    }
    const jobId = values["job-id"] === undefined ? Math.floor(Date.now() % 1e9) : Number(values["job-id"]);
    if (!Number.isSafeInteger(jobId) || jobId <= 0) throw new UsageError(`--job-id must be a positive whole number`);
    const runId = values["run-id"] === undefined ? jobId : Number(values["run-id"]);
    if (!Number.isSafeInteger(runId) || runId <= 0) throw new UsageError(`--run-id must be a positive whole number`);
    const body =
      positionals[0] !== undefined
        ? await readInput(io, positionals[0])
        : JSON.stringify(
            workflowJob({
              action: values.action,
              id: jobId,
              runId,
              workflowName: values.workflow,
              jobName: values["job-name"],
              labels: values.labels
                .split(",")
                .map((l) => resolveRunExpressions(l.trim(), runId))
                .filter(Boolean),
              repository: values.repo,
              headBranch: values.branch,
              conclusion: values.action === "completed" ? (values.conclusion ?? "success") : null,
              runnerName: values.action === "queued" ? null : `runway-${jobId}`,
            }),
          );
    const url = values.url ?? `http://127.0.0.1:${io.env.PORT ?? 3000}/github/webhook`;
    const secret = values.secret ?? io.env.GITHUB_WEBHOOK_SECRET ?? LOCAL_WEBHOOK_SECRET;
    const response = await fetch(url, { method: "POST", headers: deliveryHeaders(secret, body, values.event, randomUUID()), body }).catch(
      (error: unknown) => {
        throw new UsageError(`could not reach ${url} (${(error as Error).cause ?? (error as Error).message}); is \`npm start\` running?`, { cause: error });
      },
    );
    const text = await response.text();
    writeLine(io.stdout, `${response.status} ${response.statusText}`);
    try {
      writeLine(io.stdout, JSON.stringify(JSON.parse(text), null, 2));
    } catch {
      writeLine(io.stdout, text);
    }
    return response.ok ? EXIT.ok : EXIT.no;
  } catch (error) {
    return reportFailure(io, error, "deliver");
  }
}

export const deliverCommand: CliCommand = {
  summary: "sign a workflow_job delivery and POST it to Runway (the local stack by default)",
  usage,
  run,
};
