/**
 * Validation of job messages read from the queue (the consumer's side of job-message.ts). The
 * compile-time checks at the bottom fail the type check if the schema and `JobMessage` drift.
 */
import * as z from "zod";
import { JOB_ACTIONS, type JobMessage } from "./job-message.ts";

const stepSchema = z.object({
  name: z.string(),
  number: z.number(),
  conclusion: z.string().nullable(),
});

export const jobMessageSchema = z.object({
  version: z.literal(1),
  action: z.enum(JOB_ACTIONS),
  deliveryId: z.string(),
  receivedAt: z.string(),
  environment: z.string(),
  codebuild: z.object({
    project: z.string(),
    region: z.string().optional(),
    roleArn: z.string().optional(),
    allowOverrides: z.array(z.string()),
  }),
  // Messages queued before runner placement existed carry runnerGroupId instead: repository runners.
  runners: z.object({ scope: z.enum(["repo", "org"]), group: z.union([z.string(), z.number()]).optional() }).default({ scope: "repo" }),
  concurrency: z.number(),
  unrouted: z.string().optional(),
  job: z.object({
    id: z.number(),
    runId: z.number(),
    runAttempt: z.number(),
    name: z.string().optional(),
    workflowName: z.string().optional(),
    labels: z.array(z.string()),
    repository: z.string(),
    owner: z.string(),
    repo: z.string(),
    headBranch: z.string().optional(),
    headSha: z.string().optional(),
    htmlUrl: z.string().optional(),
    runUrl: z.string().optional(),
    installationId: z.number().optional(),
    runnerName: z.string().optional(),
    conclusion: z.string().optional(),
    steps: z.array(stepSchema),
  }),
});

type Parsed = z.infer<typeof jobMessageSchema>;
// Both directions: every message the producer builds parses, and every parsed message is one.
const _producerFits = (m: JobMessage): Parsed => m;
const _schemaFits = (m: Parsed): JobMessage => m;
void _producerFits;
void _schemaFits;
