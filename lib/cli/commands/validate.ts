/**
 * `runway validate`: decides a CodeDeploy EC2/on-premises lifecycle hook from an appspec hook
 * script. The CodeDeploy agent runs the script with the deployment in its environment; this reads
 * it, runs the checks runway.yml declares for that application, deployment group and hook (the
 * same checks, analysis loop and verdict as the Lambda hook functions), prints each measurement
 * as it is taken and the verdict, and exits 0 or 1 — the agent decides the hook by the script's
 * exit status. Everything that is not a verdict about the release exits 2.
 */
import type { ParseArgsOptionsConfig } from "node:util";
import { parseDurationMs, SCRIPT_MAX_MS } from "../../config/check-fields.ts";
import { SERVER_HOOK_NAMES, type ServerHookName } from "../../config/deploy-names.ts";
import { pendingResult } from "../../deploy/analysis.ts";
import { DeployConfigError, DeployError } from "../../deploy/errors.ts";
import { formatMeasurement, formatVerdict } from "../../deploy/evidence.ts";
import { checksFor } from "../../deploy/hook-checks.ts";
import { runChecks } from "../../deploy/run-checks.ts";
import { placeholderValues } from "../../deploy/template.ts";
import type { CheckResult, DeploymentContext, HookVerdict, Measurement, VerdictSubject } from "../../deploy/types.ts";
import { verdictAfterError, verdictOf } from "../../deploy/verdict.ts";
import { parseCommandArgs } from "../args.ts";
import { EXIT, type CliCommand, type CommandIo } from "../command.ts";
import { loadCliConfig } from "../config.ts";
import { UsageError } from "../errors.ts";
import { plural, reportFailure, writeLine } from "../output.ts";

