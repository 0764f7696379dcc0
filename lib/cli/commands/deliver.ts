/**
 * `runway deliver`: send a `workflow_job` delivery to Runway and print what Runway answered. For
 * trying Runway by hand.
 *
 * To the local stack (the default) it goes out through the local GitHub, as a real delivery does:
 * the fake signs it with the App's webhook secret, sends it, and keeps it in the App's delivery log,
 * so a delivery Runway failed (a 503 while its queue was down) is redelivered like any other.
 * With `--url` (another Runway) it is signed and POSTed from here.
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

Send a GitHub webhook delivery to Runway; print the answer. Without a payload file, a
workflow_job delivery is made from the options. To the local stack (no --url) it goes out
through the local GitHub, which signs it, sends it and keeps it in the App's delivery log (so
it can be redelivered); with --url it is signed here and POSTed there.

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
  --url URL         another Runway's webhook URL (default: the local stack on 127.0.0.1:$PORT,
                    PORT 3000, through its GitHub)
  --secret S        sign with this webhook secret (default: the local GitHub's webhook secret;
                    with --url, $GITHUB_WEBHOOK_SECRET, else the local stack's default)

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
    const request = values.url === undefined ? throughLocalGitHub(io, values.event, values.secret, body) : signedHere(values.url, values.event, values.secret ?? io.env.GITHUB_WEBHOOK_SECRET, body);
    const response = await fetch(request.url, request.init).catch((error: unknown) => {
      throw new UsageError(`could not reach ${request.url} (${(error as Error).cause ?? (error as Error).message}); is \`npm start\` running?`, { cause: error });
    });
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

/** The local stack's GitHub signs, sends and logs it (lib/local/github-fake/delivery-routes.ts). */
function throughLocalGitHub(io: CommandIo, event: string, secret: string | undefined, body: string): { url: string; init: RequestInit } {
  const headers: Record<string, string> = { "content-type": "application/json", "x-github-event": event, ...(secret === undefined ? {} : { "x-runway-sign-with": secret }) };
  return { url: `http://127.0.0.1:${io.env.PORT ?? 3000}/github/api/_fake/deliveries`, init: { method: "POST", headers, body } };
}

/** Signed here, as GitHub signs, and POSTed to the webhook at `url`. */
function signedHere(url: string, event: string, secret: string | undefined, body: string): { url: string; init: RequestInit } {
  return { url, init: { method: "POST", headers: deliveryHeaders(secret ?? LOCAL_WEBHOOK_SECRET, body, event, randomUUID()), body } };
}

export const deliverCommand: CliCommand = {
  summary: "send a workflow_job delivery to Runway (the local stack, through its GitHub, by default)",
  usage,
  run,
};
