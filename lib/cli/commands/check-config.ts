/**
 * `runway check-config [FILE]`: validate a configuration file before deploying it, listing every
 * problem as `file:line:column field: message` so that an editor or CI annotator can jump to it.
 */
import { githubEndpoints, GitHubUrlError, type GitHubEndpoints } from "../../build/serverless-github.cjs";
import { ConfigError } from "../../config/errors.ts";
import type { RunwayConfig } from "../../config/schema.ts";
import { parseCommandArgs } from "../args.ts";
import { EXIT, type CliCommand, type CommandIo } from "../command.ts";
import { cliConfigPath, loadCliConfig } from "../config.ts";
import { UsageError } from "../errors.ts";
import { workflowNameWarnings } from "../ghes-warnings.ts";
import { displayPath, formatProblem, plural, reportFailure, writeLine } from "../output.ts";

const usage = `Usage: runway check-config [FILE] [--github-url URL]

Validate a Runway configuration file (default: $RUNWAY_CONFIG, else ./runway.yml): its encoding
(UTF-8, or UTF-16), YAML syntax and aliases, every field's type, unknown fields, regular
expressions, stages naming known environments.

Options:
      --github-url URL   the GitHub the stage serves, as serverless.yml's params.githubUrl
                         (default: $GITHUB_SERVER_URL, which GitHub Actions sets, else
                         https://github.com); on an Enterprise Server, warns about each
                         WORKFLOW_NAME filter, which deliveries before GHES 3.7 cannot match

Exit status:
  0  the file is valid: prints "ok: FILE: N environments (…), stages …", and any warnings on
     stderr as file:line:column field: warning: message
  1  the file is invalid, missing or unreadable (another encoding, a YAML bomb): prints every
     problem as file:line:column field: message
  2  bad usage`;

async function run(io: CommandIo): Promise<number> {
  let file: string | undefined;
  try {
    const { values, positionals } = parseCommandArgs(io.argv, { help: { type: "boolean", short: "h", default: false }, "github-url": { type: "string" } });
    if (values.help) {
      writeLine(io.stdout, usage);
      return EXIT.ok;
    }
    if (positionals.length > 1) throw new UsageError(`one file at a time (got ${positionals.join(" ")})`);
    const github = cliGitHub(values["github-url"], io.env.GITHUB_SERVER_URL);
    file = cliConfigPath(io, positionals[0]);
    const { config } = loadCliConfig(io, positionals[0]);
    writeLine(io.stdout, `ok: ${displayPath(io.cwd, file)}: ${describe(config)}`);
    for (const warning of workflowNameWarnings(config, file, github)) writeLine(io.stderr, formatProblem({ ...warning, message: `warning: ${warning.message}` }, io.cwd));
    return EXIT.ok;
  } catch (error) {
    // An invalid file is this command's "no" (exit 1), not a usage error.
    if (error instanceof ConfigError) {
      for (const problem of error.problems) writeLine(io.stderr, formatProblem(problem, io.cwd));
      writeLine(io.stderr, `${displayPath(io.cwd, file ?? "")}: ${plural(error.problems.length, "problem")}`);
      return EXIT.no;
    }
    return reportFailure(io, error, "check-config");
  }
}

/** The GitHub named by --github-url, else GITHUB_SERVER_URL, else github.com; a bad address is bad usage. */
function cliGitHub(option: string | undefined, fromEnv: string | undefined): GitHubEndpoints {
  try {
    return option !== undefined ? githubEndpoints(option, "--github-url") : githubEndpoints(fromEnv || undefined, "GITHUB_SERVER_URL");
  } catch (error) {
    if (error instanceof GitHubUrlError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/** `3 environments (dev, stg, prd), stages dev → dev, shared → all`. */
function describe(config: RunwayConfig): string {
  const envs = Object.keys(config.environments);
  const stages = Object.entries(config.stages).map(([stage, served]) => `${stage} → ${served === "all" ? "all" : served.join(", ")}`);
  return `${plural(envs.length, "environment")} (${envs.join(", ")}), ${
    stages.length > 0 ? `stages ${stages.join("; ")}` : "no stages (every deployed stage serves every environment)"
  }`;
}

/** The `check-config` subcommand. */
export const checkConfigCommand: CliCommand = {
  summary: "validate a configuration file and list every problem with its line",
  usage,
  run,
};
