/**
 * Where Powertools Metrics' own warnings go: Runway's structured logger (one JSON line, with the
 * request id), not a bare line on stderr. One warning is dropped: "No application metrics to
 * publish", which `logMetrics` would log on every invocation that had nothing to count — each
 * quiet Slack post, each build event, every minute's reconciler pass that did nothing — so that
 * the warnings left (a bad dimension, a timestamp CloudWatch will skip) are read.
 *
 * The EMF lines themselves never pass through here: Powertools writes them to stdout itself.
 */
import type { MetricsOptions } from "@aws-lambda-powertools/metrics/types";
import { logger } from "./logger.ts";

const EMPTY_BUFFER = "No application metrics to publish";

const isEmptyBufferWarning = (content: unknown[]) => typeof content[0] === "string" && content[0].startsWith(EMPTY_BUFFER);

/** The `logger` option of Runway's Metrics instance. */
export const metricsWarnings: NonNullable<MetricsOptions["logger"]> = {
  debug: (...content: unknown[]) => logger.debug(String(content[0]), { from: "metrics" }),
  info: (...content: unknown[]) => logger.info(String(content[0]), { from: "metrics" }),
  warn: (...content: unknown[]) => {
    if (!isEmptyBufferWarning(content)) logger.warn(String(content[0]), { from: "metrics" });
  },
  error: (...content: unknown[]) => logger.error(String(content[0]), { from: "metrics" }),
};
