/**
 * Every minute: relaunch stuck launches, give waiting ones a free slot, stop builds whose runner
 * took no job, free the slots of ended builds, delete used JIT configs.
 */
import middy from "@middy/core";
import { logger } from "../lib/observability/logger.ts";
import { reconcilerDepsFromEnv } from "../lib/runners/deps.ts";
import { reconcile, type ReconcileReport } from "../lib/runners/reconcile.ts";

const deps = reconcilerDepsFromEnv((message, fields) => logger.info(message, fields));

export const handler = middy<unknown, ReconcileReport>().handler(() => reconcile(deps));
