/**
 * `runway route <payload.json>`: the decision Runway's webhook would make for one `workflow_job`
 * delivery, as JSON on stdout, and on stderr the reasoning a person reads at a glance. With
 * `--workflows DIR` it routes every job of a repository's workflow files instead.
 */
import type { ParseArgsOptionsConfig } from "node:util";
import { route } from "../../routing/route.ts";
import { parseCommandArgs } from "../args.ts";
import { EXIT, type CliCommand, type CommandIo } from "../command.ts";
import { cliStage, loadCliConfig } from "../config.ts";
import { UsageError } from "../errors.ts";
import { explainDecision } from "../explain.ts";
import { readDeliveryInput } from "../input.ts";
import { reportFailure, writeJson, writeLine } from "../output.ts";
import { routeWorkflows } from "./route-workflows.ts";

const options = {
  config: { type: "string", short: "c" },
  stage: { type: "string", short: "s" },
  json: { type: "boolean", default: false },
  explain: { type: "boolean", default: true },
  workflows: { type: "string", short: "w" },
  repo: { type: "string" },
  branch: { type: "string" },
  actor: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsOptionsConfig;

const usage = `Usage:
  runway route <payload.json | -> [--config FILE] [--stage STAGE] [--json]
  runway route --workflows DIR [--repo OWNER/NAME] [--branch BRANCH] [--actor LOGIN]
               [--config FILE] [--stage STAGE] [--json]

Decide which environment runs a GitHub Actions job, and say why.

With a payload: reads a workflow_job delivery body (a file, or - for stdin; JSON, or the
form-encoded payload= body of a webhook set to application/x-www-form-urlencoded), prints the
decision as JSON on stdout and explains it on stderr: per environment, whether the stage serves
it, each filter group and filter with the value it saw, the labels it lacks, and the reason.

With --workflows: reads DIR/.github/workflows/*.yml (or DIR itself when it is the workflows
folder) and, per workflow and job, says which environment would run it. A job that calls a
reusable workflow of the same folder is routed as the called jobs, under this workflow's name;
files only on: workflow_call are not workflows of their own. Workflow files do not say which
repository, branch or actor a run has: give them with --repo, --branch and --actor.

Options:
  -c, --config FILE      configuration file (default: $RUNWAY_CONFIG, else ./runway.yml)
  -s, --stage STAGE      route as this deployed stage (default: $RUNWAY_STAGE, else every environment)
      --json             print only JSON (same as --explain=false / --no-explain)
  -w, --workflows DIR    route the jobs of a repository's workflow files
      --repo OWNER/NAME  with --workflows: the repository the runs belong to
      --branch BRANCH    with --workflows: the branch the runs are for
      --actor LOGIN      with --workflows: who triggers the runs
  -h, --help             show this help

Exit status:
  0  a payload was routed to an environment / every workflow file was read
  1  the payload is ignored (no environment takes it) / a workflow file is broken
  2  bad usage, unreadable input (a folder with no workflow files), or a configuration that does not load`;

async function run(io: CommandIo): Promise<number> {
  try {
    const { values, positionals } = parseCommandArgs(io.argv, options);
    if (values.help) {
      writeLine(io.stdout, usage);
      return EXIT.ok;
    }
    if (values.workflows !== undefined) {
      if (positionals.length > 0) throw new UsageError(`give a payload file or --workflows DIR, not both (got ${positionals.join(" ")})`);
      return await routeWorkflows(io, { ...values, dir: values.workflows, json: values.json || !values.explain });
    }
    for (const name of ["repo", "branch", "actor"] as const) {
      if (values[name] !== undefined) throw new UsageError(`--${name} goes with --workflows; a payload carries its own ${name}`);
    }
    const [file, ...extra] = positionals;
    if (file === undefined) throw new UsageError("give a workflow_job payload file (or - for stdin), or --workflows DIR");
    if (extra.length > 0) throw new UsageError(`one payload at a time (got ${positionals.join(" ")})`);

    const payload = await readDeliveryInput(io, file);
    if (typeof (payload as { workflow_job?: unknown }).workflow_job !== "object") {
      throw new UsageError(`${file === "-" ? "stdin" : file} is not a workflow_job delivery body: it has no "workflow_job" object (save the delivery's payload, not its headers)`);
    }
    const { file: configFile, config } = loadCliConfig(io, values.config);
    const stage = cliStage(io, config, configFile, values.stage);
    const decision = route(payload, config, stage.served);

    writeJson(io.stdout, decision);
    if (values.explain && !values.json) {
      for (const line of explainDecision(payload, decision, config, stage)) writeLine(io.stderr, line);
    }
    return decision.outcome === "routed" ? EXIT.ok : EXIT.no;
  } catch (error) {
    return reportFailure(io, error, "route");
  }
}

/** The `route` subcommand. */
export const routeCommand: CliCommand = {
  summary: "which environment runs a workflow_job payload, or each job of a repository's workflows, and why",
  usage,
  run,
};