const options = {
  config: { type: "string", short: "c" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsOptionsConfig;

/** What the CodeDeploy agent sets for every hook script (AWS CodeDeploy User Guide, "Environment variable availability for hooks"). */
export const AGENT_VARIABLES = ["APPLICATION_NAME", "DEPLOYMENT_GROUP_NAME", "LIFECYCLE_EVENT", "DEPLOYMENT_ID"] as const;

const usage = `Usage: runway validate [--config FILE] [--timeout DURATION]

Decide a CodeDeploy EC2/on-premises lifecycle hook from its appspec hook script. The CodeDeploy
agent gives the script ${AGENT_VARIABLES.join(", ")}; this runs the checks
runway.yml declares under deploy.applications.<APPLICATION_NAME>.deploymentGroups.
<DEPLOYMENT_GROUP_NAME, else "*">.hooks.<LIFECYCLE_EVENT>, prints every measurement as it is
taken, then the verdict with each check's evidence.

http checks need only the network. AWS checks (cloudwatch, alarms, lambda, targetHealth) use the
SDK's default credentials (on EC2, the instance profile) and need AWS_REGION.

Options:
  -c, --config FILE       configuration file (default: $RUNWAY_CONFIG, else ./runway.yml); the
                          agent does not run scripts from the revision's directory: give a path
      --timeout DURATION  stop the checks and fail after this long (e.g. 5m), before the appspec's
                          own timeout kills the script without a word
  -h, --help              show this help

Exit status (CodeDeploy fails the hook on anything but 0):
  0  every deciding check passed, or the hook declares checks: [] on purpose
  1  a check failed, came out inconclusive under inconclusive: fail, or did not finish in time
  2  bad usage, a CodeDeploy variable missing, a configuration that does not load, or no checks
     declared for this application, deployment group and hook`;

/** The deployment a hook script runs for, from the agent's variables. */
export interface ScriptDeployment {
  applicationName: string;
  deploymentGroupName: string;
  deploymentId: string;
  hook: ServerHookName;
}

/**
 * Reads the agent's variables.
 *
 * @throws UsageError naming every missing variable, or an unknown LIFECYCLE_EVENT.
 * @example
 * scriptDeployment({ APPLICATION_NAME: "shop", DEPLOYMENT_GROUP_NAME: "shop-prd", LIFECYCLE_EVENT: "ValidateService", DEPLOYMENT_ID: "d-1" });
 */
export function scriptDeployment(env: Readonly<Record<string, string | undefined>>): ScriptDeployment {
  const missing = AGENT_VARIABLES.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new UsageError(
      `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set: run this from an appspec hook script, where the CodeDeploy agent sets ` +
        `${AGENT_VARIABLES.join(", ")} (a wrapper such as sudo drops them unless told to keep them: sudo -E, or --preserve-env=…). ` +
        "To try it by hand: LIFECYCLE_EVENT=ValidateService APPLICATION_NAME=… DEPLOYMENT_GROUP_NAME=… DEPLOYMENT_ID=d-TEST runway validate",
    );
  }
  const hook = env.LIFECYCLE_EVENT!;
  if (!(SERVER_HOOK_NAMES as readonly string[]).includes(hook)) {
    throw new UsageError(`LIFECYCLE_EVENT is "${hook}", which runs no hook scripts; EC2/on-premises hooks are ${SERVER_HOOK_NAMES.join(", ")}`);
  }
  return {
    applicationName: env.APPLICATION_NAME!,
    deploymentGroupName: env.DEPLOYMENT_GROUP_NAME!,
    deploymentId: env.DEPLOYMENT_ID!,
    hook: hook as ServerHookName,
  };
}

/**
 * Runs the command; `signal` (the process's SIGTERM, in the single-file build) stops the checks
 * and still prints the evidence gathered so far.
 *
 * @example
 * const code = await runValidate({ argv: ["--config", "/opt/shop/runway.yml"], stdout, stderr, stdin, cwd, env });
 */
export async function runValidate(io: CommandIo, runOptions: { signal?: AbortSignal } = {}): Promise<number> {
  let prepared: ReturnType<typeof prepare>;
  try {
    const { values, positionals } = parseCommandArgs(io.argv, options);
    if (values.help) {
      writeLine(io.stdout, usage);
      return EXIT.ok;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}: the deployment comes from the CodeDeploy agent's variables`);
    prepared = prepare(io, values);
  } catch (error) {
    // Not `runway help validate`: on an instance this runs as the single file, which has --help.
    if (error instanceof DeployConfigError || error instanceof UsageError) {
      writeLine(io.stderr, `runway validate: ${error.message}`);
      if (error instanceof UsageError) writeLine(io.stderr, "Run `runway validate --help` for usage.");
      return EXIT.usage;
    }
    return reportFailure(io, error, "validate");
  }
  const verdict = await decide(io, prepared, runOptions.signal);
  for (const line of formatVerdict(prepared.subject, verdict)) writeLine(io.stdout, line);
  return verdict.status === "Succeeded" ? EXIT.ok : EXIT.no;
}

function prepare(io: CommandIo, values: { config?: string | undefined; timeout?: string | undefined }) {
  const timeoutMs = values.timeout === undefined ? undefined : parseDurationMs(/^\d+(\.\d+)?$/.test(values.timeout) ? Number(values.timeout) : values.timeout);
  if (timeoutMs !== undefined && !(timeoutMs > 0 && timeoutMs <= SCRIPT_MAX_MS)) throw new UsageError(`--timeout ${values.timeout}: expected a duration up to 1h, such as 5m`);
  if (values.timeout !== undefined && timeoutMs === undefined) throw new UsageError(`--timeout ${values.timeout}: expected a duration such as 90s or 5m`);
  const script = scriptDeployment(io.env);
  const { config } = loadCliConfig(io, values.config);
  const checks = checksFor(config.deploy, script.applicationName, script.deploymentGroupName, script.hook);
  const deployment: DeploymentContext = {
    deploymentId: script.deploymentId,
    applicationName: script.applicationName,
    deploymentGroupName: script.deploymentGroupName,
    computePlatform: "Server",
    status: "InProgress",
    targetId: undefined,
    lifecycleEvents: [{ name: script.hook, status: "InProgress" }],
    ecs: undefined,
    lambda: undefined,
  };
  const subject: VerdictSubject = {
    deploymentId: script.deploymentId,
    executionId: "script",
    hook: script.hook,
    applicationName: script.applicationName,
    deploymentGroupName: script.deploymentGroupName,
    computePlatform: "Server",
  };
  return { script, checks, deployment, subject, timeoutMs, timeoutText: values.timeout };
}

async function decide(io: CommandIo, prepared: ReturnType<typeof prepare>, outer: AbortSignal | undefined): Promise<HookVerdict> {
  const { script, checks, deployment, timeoutMs } = prepared;
  const names = checks.map((check) => (check.dryRun ? `${check.name} (dry run)` : check.name));
  writeLine(io.stdout, `runway validate: ${script.hook} of ${script.applicationName}/${script.deploymentGroupName} (${script.deploymentId}): ${plural(checks.length, "check")}${names.length > 0 ? `: ${names.join(", ")}` : ""}`);
  const results = checks.map(pendingResult);
  const stop = new AbortController();
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => stop.abort(new DeployError(`--timeout ${prepared.timeoutText} reached before the checks finished: lengthen it (and the appspec's timeout) or shorten the checks`)), timeoutMs);
  const signal = outer ? AbortSignal.any([outer, stop.signal]) : stop.signal;
  const onMeasurement = (result: CheckResult, measurement: Measurement) => {
    const dry = result.dryRun ? " (dry run)" : "";
    writeLine(io.stdout, `  ${result.name}${dry} ${result.measurements.length}/${result.count}: ${formatMeasurement(measurement)}`);
  };
  try {
    await runChecks(checks, { deployment, hook: script.hook, values: placeholderValues(deployment, script.hook) }, results, signal, { onMeasurement });
    return verdictOf(results);
  } catch (error) {
    return verdictAfterError(results, error);
  } finally {
    clearTimeout(timer);
  }
}

/** The `validate` subcommand. */
export const validateCommand: CliCommand = {
  summary: "decide an EC2/on-premises CodeDeploy hook from its appspec script (exit 0 pass, 1 fail)",
  usage,
  run: (io) => runValidate(io),
};
