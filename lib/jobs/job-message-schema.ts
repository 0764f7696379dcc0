/**
 * Validation of job messages read from the queue (the consumer's side of job-message.ts). The
 * compile-time checks at the bottom fail the type check if the schema and `JobMessage` drift.
 *
 * zod/mini rather than zod: the same validation in a fraction of the bundle, and the launcher's
 * cold start is part of a job's wait.
 */
import * as z from "zod/mini";
import { JOB_ACTIONS, type JobMessage } from "./job-message.ts";

const stepSchema = z.object({
  name: z.string(),
  number: z.number(),
  conclusion: z.nullable(z.string()),
});

export const jobMessageSchema = z.object({
  version: z.literal(1),
  action: z.enum(JOB_ACTIONS),
  deliveryId: z.string(),
  receivedAt: z.string(),
  environment: z.string(),
  codebuild: z.object({
    project: z.string(),
    region: z.optional(z.string()),
    roleArn: z.optional(z.string()),
    allowOverrides: z.array(z.string()),
  }),
  // Messages queued before runner placement existed carry runnerGroupId instead: repository runners.
  runners: z._default(z.object({ scope: z.enum(["repo", "org"]), group: z.optional(z.union([z.string(), z.number()])) }), { scope: "repo" }),
  concurrency: z.number(),
  unrouted: z.optional(z.string()),
  job: z.object({
    id: z.number(),
    runId: z.number(),
    runAttempt: z.number(),
    name: z.optional(z.string()),
    workflowName: z.optional(z.string()),
    labels: z.array(z.string()),
    repository: z.string(),
    owner: z.string(),
    repo: z.string(),
    headBranch: z.optional(z.string()),
    headSha: z.optional(z.string()),
    htmlUrl: z.optional(z.string()),
    runUrl: z.optional(z.string()),
    installationId: z.optional(z.number()),
    runnerName: z.optional(z.string()),
    conclusion: z.optional(z.string()),
    createdAt: z.optional(z.string()),
    startedAt: z.optional(z.string()),
    steps: z.array(stepSchema),
  }),
});

type Parsed = z.infer<typeof jobMessageSchema>;
// Both directions: every message the producer builds parses, and every parsed message is one.
const _producerFits = (m: JobMessage): Parsed => m;
const _schemaFits = (m: Parsed): JobMessage => m;
void _producerFits;
void _schemaFits;
