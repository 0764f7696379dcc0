/**
 * `runway replay`: list the launches parked in the job queue's dead-letter queue, and send them
 * (all, or one job's) to the job queue again once their cause is fixed.
 */
import { documentClient } from "../../aws/dynamodb.ts";
import { sqsJobSink } from "../../jobs/job-queue.ts";
import { Ledger } from "../../runners/ledger.ts";
import { listParked, release, replayParked } from "../../runners/replay.ts";
import { parseCommandArgs } from "../args.ts";
import { EXIT, type CliCommand, type CommandIo } from "../command.ts";
import { UsageError } from "../errors.ts";
import { reportFailure, writeLine } from "../output.ts";

const usage = `Usage: runway replay [--job ID | --all] [options]

Without --job or --all, list the parked launches and why each was parked. With them, send those
launches to the job queue again (a failed launch's ledger entry is forgotten first) and remove
them from the dead-letter queue. Uses the AWS credentials and region of your environment.

Options:
  --job ID      replay the parked launch(es) of this job id
  --all         replay every parked launch
  --dlq URL     dead-letter queue URL (default $RUNWAY_JOB_DLQ_URL)
  --queue URL   job queue URL (default $RUNWAY_JOB_QUEUE_URL)
  --table NAME  ledger table (default $RUNWAY_TABLE)

Exit status: 0 done, 1 nothing matched, 2 bad usage.`;

const options = {
  help: { type: "boolean", short: "h", default: false },
  job: { type: "string" },
  all: { type: "boolean", default: false },
  dlq: { type: "string" },
  queue: { type: "string" },
  table: { type: "string" },
} as const;

async function run(io: CommandIo): Promise<number> {
  try {
    const { values } = parseCommandArgs(io.argv, options);
    if (values.help) {
      writeLine(io.stdout, usage);
      return EXIT.ok;
    }
    const dlqUrl = values.dlq ?? io.env.RUNWAY_JOB_DLQ_URL;
    if (!dlqUrl) throw new UsageError("name the dead-letter queue: --dlq URL or RUNWAY_JOB_DLQ_URL");
    const parked = await listParked(dlqUrl);
    const replaying = values.all || values.job !== undefined;
    const chosen = parked.filter((p) => values.all || (values.job !== undefined && String(p.message.job.id) === values.job));
    for (const p of parked) {
      const j = p.message.job;
      writeLine(io.stdout, `${chosen.includes(p) ? "replay" : "parked"}  job ${j.id} attempt ${j.runAttempt} (${j.repository}, ${p.message.environment}): ${p.reason}`);
    }
    if (!replaying) {
      await Promise.all(parked.map((p) => release(p, dlqUrl)));
      writeLine(io.stdout, `${parked.length} parked launch(es); replay with --job ID or --all`);
      return parked.length > 0 ? EXIT.ok : EXIT.no;
    }
    const queueUrl = values.queue ?? io.env.RUNWAY_JOB_QUEUE_URL;
    const table = values.table ?? io.env.RUNWAY_TABLE;
    if (!queueUrl || !table) throw new UsageError("name the job queue and the ledger table: --queue/--table or RUNWAY_JOB_QUEUE_URL/RUNWAY_TABLE");
    const deps = { dlqUrl, queue: sqsJobSink(queueUrl), ledger: new Ledger({ client: documentClient(), table }) };
    for (const p of chosen) await replayParked(p, deps);
    await Promise.all(parked.filter((p) => !chosen.includes(p)).map((p) => release(p, dlqUrl)));
    writeLine(io.stdout, `replayed ${chosen.length} launch(es)`);
    return chosen.length > 0 ? EXIT.ok : EXIT.no;
  } catch (error) {
    return reportFailure(io, error, "replay");
  }
}

export const replayCommand: CliCommand = {
  summary: "list launches parked in the dead-letter queue, and send them again",
  usage,
  run,
};
