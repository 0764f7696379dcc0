/**
 * Validation of protection requests read from the queue (the consumer's side of request.ts). The
 * compile-time checks at the bottom fail the type check if the schema and `ProtectionRequest` drift.
 */
import * as z from "zod";
import type { ProtectionRequest } from "./request.ts";

export const protectionRequestSchema = z.object({
  version: z.literal(1),
  deliveryId: z.string(),
  receivedAt: z.string(),
  environment: z.string().min(1),
  event: z.string().optional(),
  sha: z.string().regex(/^[0-9a-f]{7,64}$/),
  ref: z.string().optional(),
  repository: z.string(),
  owner: z.string().min(1),
  repo: z.string().min(1),
  repositoryUrl: z.string().optional(),
  runId: z.number().int().positive(),
  callbackUrl: z.string(),
  installationId: z.number().int().positive().optional(),
  deploymentId: z.number().int().positive().optional(),
  sender: z.string().optional(),
});

type Parsed = z.infer<typeof protectionRequestSchema>;
const _producerFits = (m: ProtectionRequest): Parsed => m;
const _schemaFits = (m: Parsed): ProtectionRequest => m;
void _producerFits;
void _schemaFits;
